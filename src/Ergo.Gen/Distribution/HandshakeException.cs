namespace Ergo.Gen.Distribution;

/// <summary>A distribution handshake that failed: bad cookie, missing flags, garbage, or a refused status.</summary>
public sealed class HandshakeException(string message) : Exception(message);
