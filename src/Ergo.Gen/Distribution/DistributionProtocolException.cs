using Ergo.Gen.Etf;

namespace Ergo.Gen.Distribution;

/// <summary>A peer broke the distribution protocol after the handshake; its connection is closed.</summary>
public sealed class DistributionProtocolException(string message) : ErgoException(message);
