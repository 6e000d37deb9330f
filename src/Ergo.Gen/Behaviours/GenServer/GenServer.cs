using Ergo.Gen.Observability;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// OTP's gen_server: subclass it (by hand, or let the generator do it) and override the callbacks. Calls and
/// casts arrive either from .NET or in Erlang's shapes (<c>{'$gen_call', {Pid, Tag}, Request}</c>,
/// <c>{'$gen_cast', Msg}</c>); both reach the same callbacks. Every callback may complete synchronously, in
/// which case no task is allocated.
/// </summary>
public abstract class GenServer : Process
{
    private static readonly Atom GenCall = Atom.Of("$gen_call");
    private static readonly Atom GenCast = Atom.Of("$gen_cast");
    private static readonly Atom BadCall = Atom.Of("bad_call");
    private static readonly Atom BadCast = Atom.Of("bad_cast");
    private static readonly Atom SystemTag = Atom.Of("system");
    private static readonly Atom GetStateAtom = Atom.Of("get_state");
    private static readonly Atom TerminateAtom = Atom.Of("terminate");
    private static readonly Atom UnknownSystemMsg = Atom.Of("unknown_system_msg");

    private Pid? _parent;
    private TaskCompletionSource<InitOutcome>? _starting;

    protected virtual ValueTask<InitResult> InitAsync() => new(InitResult.Ok());

    /// <summary>Default: like a gen_server without handle_call, the server stops with <c>{bad_call, Request}</c>
    /// (see <see cref="HandleUnknownCallAsync"/>).</summary>
    protected virtual ValueTask<CallResult> HandleCallAsync(object request, From from) => HandleUnknownCallAsync(request, from);

    /// <summary>Default: like a gen_server without handle_cast, the server stops with <c>{bad_cast, Msg}</c>
    /// (see <see cref="HandleUnknownCastAsync"/>).</summary>
    protected virtual ValueTask<ServerResult> HandleCastAsync(object message) => HandleUnknownCastAsync(message);

    /// <summary>What a call or cast no handler takes does (<see cref="GenServerAttribute.UnknownMessages"/>).</summary>
    protected virtual UnknownMessages UnknownMessages => UnknownMessages.Stop;

    /// <summary>Why a term is not any handler's message type, naming the field that did not read; generated.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    protected virtual string? ExplainUnknown(Term term) => null;

    /// <summary>
    /// Generated servers send a call no [Call] method takes here. Default: as gen_server (a handle_call with no
    /// matching clause) and Elixir's GenServer, the server stops with <c>{bad_call, Request}</c>, so the caller
    /// fails at once with that reason. With <see cref="UnknownMessages.LogAndContinue"/> the call is logged and
    /// answered with <c>{error, {bad_call, Request}}</c>: the caller never waits out its timeout either way.
    /// </summary>
    protected virtual ValueTask<CallResult> HandleUnknownCallAsync(object request, From from)
    {
        var bad = new Etf.Tuple(BadCall, AsTerm(request));
        var why = request is Term term ? ExplainUnknown(term) : null;
        if (UnknownMessages == UnknownMessages.Stop)
        {
            RuntimeLog.UnknownCall(Logger, this, Because(why), new Bounded(request));
            return new(CallResult.Stop(bad));
        }
        LogDropped("a call no handler takes" + Because(why), request);
        return new(CallResult.Reply(new Etf.Tuple(Atom.Error, bad)));
    }

    /// <summary>Generated servers send a cast no [Cast] method takes here. Default: as gen_server, the server stops
    /// with <c>{bad_cast, Msg}</c>; with <see cref="UnknownMessages.LogAndContinue"/>, it is logged and dropped.</summary>
    protected virtual ValueTask<ServerResult> HandleUnknownCastAsync(object message)
    {
        var why = message is Term term ? ExplainUnknown(term) : null;
        if (UnknownMessages == UnknownMessages.Stop)
        {
            RuntimeLog.UnknownCast(Logger, this, Because(why), new Bounded(message));
            return new(ServerResult.Stop(new Etf.Tuple(BadCast, AsTerm(message))));
        }
        LogDropped("a cast no handler takes" + Because(why), message);
        return new(ServerResult.NoReply());
    }

    /// <summary>Generated servers send a message no [Info] method takes here. Default: log and drop, as gen_server
    /// does for an unexpected message; never a crash.</summary>
    protected virtual ValueTask<ServerResult> HandleUnknownAsync(object message)
    {
        var why = message is Term term ? ExplainUnknown(term) : null;
        LogDropped("an unexpected message" + Because(why), message);
        return new(ServerResult.NoReply());
    }

    private static Term AsTerm(object message) => message as Term ?? Binary.FromUtf8(message.ToString() ?? "");

    private static string Because(string? why) => why is null ? "" : $" ({why})";

    /// <summary>Default: log and drop, as gen_server does for an unexpected message; never a crash.</summary>
    protected virtual ValueTask<ServerResult> HandleInfoAsync(object message) => HandleUnknownAsync(message);

    protected virtual ValueTask<ServerResult> HandleContinueAsync(object argument) => new(ServerResult.NoReply());

    // Dropped messages are logged cut short, and at most a few a second: a peer may send them in a loop.
    private LogRate? _dropLog;

    private void LogDropped(string what, object message)
    {
        if (Logger.IsEnabled(LogLevel.Warning) && (_dropLog ??= new LogRate()).Allow(out var more))
            RuntimeLog.ServerDropped(Logger, this, what, new Bounded(message), more);
    }

    /// <summary>Called when the server stops or its callback crashes (not when it is killed, or exits untrapped).</summary>
    protected virtual ValueTask TerminateAsync(Term reason) => ValueTask.CompletedTask;

    /// <summary>For generated dispatch: a reply to a caller on another node written straight to the connection by
    /// the reply type's generated writer; false when it must go as a term (<see cref="CallResult.Reply"/>).</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    protected bool TryReplyNow<T>(From from, T value, TermWriter<T> write) => !ReplyHeld && from.TryReplyNow(Node, value, write);

    /// <summary>True while the running callback's reply must not go out yet (a state machine's postponed call).</summary>
    private protected virtual bool ReplyHeld => false;

    /// <summary>gen_server:reply/2, for a call answered later (<see cref="CallResult.NoReply"/>).</summary>
    protected void Reply(From from, object? reply) => from.Reply(Node, reply);

    internal void PrepareStart(Pid? parent, TaskCompletionSource<InitOutcome> started)
    {
        _parent = parent;
        _starting = started;
    }

    internal override void OnSpawned()
    {
        if (_starting is not null)
            Enqueue(new InitRequest(_starting));
    }

    // A server that fails inside init has not started: no terminate, and the starter learns the reason.
    internal override ValueTask OnTerminatingAsync(Term reason) => _starting is null ? TerminateAsync(reason) : ValueTask.CompletedTask;

    // The schedules end before a stopper or monitor hears that the server did: Node.Cron.Jobs no longer lists them then.
    internal override void OnDying()
    {
        if (_schedules is { } jobs)
        {
            foreach (var job in jobs)
                job.Cancel();
        }
    }

    internal override void OnDied(Term reason) => _starting?.TrySetResult(new InitOutcome(false, reason));

    // A cast is marked in the mailbox rather than wrapped; it takes its envelope only to wait in the local queue.
    internal sealed override ValueTask HandleMarkedAsync(object message) => DispatchCastAsync(message);

    internal sealed override object Unmark(object message) => new CastRequest(message);

    /// <summary>Behaviours built on GenServer (stages) answer their own protocol requests here before handle_call.</summary>
    private protected virtual ValueTask DispatchCallAsync(object request, From from) => Apply(HandleCallAsync(request, from), from);

    private protected virtual ValueTask DispatchCastAsync(object message) => Apply(HandleCastAsync(message));

    /// <summary>Generated servers take messages from other nodes as bytes and decode them straight into their handlers'
    /// types (<see cref="TryHandleRaw"/>); others get terms.</summary>
    /// <remarks>Protected, not protected internal: an override must repeat the modifiers, and generated code in an
    /// assembly that sees our internals would then not compile.</remarks>
    protected virtual bool AcceptsRawMessages => false;

    internal bool WantsRawMessages => AcceptsRawMessages;

    /// <summary>
    /// Generated dispatch for a message that arrived from another node as ETF: reads the tag and arity and decodes
    /// into the matching handler's type without building a term tree. False (the reader rewound) when no handler
    /// takes it; the message then goes the ordinary way, as a term.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    protected virtual bool TryHandleRaw(ref EtfReader reader, out ValueTask pending)
    {
        pending = default;
        return false;
    }

    /// <summary>For generated dispatch: what a handle_call returned, applied (reply, stop, continue).</summary>
    protected ValueTask CompleteCall(ValueTask<CallResult> result, From from) => Apply(result, from);

    /// <summary>For generated dispatch: what a handle_cast or handle_info returned, applied.</summary>
    protected ValueTask CompleteCast(ValueTask<ServerResult> result) => Apply(result);

    private ValueTask HandleRaw(RawMessage raw)
    {
        Term term;
        try
        {
            var reader = raw.Reader;
            if (TryHandleRaw(ref reader, out var pending))
                return pending;
            term = raw.DecodeTerm();
        }
        catch (EtfDecodeException e)
        {
            LogDropped("a malformed message from another node", e.Message);
            return ValueTask.CompletedTask;
        }
        finally
        {
            raw.Return();
        }
        return HandleAsync(term);
    }

    /// <summary>Runs after every callback returns, before its reply goes out (a stage sends the events it emitted).</summary>
    private protected virtual void AfterCallback() { }

    protected sealed override ValueTask HandleAsync(object message)
    {
        switch (message)
        {
            case CallRequest call:
                return DispatchCallAsync(call.Request, call.From);
            case CastRequest cast:
                return DispatchCastAsync(cast.Message);
            case Etf.Tuple { Arity: 3 } t when t[0] == GenCall && t[1] is Etf.Tuple { Arity: 2 } from && from[0] is Pid caller:
                return DispatchCallAsync(t[2], new From(caller, from[1]));
            case Etf.Tuple { Arity: 2 } t when t[0] == GenCast:
                return DispatchCastAsync(t[1]);
            case Etf.Tuple { Arity: 3 } t when t[0] == SystemTag && t[1] is Etf.Tuple { Arity: 2 } from && from[0] is Pid caller:
                HandleSystem(t[2], new From(caller, from[1]));
                return ValueTask.CompletedTask;
            case ExitMessage exit when _parent is not null && exit.From == _parent:
                // OTP: a trapping server whose parent exits stops with the parent's reason.
                Stop(exit.Reason);
                return ValueTask.CompletedTask;
            case InitRequest init:
                return Initialize(init);
            case StopRequest stop:
                Stop(stop.Reason);
                return ValueTask.CompletedTask;
            case RawMessage raw:
                return HandleRaw(raw);
            default:
                return HandleOtherAsync(message);
        }
    }

    /// <summary>
    /// OTP's system messages (<c>{system, From, Request}</c>, as sys.erl sends them): <c>{terminate, Reason}</c>
    /// (gen_server:stop and Elixir's GenServer.stop from another node) answers ok and stops the server, terminate
    /// callback included; <c>get_state</c> answers <see cref="SystemState"/>; anything else gets sys's own
    /// <c>{error, {unknown_system_msg, Request}}</c>.
    /// </summary>
    private void HandleSystem(Term request, From from)
    {
        switch (request)
        {
            case Etf.Tuple { Arity: 2 } t when t[0] == TerminateAtom:
                from.Reply(Node, Atom.Ok);
                Stop(t[1]);
                break;
            case Atom a when a == GetStateAtom:
                from.Reply(Node, SystemState);
                break;
            default:
                from.Reply(Node, new Etf.Tuple(Atom.Error, new Etf.Tuple(UnknownSystemMsg, request)));
                break;
        }
    }

    /// <summary>What sys:get_state/1 shows of this server: by default its .NET type's name.</summary>
    protected virtual Term SystemState => Atom.Of(GetType().FullName ?? GetType().Name);

    /// <summary>Everything that is not a call, cast or system request; behaviours built on GenServer (stages)
    /// take their own protocol messages here before the user's handle_info sees the rest.</summary>
    private protected virtual ValueTask HandleOtherAsync(object message) => Apply(HandleInfoAsync(message));

    private ValueTask Initialize(InitRequest init)
    {
        var pending = InitAsync();
        return pending.IsCompletedSuccessfully ? Started(pending.Result, init) : Slow(pending, init);

        async ValueTask Slow(ValueTask<InitResult> p, InitRequest i) => await Started(await p, i);
    }

    /// <summary>For generated code: the schedules of the server's [Cron] handlers, started once its init succeeds.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    protected virtual Scheduling.CronSpec[]? Schedules => null;

    private Scheduling.CronJob[]? _schedules;

    /// <summary>The [Cron] schedules: a bad expression or time zone fails the start, as a bad init would.</summary>
    private Term? StartSchedules()
    {
        if (Schedules is not { Length: > 0 } specs)
            return null;
        var jobs = new List<Scheduling.CronJob>();
        try
        {
            foreach (var spec in specs)
            {
                var zone = spec.TimeZone is null ? null : TimeZoneInfo.FindSystemTimeZoneById(spec.TimeZone);
                jobs.Add(Node.Cron.Schedule(Self, spec.Expression, null, new Scheduling.CronOptions { Name = spec.Job, TimeZone = zone, Missed = spec.Missed }));
            }
            _schedules = [.. jobs];
            return null;
        }
        catch (Exception e)
        {
            // A malformed expression or time zone (or any form Cronos cannot run): the start fails with the reason.
            foreach (var job in jobs)
                job.Cancel();
            return new Etf.Tuple(Atom.Of("bad_schedule"), Binary.FromUtf8(e.Message));
        }
    }

    private ValueTask Started(InitResult result, InitRequest init)
    {
        _starting = null;
        if (result.StopReason is null && PendingStopReason is null && !result.IsIgnore && StartSchedules() is { } bad)
            result = InitResult.Stop(bad);
        // A stop requested inside init (a stage whose producer is missing) is init's {stop, Reason}.
        if ((result.StopReason ?? PendingStopReason) is { } reason)
        {
            init.Started.TrySetResult(new InitOutcome(false, reason));
            Stop(reason);
            return ValueTask.CompletedTask;
        }
        if (result.IsIgnore)
        {
            init.Started.TrySetResult(new InitOutcome(true, null));
            Stop(ExitReason.Normal);
            return ValueTask.CompletedTask;
        }
        init.Started.TrySetResult(new InitOutcome(false, null));
        AfterCallback();
        return result.Continue is { } next ? Apply(HandleContinueAsync(next)) : ValueTask.CompletedTask;
    }

    private protected ValueTask Apply(ValueTask<CallResult> pending, From from)
    {
        if (!pending.IsCompletedSuccessfully)
            return Slow(pending, from);
        var result = pending.Result;
        AfterCallback();
        if (result.HasReply)
            from.Reply(Node, result.ReplyValue);
        if (result.StopReason is { } reason)
        {
            Stop(reason);
            return ValueTask.CompletedTask;
        }
        return result.Continue is { } next ? Apply(HandleContinueAsync(next)) : ValueTask.CompletedTask;

        async ValueTask Slow(ValueTask<CallResult> p, From f) => await Apply(new ValueTask<CallResult>(await p), f);
    }

    private protected ValueTask Apply(ValueTask<ServerResult> pending)
    {
        while (pending.IsCompletedSuccessfully)
        {
            var result = pending.Result;
            AfterCallback();
            if (result.StopReason is { } reason)
            {
                Stop(reason);
                return ValueTask.CompletedTask;
            }
            if (result.Continue is not { } next)
                return ValueTask.CompletedTask;
            // handle_continue runs before any other message: still inside this one.
            pending = HandleContinueAsync(next);
        }
        return Slow(pending);

        async ValueTask Slow(ValueTask<ServerResult> p) => await Apply(new ValueTask<ServerResult>(await p));
    }
}
