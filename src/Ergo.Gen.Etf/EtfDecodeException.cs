namespace Ergo.Gen.Etf;

/// <summary>
/// The one exception the decoder throws for malformed, truncated or hostile input.
/// <see cref="Offset"/> is the byte position (from the start of the decoded buffer) where decoding stopped.
/// </summary>
public sealed class EtfDecodeException : ErgoException
{
    public EtfDecodeException(string reason, int offset, Exception? inner = null)
        : this(reason, offset, exceedsLimit: false, inner)
    {
    }

    public EtfDecodeException(string reason, int offset, bool exceedsLimit, Exception? inner = null)
        : base($"{(exceedsLimit ? "external term over a limit" : "invalid external term")} at byte {offset}: {reason}", inner)
    {
        Reason = reason;
        Offset = offset;
        ExceedsLimit = exceedsLimit;
    }

    /// <summary>The term is well formed but goes beyond a limit of <see cref="EtfDecodeOptions"/> (size, depth,
    /// bignum, compressed size) that Erlang itself does not have: a receiver drops it alone rather than treat its
    /// sender as broken.</summary>
    public bool ExceedsLimit { get; }

    /// <summary>Why the input was refused, without the offset.</summary>
    public string Reason { get; }

    /// <summary>Byte offset into the input at which the problem was found.</summary>
    public int Offset { get; }
}
