namespace Ergo.Gen.Distribution;

/// <summary>A distribution handshake that failed: bad cookie, missing flags, garbage, or a refused status.</summary>
public sealed class HandshakeException(string message, bool simultaneousLoss = false) : Exception(message)
{
    /// <summary>The peer answered "nok": it is connecting to us at the same time, and its connection is the one to keep.</summary>
    public bool SimultaneousLoss { get; } = simultaneousLoss;
}
