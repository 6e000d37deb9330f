using Ergo.Gen.Etf;
using Ergo.Gen.Processes;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// A pool of workers behind one process (Ergo's act.Pool): calls, casts and other messages sent to the pool, by
/// name or pid, from .NET or Erlang, go on to one of its workers, each in turn or the least loaded, and the worker
/// answers the caller itself. The pool links to its workers and starts a new one in the place of one that ends
/// (at most <see cref="Intensity"/> times in <see cref="PeriodSeconds"/>; beyond that the pool stops, as a
/// supervisor would), and can be resized while it runs (<see cref="Client.ResizeAsync"/>).
/// </summary>
public sealed class WorkerPool : GenServer
{
    private static readonly Term TooManyRestarts = new Etf.Tuple(Atom.Of("shutdown"), Atom.Of("reached_max_restart_intensity"));

    /// <summary>Asks a pool to grow or shrink to <paramref name="Size"/> workers.</summary>
    private sealed record Resize(int Size);

    /// <summary>Asks a pool for its workers' pids.</summary>
    private sealed record Workers;

    private readonly Func<GenServer> _factory;
    private readonly List<Process> _workers = [];
    private readonly Queue<long> _restarts = new();
    private int _size;
    private int _next;

    /// <param name="factory">Makes one worker (a [GenServer] or any GenServer); called again for each restart.</param>
    /// <param name="size">How many workers the pool starts with.</param>
    /// <param name="dispatch">Which worker gets the next message.</param>
    public WorkerPool(Func<GenServer> factory, int size, PoolDispatch dispatch = PoolDispatch.RoundRobin)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _factory = factory;
        _size = size;
        Dispatch = dispatch;
    }

    public PoolDispatch Dispatch { get; }

    /// <summary>Restarts allowed within <see cref="PeriodSeconds"/>; one more stops the pool.</summary>
    public int Intensity { get; init; } = 5;

    public int PeriodSeconds { get; init; } = 10;

    /// <summary>The pool's API for .NET callers: <c>WorkerPool.Client.For(node, pool).ResizeAsync(8)</c>.</summary>
    public readonly struct Client
    {
        private readonly Node _node;
        private readonly Pid _pool;

        private Client(Node node, Pid pool) => (_node, _pool) = (node, pool);

        public static Client For(Node node, Pid pool)
        {
            ArgumentNullException.ThrowIfNull(node);
            ArgumentNullException.ThrowIfNull(pool);
            return new(node, pool);
        }

        public Pid Pid => _pool;

        /// <summary>Grows or shrinks the pool to <paramref name="size"/> workers; the ones removed are stopped with shutdown.</summary>
        public async Task ResizeAsync(int size, CancellationToken cancellationToken = default)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
            await _node.CallAsync(_pool, new Resize(size), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The pool's workers now, in dispatch order.</summary>
        public async Task<Pid[]> WorkersAsync(CancellationToken cancellationToken = default) =>
            (Pid[])(await _node.CallAsync(_pool, new Workers(), cancellationToken: cancellationToken).ConfigureAwait(false))!;
    }

    protected override async ValueTask<InitResult> InitAsync()
    {
        TrapExit = true;
        try
        {
            for (var i = 0; i < _size; i++)
                _workers.Add(await StartWorkerAsync().ConfigureAwait(false));
        }
        catch (ExitException e)
        {
            return InitResult.Stop(e.Reason);
        }
        return InitResult.Ok();
    }

    private async Task<Process> StartWorkerAsync()
    {
        var pid = await Node.StartServerAsync(_factory(), linkTo: Self).ConfigureAwait(false)
            ?? throw new ExitException(Atom.Of("ignore"), "a pool worker's init returned ignore");
        return Node.Lookup(pid) ?? throw new ExitException(ExitReason.NoProc, "a pool worker ended as it started");
    }

    private Process Pick()
    {
        if (Dispatch == PoolDispatch.LeastLoaded)
        {
            var best = _workers[0];
            foreach (var w in _workers)
            {
                if (w.Load < best.Load)
                    best = w;
            }
            return best;
        }
        var worker = _workers[_next % _workers.Count];
        _next = (_next + 1) % _workers.Count;
        return worker;
    }

    protected override async ValueTask<CallResult> HandleCallAsync(object request, From from)
    {
        switch (request)
        {
            case Resize resize:
                try
                {
                    await ResizeToAsync(resize.Size).ConfigureAwait(false);
                    return CallResult.Reply(Atom.Ok);
                }
                catch (ExitException e)
                {
                    // A worker that does not start leaves the pool as large as it got, and says why.
                    return CallResult.Reply(new Etf.Tuple(Atom.Error, e.Reason));
                }
            case Workers:
                return CallResult.Reply(_workers.Select(w => w.Self).ToArray());
            default:
                // The worker answers the caller (who watches it from now on, if it is on this node); the pool is done.
                var worker = Pick();
                from.HandOver(worker);
                worker.Enqueue(new CallRequest(from, request));
                return CallResult.NoReply();
        }
    }

    protected override ValueTask<ServerResult> HandleCastAsync(object message)
    {
        Pick().EnqueueMarked(message);
        return new(ServerResult.NoReply());
    }

    protected override async ValueTask<ServerResult> HandleInfoAsync(object message)
    {
        if (message is not ExitMessage exit)
        {
            Pick().Enqueue(message);
            return ServerResult.NoReply();
        }
        var slot = _workers.FindIndex(w => w.Self == exit.From);
        if (slot < 0)
            return ServerResult.NoReply(); // a worker removed by a resize, or not ours
        var now = Environment.TickCount64;
        _restarts.Enqueue(now);
        while (_restarts.Count > 0 && now - _restarts.Peek() > PeriodSeconds * 1000L)
            _restarts.Dequeue();
        if (_restarts.Count > Intensity)
        {
            Observability.RuntimeLog.PoolGivesUp(Logger, Self, _restarts.Count, PeriodSeconds);
            return ServerResult.Stop(TooManyRestarts);
        }
        try
        {
            _workers[slot] = await StartWorkerAsync().ConfigureAwait(false);
        }
        catch (ExitException e)
        {
            return ServerResult.Stop(e.Reason);
        }
        return ServerResult.NoReply();
    }

    private async Task ResizeToAsync(int size)
    {
        _size = size;
        while (_workers.Count < size)
            _workers.Add(await StartWorkerAsync().ConfigureAwait(false));
        while (_workers.Count > size)
        {
            var last = _workers[^1];
            _workers.RemoveAt(_workers.Count - 1);
            await StopWorkerAsync(last).ConfigureAwait(false);
        }
        _next %= _workers.Count;
    }

    // As a supervisor's shutdown of a worker: 5 seconds to terminate, then killed.
    private async Task StopWorkerAsync(Process worker)
    {
        try
        {
            await Node.StopServerAsync(worker.Self, ExitReason.Shutdown, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (ExitException e) when (e.IsTimeout)
        {
            Node.Exit(worker.Self, ExitReason.Kill);
        }
        catch (ExitException)
        {
            // It ended on its own meanwhile.
        }
    }

    protected override async ValueTask TerminateAsync(Term reason)
    {
        foreach (var w in _workers)
        {
            if (Node.IsAlive(w.Self))
                await StopWorkerAsync(w).ConfigureAwait(false);
        }
    }
}
