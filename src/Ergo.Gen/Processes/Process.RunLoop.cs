using Ergo.Gen.Etf;

namespace Ergo.Gen.Processes;

// The run loop: one message at a time on a scheduler thread, awaits, signals ahead of messages, and the end.
public abstract partial class Process
{
    /// <summary>Handles up to a budget of messages; the scheduler calls it on a worker thread.</summary>
    internal void Run()
    {
        if (Volatile.Read(ref _state) == Dead)
            return;
        var budget = Scheduler.Budget;
        var outer = t_running;
        t_running = this;
        try
        {
            if (_continuation is { } continuation && !RunContinuation(continuation))
                return;
            RunMessages(budget);
        }
        finally
        {
            t_running = outer;
        }
    }

    /// <summary>Resumes the awaiting handler here; true if it finished, so messages can be handled next.</summary>
    private bool RunContinuation(Action<object?> continuation)
    {
        var state = _continuationState;
        _continuation = null;
        _continuationState = null;
        _resumedInline = false;
        // A kill may have ended the process while it waited; its handler must not run on.
        if (Interlocked.Exchange(ref _suspended, 0) == 0 && !IsAlive)
            return false;
        continuation(state);
        if (!_resumedInline)
        {
            Volatile.Write(ref _suspended, 1);
            return false;
        }
        _resumedInline = false;
        return StopIfRequested();
    }

    /// <summary>Called by a pending call when its reply (or failure) arrives for this awaiting process.</summary>
    internal void ContinueWith(Action<object?> continuation, object? state)
    {
        if (!IsAlive)
            return;
        _continuationState = state;
        _continuation = continuation;
        // Still Scheduled while it awaits, so nobody else schedules it: this is its wake-up.
        Scheduler.Schedule(this);
    }

    private void RunMessages(int budget)
    {
        while (true)
        {
            if (Volatile.Read(ref _signalsPending) != 0 && !DrainSignals())
                return;

            object message;
            var isMarked = false;
            if (_local.Count > 0)
                _local.TryDequeue(out message);
            else if (!_mailbox.TryDequeue(out message, out isMarked))
            {
                // Never from Dead back to Idle: a kill may have ended the process from another thread.
                if (Interlocked.CompareExchange(ref _state, Idle, Scheduled) != Scheduled)
                    return;
                // A sender may have enqueued after our last look but before we went idle; if so, take the work back.
                if ((_mailbox.HasPending || Volatile.Read(ref _signalsPending) != 0)
                    && Interlocked.CompareExchange(ref _state, Scheduled, Idle) == Idle)
                    continue;
                return;
            }

            if (message is SystemSignal signal)
            {
                if (!HandleSignal(signal))
                    return;
                continue;
            }
            if (_mailboxLimit is { Overflow: MailboxOverflow.DropOld } dropOld && _mailbox.Count >= dropOld.Capacity)
            {
                Dropped(dropOld, message);
                continue;
            }
            if (message is DownMessage down)
                _monitoring?.Remove(down.Ref);

            if (!Dispatch(message, isMarked))
                return;
            if (--budget == 0)
            {
                Scheduler.Yield(this);
                return;
            }
        }
    }

    /// <summary>Runs the handler; false when the process is no longer running on this thread (awaiting, or ended).</summary>
    private bool Dispatch(object message, bool isMarked)
    {
        _handled++;
        System.Diagnostics.Activity? span = null;
        if (message is Observability.TracedMessage traced)
        {
            // A call from another Ergo.Gen node: handled inside a span that continues the caller's trace.
            span = Observability.ErgoTelemetry.StartHandling(traced.TraceParent, this);
            message = traced.Message;
        }
        try
        {
            var pending = isMarked ? HandleMarkedAsync(message) : HandleAsync(message);
            if (span is not null)
                pending = Observability.ErgoTelemetry.EndWhenDone(pending, span);
            if (!pending.IsCompletedSuccessfully)
            {
                if (pending.IsCompleted)
                {
                    pending.GetAwaiter().GetResult();
                }
                else
                {
                    _awaiting = pending;
                    Volatile.Write(ref _suspended, 1);
                    pending.GetAwaiter().UnsafeOnCompleted(_resume ??= Resume);
                    return false;
                }
            }
        }
        catch (Exception e)
        {
            Crash(e);
            return false;
        }
        return StopIfRequested();
    }

    /// <summary>The awaited handler finished; on this process's own run (a resumed call) the loop just goes on.</summary>
    private void Resume()
    {
        Volatile.Write(ref _suspended, 0);
        var pending = _awaiting;
        _awaiting = default;
        try
        {
            pending.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            // Killed while it waited: how the handler ended is no one's business now (most often the ExitException
            // of its first operation after the kill).
            if (IsAlive)
                Crash(e);
            return;
        }
        if (!IsAlive)
            return;
        if (ReferenceEquals(t_running, this))
        {
            _resumedInline = true;
            return;
        }
        if (StopIfRequested())
            Scheduler.Yield(this);
    }

    private bool StopIfRequested()
    {
        if (_stopReason is null)
            return true;
        var reason = _stopReason;
        _stopReason = null;
        Terminate(reason);
        return false;
    }

    /// <summary>Moves everything queued so far behind the signals, acting on the signals now. False if the process ended.</summary>
    private bool DrainSignals()
    {
        Volatile.Write(ref _signalsPending, 0);
        while (_mailbox.TryDequeue(out var item, out var isMarked))
        {
            if (item is SystemSignal signal)
            {
                if (!HandleSignal(signal))
                    return false;
            }
            else
            {
                MoveToLocal(item, isMarked);
            }
        }
        return true;
    }

    /// <summary>Behind signals, messages wait in the local queue; a marked one keeps its meaning by taking its envelope there.</summary>
    private void MoveToLocal(object item, bool isMarked) => _local.Enqueue(isMarked ? Unmark(item) : item);

    /// <summary>Erlang's rules for an arriving exit signal. False if it ended the process.</summary>
    private bool HandleSignal(SystemSignal signal)
    {
        if (signal is not ExitSignal exit)
            return true;
        if (exit.ViaLink)
        {
            lock (_gate)
            {
                // Unlinked since the signal was sent: the link no longer has any effect.
                if (_links is null || !_links.Remove(exit.From))
                    return true;
            }
        }
        if (!exit.ViaLink && exit.Reason == ExitReason.Kill)
        {
            Die(ExitReason.Killed);
            return false;
        }
        if (TrapExit)
        {
            _local.Enqueue(new ExitMessage(exit.From, exit.Reason));
            return true;
        }
        if (exit.Reason == ExitReason.Normal && exit.From != _pid)
            return true;
        Die(exit.Reason);
        return false;
    }

    private void Crash(Exception e)
    {
        var reason = ExitReason.FromException(e);
        if (e is not ExitException)
            Observability.RuntimeLog.Crashed(Logger, e, _pid, RegisteredName, new Observability.Bounded(reason));
        Terminate(reason);
    }

    /// <summary>
    /// Ends the process from its own thread: the last words of the behaviour, then the exit itself. Last words
    /// that await do so without holding a thread, and a kill meanwhile cuts them short (as a supervisor's
    /// shutdown timeout does to a slow terminate).
    /// </summary>
    private void Terminate(Term reason)
    {
        ValueTask last;
        try
        {
            last = OnTerminatingAsync(reason);
        }
        catch (Exception e)
        {
            Observability.RuntimeLog.TerminateFailed(Logger, e, _pid);
            Die(reason);
            return;
        }
        if (last.IsCompleted)
        {
            Finish(last, reason);
            return;
        }
        Volatile.Write(ref _suspended, 1);
        last.GetAwaiter().UnsafeOnCompleted(() =>
        {
            Volatile.Write(ref _suspended, 0);
            Finish(last, reason);
        });
    }

    private void Finish(ValueTask last, Term reason)
    {
        try
        {
            last.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            Observability.RuntimeLog.TerminateFailed(Logger, e, _pid);
        }
        Die(reason);
    }
}
