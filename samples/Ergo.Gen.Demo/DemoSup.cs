using Ergo.Gen.Behaviours;

namespace Ergo.Gen.Demo;

/// <summary>demo_sup: one_for_one over echo and counter; a crashed counter comes back with total 0, registered again.</summary>
[Supervisor(Strategy.OneForOne, Intensity = 5, PeriodSeconds = 10, Name = "demo_sup")]
[Child<Echo>(Name = "echo")]
[Child<Counter>]
public partial class DemoSup;
