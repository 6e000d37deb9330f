using System.Threading.Channels;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Testing;

/// <summary>
/// A test's hands inside the node: a real process whose messages the test can await, and which performs
/// process operations (link, monitor, trap_exit, ...) on its own thread when asked.
/// </summary>
internal sealed class Probe
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>();

    private sealed record Do(Action<ProcessContext> Action, TaskCompletionSource Done);

    public Probe(Node node)
    {
        Node = node;
        Pid = node.Spawn((ctx, message) =>
        {
            Context ??= ctx;
            if (message is Do d)
            {
                try
                {
                    d.Action(ctx);
                    d.Done.SetResult();
                }
                catch (Exception e)
                {
                    d.Done.SetException(e);
                }
            }
            else
            {
                _inbox.Writer.TryWrite(message);
            }
            return ValueTask.CompletedTask;
        });
    }

    public Node Node { get; }

    public Pid Pid { get; }

    public ProcessContext? Context { get; private set; }

    /// <summary>Runs <paramref name="action"/> inside the probe process and waits for it.</summary>
    public async Task RunAsync(Action<ProcessContext> action)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Node.Send(Pid, new Do(action, done));
        await done.Task.WaitAsync(Wait);
    }

    public async Task<T> RunAsync<T>(Func<ProcessContext, T> action)
    {
        T result = default!;
        await RunAsync(ctx => { result = action(ctx); });
        return result;
    }

    public async Task<object> ReceiveAsync() => await _inbox.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    public async Task<T> ReceiveAsync<T>() => Assert.IsType<T>(await ReceiveAsync());

    /// <summary>Asserts nothing arrives within <paramref name="within"/>.</summary>
    public async Task NothingAsync(TimeSpan? within = null)
    {
        await Task.Delay(within ?? TimeSpan.FromMilliseconds(100));
        Assert.False(_inbox.Reader.TryRead(out var unexpected), $"unexpected message {unexpected}");
    }
}

/// <summary>Helpers to wait for a process to end.</summary>
internal static class NodeTestExtensions
{
    public static async Task<Term> ExitOfAsync(this Node node, Pid pid)
    {
        var exited = new TaskCompletionSource<Term>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnExit(Pid p, Term reason)
        {
            if (p == pid)
                exited.TrySetResult(reason);
        }
        node.ProcessExited += OnExit;
        try
        {
            if (!node.IsAlive(pid))
                return Atom.Of("already_dead");
            return await exited.Task.WaitAsync(Probe.Wait);
        }
        finally
        {
            node.ProcessExited -= OnExit;
        }
    }

    /// <summary>A process that ends with Reason on <c>{die, Reason}</c>, and throws on "throw".</summary>
    public static Pid SpawnVictim(this Node node) => node.Spawn((ctx, m) =>
    {
        if (m is Etf.Tuple { Arity: 2 } t && t[0] == Atom.Of("die"))
            ctx.Stop(t[1]);
        else if (m is string s && s == "throw")
            throw new InvalidOperationException("boom");
        return ValueTask.CompletedTask;
    });

    public static void Kill(this Node node, Pid pid, Term reason) => node.Send(pid, new Etf.Tuple(Atom.Of("die"), reason));
}

/// <summary>Waiting for a condition, not for an amount of time.</summary>
internal static class Eventually
{
    /// <summary>Polls until <paramref name="done"/> holds or <see cref="Probe.Wait"/> is over; the caller's assertion
    /// after it says what went wrong.</summary>
    public static async Task Until(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow + Probe.Wait;
        while (!await done() && DateTime.UtcNow < deadline)
            await Task.Delay(20);
    }
}
