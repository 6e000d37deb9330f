using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Demo;

/// <summary>
/// The registered <c>echo</c> server: replies to any call with the request, and offers calls that make .NET do
/// cluster work (calls, RPC, monitors, links) so Erlang users can watch it happen.
/// </summary>
public sealed class Echo : GenServer
{
    private static readonly Atom SendTag = Atom.Of("send"), CallTag = Atom.Of("call"), RpcTag = Atom.Of("rpc");
    private static readonly Atom MonitorAtom = Atom.Of("monitor"), LinkNotify = Atom.Of("link_notify");
    private static readonly Atom EchoAtom = Atom.Of("echo"), Down = Atom.Of("down"), ExitAtom = Atom.Of("exit");
    private static readonly Atom StageTakeTag = Atom.Of("stage_take");

    protected override async ValueTask<CallResult> HandleCallAsync(object request, From from)
    {
        switch (request)
        {
            // {call, Dest, Req, TimeoutMs}: a GenServer call from .NET to Dest ({Name, Node} or pid).
            case Etf.Tuple { Arity: 4 } t when t[0] == CallTag && t[3] is Integer timeout:
                try
                {
                    var reply = t[1] switch
                    {
                        Pid pid => await CallAsync(pid, t[2], TimeSpan.FromMilliseconds(timeout.Value)),
                        Etf.Tuple { Arity: 2 } dest when dest[0] is Atom name && dest[1] is Atom node =>
                            await Node.CallAsync(name, node, t[2], TimeSpan.FromMilliseconds(timeout.Value)),
                        _ => throw new ExitException(Atom.Of("badarg")),
                    };
                    return CallResult.Reply(new Etf.Tuple(Atom.Ok, (Term)reply!));
                }
                catch (ExitException e)
                {
                    return CallResult.Reply(new Etf.Tuple(Atom.Error, e.Reason));
                }
            // {rpc, Node, M, F, Args}: an RPC from .NET.
            case Etf.Tuple { Arity: 5 } t when t[0] == RpcTag && t[1] is Atom node && t[2] is Atom m && t[3] is Atom f && t[4] is List args:
                try
                {
                    return CallResult.Reply(new Etf.Tuple(Atom.Ok, await Node.RpcAsync(node, m, f, args.Elements)));
                }
                catch (ExitException e)
                {
                    return CallResult.Reply(new Etf.Tuple(Atom.Error, e.Reason));
                }
            // {monitor, Pid, Notify}: a .NET process monitors Pid and tells Notify {down, Pid, Reason}.
            case Etf.Tuple { Arity: 3 } t when t[0] == MonitorAtom && t[1] is Pid target && t[2] is Pid notify:
                await Watch(target, notify, link: false);
                return CallResult.Reply(Atom.Ok);
            // {link_notify, Pid, Notify}: a trapping .NET process links to Pid and tells Notify {exit, Pid, Reason}.
            case Etf.Tuple { Arity: 3 } t when t[0] == LinkNotify && t[1] is Pid target && t[2] is Pid notify:
                await Watch(target, notify, link: true);
                return CallResult.Reply(Atom.Ok);
            // {stage_take, Producer, N}: a .NET consumer takes N events from Producer (pid or {Name, Node}); it answers.
            case Etf.Tuple { Arity: 3 } t when t[0] == StageTakeTag && t[2] is Integer { IsSmall: true } n && n.Value > 0
                                               && StageAddress.FromTerm(t[1]) is { } producer:
                try
                {
                    await Node.StartServerAsync(new StageTake(producer, (int)Math.Min(n.Value, 1_000_000), from));
                    return CallResult.NoReply();
                }
                catch (ExitException e)
                {
                    return CallResult.Reply(new Etf.Tuple(Atom.Error, e.Reason));
                }
            default:
                return CallResult.Reply(request as Term ?? Atom.Undefined);
        }
    }

    private Task Watch(Pid target, Pid notify, bool link)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = Node.Spawn((ctx, message) =>
        {
            switch (message)
            {
                case Atom:
                    if (link)
                    {
                        ctx.TrapExit = true;
                        ctx.Link(target);
                    }
                    else
                    {
                        ctx.Monitor(target);
                    }
                    ready.SetResult();
                    break;
                case DownMessage d:
                    ctx.Send(notify, new Etf.Tuple(Down, d.Object, d.Reason));
                    ctx.Stop(ExitReason.Normal);
                    break;
                case ExitMessage e:
                    ctx.Send(notify, new Etf.Tuple(ExitAtom, e.From, e.Reason));
                    ctx.Stop(ExitReason.Normal);
                    break;
            }
            return ValueTask.CompletedTask;
        });
        Node.Send(watcher, Atom.Ok);
        return ready.Task;
    }

    protected override ValueTask<ServerResult> HandleCastAsync(object message)
    {
        // {send, Pid, T}: sends T to Pid.
        if (message is Etf.Tuple { Arity: 3 } t && t[0] == SendTag && t[1] is Pid to)
            Node.Send(to, t[2]);
        return new(ServerResult.NoReply());
    }

    protected override ValueTask<ServerResult> HandleInfoAsync(object message)
    {
        // {Pid, T}: answers {echo, T}.
        if (message is Etf.Tuple { Arity: 2 } t && t[0] is Pid from)
            Node.Send(from, new Etf.Tuple(EchoAtom, t[1]));
        return new(ServerResult.NoReply());
    }
}
