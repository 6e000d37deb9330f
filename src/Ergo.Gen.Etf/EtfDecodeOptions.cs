namespace Ergo.Gen.Etf;

/// <summary>
/// Limits that keep a hostile peer from exhausting memory, stack or CPU.
/// The defaults admit everything a well-behaved Erlang node sends in practice.
/// </summary>
public sealed record EtfDecodeOptions
{
    /// <summary>Deepest nesting of tuples, lists, maps and funs; the decoder recurses, so it is capped at <see cref="MaxDepthCap"/>.</summary>
    public int MaxDepth { get; init; } = 1_000;

    /// <summary>Upper bound of <see cref="MaxDepth"/>: keeps recursive decoding far from the thread's stack limit.</summary>
    public const int MaxDepthCap = 4_000;

    /// <summary>Budget for what decoding may materialise: binary bytes plus 8 per element of a container.</summary>
    public long MaxDecodedBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Declared uncompressed size of a compressed term above which it is refused (zip bombs).</summary>
    public int MaxUncompressedSize { get; init; } = 64 * 1024 * 1024;

    /// <summary>Largest bignum accepted, in bytes of magnitude (Erlang's own limit is about 4 Mbit).</summary>
    public int MaxBigIntegerBytes { get; init; } = 16 * 1024;

    /// <summary>Atom length limit in characters; Erlang's is 255.</summary>
    public int MaxAtomLength { get; init; } = 255;

    /// <summary>New atoms (ones this process has never seen) the decoding may create; shared by every decode that uses
    /// these options, so a distribution connection gives each peer one quota for its lifetime. Null: no quota.</summary>
    public AtomQuota? NewAtomQuota { get; init; }

    public static EtfDecodeOptions Default { get; } = new();

    internal int EffectiveDepth => Math.Clamp(MaxDepth, 1, MaxDepthCap);
}
