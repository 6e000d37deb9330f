using System.Text;
using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Groups;
using Ergo.Gen.Processes;
using Ergo.Gen.PubSub;

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
    private static readonly Atom PgMembers = Atom.Of("pg_members"), DemoGroup = Atom.Of("demo_group");
    private static readonly Atom PubSubSubscribe = Atom.Of("pubsub_subscribe"), PubSubBroadcast = Atom.Of("pubsub_broadcast");

    // Echo is a member of demo_group in the default pg scope while it runs (the demo starts the scope first).
    protected override async ValueTask<InitResult> InitAsync()
    {
        if (ProcessGroups.Find(Node, ProcessGroups.DefaultScope) is { } groups)
            await groups.JoinAsync(DemoGroup, Self);
        return InitResult.Ok();
    }

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
            // {pg_members, Group}: the members of Group in the default pg scope, as this node sees them.
            case Etf.Tuple { Arity: 2 } t when t[0] == PgMembers:
                return CallResult.Reply(ProcessGroups.Find(Node, ProcessGroups.DefaultScope)?.GetMembers(t[1]) is { Length: > 0 } members
                    ? new List([.. members]) : List.Nil);
            // {pubsub_subscribe, PubSub, Topic, Notify}: Notify gets {pubsub, Topic, Message} for each broadcast on Topic.
            case Etf.Tuple { Arity: 4 } t when t[0] == PubSubSubscribe && t[1] is Atom name && t[2] is Binary topic && t[3] is Pid notify:
                var pubsub = PhoenixPubSub.Find(Node, name.Name) ?? await PhoenixPubSub.StartAsync(Node, name.Name);
                var forwarder = Node.Spawn(new PubSubForwarder(topic, notify));
                Node.Send(forwarder, PubSubForwarder.Start);
                pubsub.Subscribe(forwarder, Encoding.UTF8.GetString(topic.Span));
                return CallResult.Reply(Atom.Ok);
            // {pubsub_broadcast, PubSub, Topic, Message}: Message to every subscriber of Topic on every node.
            case Etf.Tuple { Arity: 4 } t when t[0] == PubSubBroadcast && t[1] is Atom name && t[2] is Binary topic:
                (PhoenixPubSub.Find(Node, name.Name) ?? await PhoenixPubSub.StartAsync(Node, name.Name)).Broadcast(Encoding.UTF8.GetString(topic.Span), t[3]);
                return CallResult.Reply(Atom.Ok);
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

/// <summary>A PubSub subscriber on behalf of a process elsewhere: what it receives goes on as {pubsub, Topic, Message},
/// until that process ends.</summary>
internal sealed class PubSubForwarder(Binary topic, Pid notify) : Process
{
    private static readonly Atom PubSubTag = Atom.Of("pubsub");

    /// <summary>Sent once after spawning: the forwarder then watches the process it forwards to.</summary>
    public static readonly object Start = new();

    protected override ValueTask HandleAsync(object message)
    {
        switch (message)
        {
            case var start when ReferenceEquals(start, Start):
                Monitor(notify);
                break;
            case DownMessage:
                Stop(ExitReason.Normal);
                break;
            case Term term:
                Send(notify, new Etf.Tuple(PubSubTag, topic, term));
                break;
        }
        return ValueTask.CompletedTask;
    }
}
