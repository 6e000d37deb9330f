namespace Ergo.Gen.Etf;

/// <summary>
/// Limits that keep a hostile peer from exhausting memory, stack or CPU.
/// The defaults admit everything a well-behaved Erlang node sends in practice.
/// </summary>
public sealed record EtfDecodeOptions
{
    /// <summary>Deepest nesting of tuples, lists, maps and funs. Erlang has no such limit and decodes a list a
    /// million deep; so does this decoder (deep terms are read with a stack of its own, not the thread's).</summary>
    public int MaxDepth { get; init; } = 10_000_000;

    /// <summary>Budget for what decoding may materialise: binary bytes plus 8 per element of a container.</summary>
    public long MaxDecodedBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Declared uncompressed size of a compressed term above which it is refused (zip bombs).</summary>
    public int MaxUncompressedSize { get; init; } = 64 * 1024 * 1024;

    /// <summary>Largest bignum accepted, in bytes of magnitude: Erlang's own limit, about 4 Mbit.</summary>
    public int MaxBigIntegerBytes { get; init; } = 512 * 1024;

    /// <summary>Atom length limit in characters; Erlang's is 255.</summary>
    public int MaxAtomLength { get; init; } = 255;

    /// <summary>New atoms (ones this process has never seen) the decoding may create; shared by every decode that uses
    /// these options, so a distribution connection gives each peer one quota for its lifetime. Null: no quota.</summary>
    public AtomQuota? NewAtomQuota { get; init; }

    public static EtfDecodeOptions Default { get; } = new();

    internal int EffectiveDepth => Math.Max(1, MaxDepth);
}
