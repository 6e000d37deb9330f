using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Distribution.Transport;

/// <summary>A monitor one of our processes holds on a process of another node: removing it sends DEMONITOR_P (with
/// <paramref name="deferDemonitor"/>, in the next write to the peer or within a timer tick: a call's monitor).</summary>
internal sealed class RemoteMonitorTarget(Connection connection, Pid watcher, Term target, bool deferDemonitor = false) : IMonitorTarget
{
    public void RemoveMonitor(Reference monitor) => connection.Demonitor(watcher, target, monitor, deferDemonitor);
}
