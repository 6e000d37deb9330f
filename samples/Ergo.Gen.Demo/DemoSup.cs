using Ergo.Gen.Behaviours;

namespace Ergo.Gen.Demo;

/// <summary>demo_sup: one_for_one over echo, counter, the numbers producer and the door state machine; a crashed counter comes back with total 0, registered again.</summary>
[Supervisor(Strategy.OneForOne, Intensity = 5, PeriodSeconds = 10, Name = "demo_sup")]
[Child<Echo>(Name = "echo")]
[Child<Counter>]
[Child<Numbers>(Name = "numbers")]
[Child<Door>(Name = "door")]
public partial class DemoSup;
