using Ergo.Gen.Etf;
using Ergo.Gen.Timers;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// gen_statem: a server whose handlers run per state. Calls (<c>gen_statem:call</c> from Erlang as well), casts and
/// other messages are events; a handler may move the machine to another state (<see cref="GoTo"/>), postpone the
/// event until the state changes (<see cref="Postpone"/>), give itself an event to handle next
/// (<see cref="NextEvent"/>) and set state, event and named timeouts. Timeouts and internal events reach the
/// [Info] handlers with the message given; <see cref="CurrentEvent"/> says which kind of event is running. With
/// <see cref="StateEnter"/>, <see cref="OnEnter"/> runs on every state change and for the initial state.
/// The [StateMachine&lt;TState&gt;] generator derives a class from this and dispatches its handlers by state.
/// </summary>
public abstract class StateMachine<TState> : GenServer where TState : struct, Enum
{
    private readonly record struct Event(EventKind Kind, object Message, From From);

    /// <summary>A timeout that ran out; stale when its generation is no longer the armed one.</summary>
    private sealed record TimeoutFired(EventKind Kind, Term? Name, object Message, long Generation);

    /// <summary>Runs what init's state enter call queued (its internal events), as soon as the machine gets to it.</summary>
    private sealed class Drain
    {
        public static readonly Drain Instance = new();
    }

    private sealed class Armed(TimerRef timer, long generation)
    {
        public readonly TimerRef Timer = timer;
        public readonly long Generation = generation;
    }

    private static readonly EqualityComparer<TState> Same = EqualityComparer<TState>.Default;

    private TState _state;
    private bool _started;
    // What the running handler asked for; applied when it returns.
    private TState? _next;
    private bool _postpone;
    private bool _stateTimeoutSet;
    private List<Event>? _nextEvents;
    // Events postponed in this state, oldest first, and events to run before the next message.
    private readonly List<Event> _postponed = [];
    private readonly LinkedList<Event> _queue = new();
    private Armed? _stateTimeout;
    private Armed? _eventTimeout;
    private Dictionary<Term, Armed>? _generic;
    private long _generation;

    /// <summary>The state the machine is in.</summary>
    protected TState State => _state;

    /// <summary>The kind of event the running handler was called for.</summary>
    protected EventKind CurrentEvent { get; private set; }

    /// <summary>The state the machine starts in: the enum's zero value unless overridden, or what <see cref="GoTo"/>
    /// in InitAsync says.</summary>
    protected virtual TState InitialState => default;

    /// <summary>gen_statem's <c>state_enter</c>: <see cref="OnEnter"/> runs for every state entered.</summary>
    protected virtual bool StateEnter => false;

    /// <summary>The state enter call: the machine entered <paramref name="to"/> from <paramref name="from"/> (both the
    /// initial state at start). It may set timeouts; as in gen_statem, it may not change state, postpone or give
    /// itself events.</summary>
    protected virtual void OnEnter(TState from, TState to) { }

    /// <summary>After this handler, the machine is in <paramref name="next"/>. A real change cancels the state
    /// timeout and retries the postponed events.</summary>
    protected void GoTo(TState next) => _next = next;

    /// <summary>This event waits until the state changes, then is handled again (a call's reply is not sent).</summary>
    protected void Postpone() => _postpone = true;

    /// <summary>next_event: <paramref name="message"/> is handled next, as an internal event, before any queued one.</summary>
    protected void NextEvent(object message) =>
        (_nextEvents ??= []).Add(new Event(EventKind.Internal, message ?? throw new ArgumentNullException(nameof(message)), default));

    /// <summary>state_timeout: <paramref name="message"/> arrives after <paramref name="after"/> unless the state changes first.
    /// Setting it again replaces it.</summary>
    protected void StateTimeout(TimeSpan after, object message)
    {
        Cancel(ref _stateTimeout);
        _stateTimeout = Arm(EventKind.StateTimeout, null, after, message);
        _stateTimeoutSet = true;
    }

    /// <summary>Cancels the state timeout.</summary>
    protected void CancelStateTimeout() => Cancel(ref _stateTimeout);

    /// <summary>An event timeout: <paramref name="message"/> arrives after <paramref name="after"/> unless another event comes first.</summary>
    protected void EventTimeout(TimeSpan after, object message)
    {
        Cancel(ref _eventTimeout);
        _eventTimeout = Arm(EventKind.EventTimeout, null, after, message);
    }

    /// <summary>A generic timeout named <paramref name="name"/>: it survives events and state changes; setting it again
    /// replaces it.</summary>
    protected void GenericTimeout(Term name, TimeSpan after, object message)
    {
        ArgumentNullException.ThrowIfNull(name);
        _generic ??= [];
        if (_generic.Remove(name, out var old))
            Node.CancelTimer(old.Timer);
        _generic[name] = Arm(EventKind.GenericTimeout, name, after, message);
    }

    /// <summary>Cancels the generic timeout named <paramref name="name"/>; false if it was not set.</summary>
    protected bool CancelGenericTimeout(Term name)
    {
        if (_generic is null || !_generic.Remove(name, out var armed))
            return false;
        Node.CancelTimer(armed.Timer);
        return true;
    }

    private Armed Arm(EventKind kind, Term? name, TimeSpan after, object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var generation = ++_generation;
        return new Armed(Node.SendAfter(Self, new TimeoutFired(kind, name, message, generation), after), generation);
    }

    private void Cancel(ref Armed? armed)
    {
        if (armed is not null)
            Node.CancelTimer(armed.Timer);
        armed = null;
    }

    // A postponed call's reply is not sent: the call is handled again later.
    private protected sealed override bool ReplyHeld => _postpone;

    /// <summary>sys:get_state/1 of a gen_statem is <c>{State, Data}</c>: here the state as its atom and the type's name.</summary>
    protected override Term SystemState =>
        new Etf.Tuple(Atom.Of(Shared.SnakeCaseName.Of(_state.ToString())), Atom.Of(GetType().FullName ?? GetType().Name));

    private protected sealed override void AfterCallback()
    {
        // The first callback to end is init's: the machine enters its initial state.
        if (_started)
            return;
        _started = true;
        _state = _next ?? InitialState;
        _next = null;
        if (StateEnter)
            Enter(_state, _state);
        if (_nextEvents is { } events)
        {
            foreach (var e in events)
                _queue.AddLast(e);
            _nextEvents = null;
            Node.Send(Self, Drain.Instance);
        }
    }

    private protected sealed override ValueTask DispatchCallAsync(object request, From from) => RunAsync(new Event(EventKind.Call, request, from));

    private protected sealed override ValueTask DispatchCastAsync(object message) => RunAsync(new Event(EventKind.Cast, message, default));

    private protected sealed override ValueTask HandleOtherAsync(object message)
    {
        if (message is Drain)
            return RunAsync(null);
        if (message is not TimeoutFired fired)
            return RunAsync(new Event(EventKind.Info, message, default));
        var current = fired.Kind switch
        {
            EventKind.StateTimeout => _stateTimeout,
            EventKind.EventTimeout => _eventTimeout,
            _ => _generic?.GetValueOrDefault(fired.Name!),
        };
        // Cancelled or replaced after it was sent: not an event any more.
        if (current is null || current.Generation != fired.Generation)
            return ValueTask.CompletedTask;
        if (fired.Kind == EventKind.StateTimeout)
            _stateTimeout = null;
        else if (fired.Kind == EventKind.EventTimeout)
            _eventTimeout = null;
        else
            _generic!.Remove(fired.Name!);
        return RunAsync(new Event(fired.Kind, fired.Message, default));
    }

    /// <summary>One event from the mailbox (none for a Drain), then every event queued (internal ones, postponed
    /// ones retried). Between mailbox messages the queue is empty, but for what init queued: that comes first, even
    /// before a message that arrived ahead of the Drain sent for it.</summary>
    private async ValueTask RunAsync(Event? arrived)
    {
        if (arrived is { } e)
        {
            if (_queue.Count == 0)
                await HandleAsync(e).ConfigureAwait(false);
            else
                _queue.AddLast(e);
        }
        while (PendingStopReason is null && _queue.First is { } next)
        {
            _queue.RemoveFirst();
            await HandleAsync(next.Value).ConfigureAwait(false);
        }
    }

    private async ValueTask HandleAsync(Event e)
    {
        // Any event cancels the event timeout.
        Cancel(ref _eventTimeout);
        (_next, _postpone, _stateTimeoutSet, _nextEvents) = (null, false, false, null);
        CurrentEvent = e.Kind;
        Term? stop = null;
        switch (e.Kind)
        {
            case EventKind.Call:
                var call = await HandleCallAsync(e.Message, e.From).ConfigureAwait(false);
                if (!_postpone && call.HasReply)
                    e.From.Reply(Node, call.ReplyValue);
                stop = call.StopReason;
                break;
            case EventKind.Cast:
                stop = (await HandleCastAsync(e.Message).ConfigureAwait(false)).StopReason;
                break;
            default:
                stop = (await HandleInfoAsync(e.Message).ConfigureAwait(false)).StopReason;
                break;
        }
        if (stop is not null)
        {
            Stop(stop);
            return;
        }
        if (_postpone)
            _postponed.Add(e);
        if (_next is { } to && !Same.Equals(to, _state))
        {
            var from = _state;
            _state = to;
            if (!_stateTimeoutSet)
                Cancel(ref _stateTimeout);
            // The postponed events are retried in the new state, oldest first, before anything else.
            for (var i = _postponed.Count - 1; i >= 0; i--)
                _queue.AddFirst(_postponed[i]);
            _postponed.Clear();
            if (StateEnter)
                Enter(from, to);
        }
        // Events the handler gave itself come first of all, in the order given.
        if (_nextEvents is { } events)
        {
            for (var i = events.Count - 1; i >= 0; i--)
                _queue.AddFirst(events[i]);
        }
    }

    private void Enter(TState from, TState to)
    {
        var events = _nextEvents;
        (_next, _postpone, _nextEvents) = (null, false, null);
        OnEnter(from, to);
        // gen_statem stops a machine whose state enter call asks for any of these (bad_state_enter_action).
        if (_next is { } moved && !Same.Equals(moved, to))
            throw new InvalidOperationException($"a state enter call may not change the state ({to} to {moved}), as in gen_statem");
        if (_postpone)
            throw new InvalidOperationException("a state enter call may not postpone, as in gen_statem");
        if (_nextEvents is not null)
            throw new InvalidOperationException("a state enter call may not give the machine events (next_event), as in gen_statem");
        _nextEvents = events;
        _next = null;
    }
}
