namespace Ergo.Gen.Distribution;

/// <summary>A distribution handshake that failed: bad cookie, missing flags, garbage, or a refused status.</summary>
public sealed class HandshakeException(string message, bool simultaneousLoss = false, bool wrongCookie = false) : ErgoException(message)
{
    /// <summary>The peer answered "nok": it is connecting to us at the same time, and its connection is the one to keep.</summary>
    public bool SimultaneousLoss { get; } = simultaneousLoss;

    /// <summary>The digests did not match: the peer does not know the cookie (counted for the back-off).</summary>
    public bool WrongCookie { get; } = wrongCookie;

    /// <summary>We answered "nok": the peer connected while our own connection to it was being made, and ours is the
    /// one kept (net_kernel's rule). Routine, so it is not logged as a refusal.</summary>
    internal bool OursKept { get; init; }
}
