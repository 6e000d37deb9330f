namespace Ergo.Gen.Etf;

/// <summary>
/// The one exception the decoder throws for malformed, truncated or hostile input.
/// <see cref="Offset"/> is the byte position (from the start of the decoded buffer) where decoding stopped.
/// </summary>
public sealed class EtfDecodeException : Exception
{
    public EtfDecodeException(string reason, int offset, Exception? inner = null)
        : base($"invalid external term at byte {offset}: {reason}", inner)
    {
        Reason = reason;
        Offset = offset;
    }

    /// <summary>Why the input was refused, without the offset.</summary>
    public string Reason { get; }

    /// <summary>Byte offset into the input at which the problem was found.</summary>
    public int Offset { get; }
}
