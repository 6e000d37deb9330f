using Ergo.Gen.Etf;

namespace Ergo.Gen.Introspection;

/// <summary>
/// What Erlang's observer shows of a process, read without stopping it: counters are a moment's reading, and
/// memory is an estimate (the process object, its mailbox and what its messages hold are not measured exactly).
/// </summary>
public sealed record ProcessInfo(
    Pid Pid,
    Atom? RegisteredName,
    string Behaviour,
    string Type,
    int MessageQueueLength,
    long Reductions,
    long MemoryBytes,
    IReadOnlyList<Pid> Links,
    int MonitoredBy,
    bool TrapExit);
