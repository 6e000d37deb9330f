using System.Collections.Generic;
using System.Threading.Tasks;
using Ergo.Gen;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Demo;

[Term] public sealed record Add(int N);
[Term] public sealed record Ok(long Total);
[Term] public sealed record Reset;
[Term] public sealed record History(int Last);

// Every handler kind and return shape, an event it publishes and one it listens to, and replies with a term form.
[GenServer(Name = "counter")]
[Event<Ok>("total_changed", Buffer = 1)]
public partial class Counter
{
    private long _total;

    [Call] Ok Handle(Add m) => new(_total += m.N);
    [Call] long Get(Atom request) => _total;
    [Call] async Task<Ok> Slow(Pid who, From from) { await Task.Yield(); return new(_total); }
    [Call] ValueTask<List<long>> Recent(History h) => new(new List<long> { _total });
    [Cast] void Handle(Reset _) => _total = 0;
    [Info] ValueTask Note(string text) => ValueTask.CompletedTask;
    [OnEvent("peer_totals")] void Peer(Ok total) { }
}

// A server that logs and answers {error, {bad_call, Request}} instead of stopping on an unknown request.
[GenServer(UnknownMessages = UnknownMessages.LogAndContinue)]
public partial class Lenient
{
    [Cast] void Handle(Reset _) { }
}
