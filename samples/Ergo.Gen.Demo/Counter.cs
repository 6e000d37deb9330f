using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Demo;

/// <summary>The demo's GenServer, written by hand against the base class the generators will target.</summary>
public sealed class Counter : GenServer
{
    private static readonly Atom Add = Atom.Of("add");
    private static readonly Atom Get = Atom.Of("get");
    private static readonly Atom Reset = Atom.Of("reset");

    private long _total;

    protected override ValueTask<CallResult> HandleCallAsync(object request, From from) => request switch
    {
        // {add, N} -> {ok, Total}
        Etf.Tuple { Arity: 2 } t when t[0] == Add && t[1] is Integer n => new(CallResult.Reply(new Etf.Tuple(Atom.Ok, _total += n.Value))),
        Atom a when a == Get => new(CallResult.Reply((Term)_total)),
        _ => base.HandleCallAsync(request, from),
    };

    protected override ValueTask<ServerResult> HandleCastAsync(object message)
    {
        if (message is Atom a && a == Reset)
            _total = 0;
        return new(ServerResult.NoReply());
    }
}
