using System.Threading.Tasks;
using Ergo.Gen;
using Ergo.Gen.Behaviours;

namespace Demo;

[GenServer(Name = "counter")]
public partial class Counter
{
    [Call] long Get(Ergo.Gen.Etf.Atom _) => 0;
}

[Supervisor(Strategy.OneForAll, Intensity = 5, PeriodSeconds = 10, Name = "demo_sup")]
[Child<Counter>(RestartType.Permanent)]
[Child<Worker>(RestartType.Transient, Id = "helper", ShutdownMilliseconds = 0, Significant = true)]
public partial class DemoSup;

public sealed class Worker : Ergo.Gen.Processes.Process
{
    protected override ValueTask HandleAsync(object message) => ValueTask.CompletedTask;
}
