using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Demo;

/// <summary>
/// Echo's <c>{stage_take, Producer, N}</c>: a consumer (max_demand 10) that takes N events from any GenStage
/// producer, .NET or Elixir, cancels its subscription and answers the waiting call with <c>{ok, Events}</c>, or
/// <c>{error, Reason}</c> if the producer goes away first.
/// </summary>
internal sealed class StageTake(StageAddress producer, int count, From caller) : Consumer
{
    private readonly List<Term> _taken = [];
    private Subscription _subscription;
    private bool _answered;

    protected override ValueTask<InitResult> InitAsync()
    {
        _subscription = Subscribe(producer, new SubscribeOptions { MaxDemand = 10, Cancel = CancelMode.Transient });
        return new(InitResult.Ok());
    }

    protected override ValueTask<ServerResult> HandleEventsAsync(ArraySegment<object> events, Subscription from)
    {
        foreach (var e in events)
        {
            if (_taken.Count == count)
                break;
            _taken.Add((Term)e);
        }
        if (_taken.Count < count || _answered)
            return new(ServerResult.NoReply());
        _answered = true;
        Cancel(_subscription, ExitReason.Normal);
        Reply(caller, new Etf.Tuple(Atom.Ok, new List(_taken.ToArray())));
        return new(ServerResult.Stop(ExitReason.Normal));
    }

    protected override ValueTask<ServerResult> HandleCancelAsync(CancelKind kind, Term reason, Subscription subscription)
    {
        if (!_answered)
        {
            _answered = true;
            Reply(caller, new Etf.Tuple(Atom.Error, reason));
        }
        return new(ServerResult.Stop(ExitReason.Normal));
    }
}
