using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Demo;

// The counter's messages, as Erlang writes them.
[Term] public sealed record Add(long N);        // {add, N}
[Term] public sealed record Ok(long Total);     // {ok, Total}
[Term] public sealed record Get;                // get
[Term] public sealed record Reset;              // reset
[Term("whoami")] public sealed record WhoAmI;    // whoami (snake_case would be who_am_i)
[Term] public sealed record Crash;              // crash

/// <summary>The registered <c>counter</c>, written with the generators: typed handlers, generated dispatch and codecs.</summary>
[GenServer(Name = "counter")]
public partial class Counter
{
    private long _total;

    [Call] Ok Handle(Add m) => new(_total += m.N);

    [Call] Ok Handle(Get _) => new(_total);

    [Call] Pid Handle(WhoAmI _) => Self;

    [Call] Ok Handle(Crash _) => throw new InvalidOperationException("counter asked to crash");

    [Cast] void Handle(Reset _) => _total = 0;
}
