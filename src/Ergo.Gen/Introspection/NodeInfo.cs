using Ergo.Gen.Etf;

namespace Ergo.Gen.Introspection;

/// <summary>A node at a glance: what Erlang's observer shows on its System tab, for .NET code and for observer.</summary>
public sealed record NodeInfo(
    Atom Name,
    TimeSpan Uptime,
    int ProcessCount,
    int RegisteredCount,
    int AtomCount,
    int Schedulers,
    long ManagedMemoryBytes,
    long WorkingSetBytes,
    IReadOnlyList<PeerInfo> Peers,
    IReadOnlyList<Applications.RunningApplication> Applications);

/// <summary>A connected node and the bytes exchanged with it.</summary>
public sealed record PeerInfo(Atom Name, long BytesReceived, long BytesSent);
