using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Demo;

/// <summary>The registered <c>counter</c>: {add, N} and get reply {ok, Total}; cast reset; whoami; crash.</summary>
public sealed class Counter : GenServer
{
    private static readonly Atom Add = Atom.Of("add"), Get = Atom.Of("get"), Reset = Atom.Of("reset");
    private static readonly Atom WhoAmI = Atom.Of("whoami"), Crash = Atom.Of("crash");

    private long _total;

    protected override ValueTask<CallResult> HandleCallAsync(object request, From from) => request switch
    {
        Etf.Tuple { Arity: 2 } t when t[0] == Add && t[1] is Integer n => new(CallResult.Reply(new Etf.Tuple(Atom.Ok, _total += n.Value))),
        Atom a when a == Get => new(CallResult.Reply(new Etf.Tuple(Atom.Ok, _total))),
        Atom a when a == WhoAmI => new(CallResult.Reply(Self)),
        Atom a when a == Crash => throw new InvalidOperationException("counter asked to crash"),
        _ => base.HandleCallAsync(request, from),
    };

    protected override ValueTask<ServerResult> HandleCastAsync(object message)
    {
        if (message is Atom a && a == Reset)
            _total = 0;
        return new(ServerResult.NoReply());
    }
}
