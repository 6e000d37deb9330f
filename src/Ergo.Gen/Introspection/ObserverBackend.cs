using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Introspection;

/// <summary>
/// What Erlang's observer and etop call on a node they attach to (runtime_tools' observer_backend, and the BIFs they
/// use through rpc), answered with this node's own data: system info, the process list in etop's records, process
/// details, applications. Tables, ports and sockets are empty: a .NET node has none of Erlang's kind.
/// </summary>
internal static class ObserverBackend
{
    private static readonly Atom Module = Atom.Of("observer_backend");
    private static readonly string[] Exported = ["vsn", "sys_info", "procs_info", "etop_collect", "get_port_list", "get_table_list", "socket_info", "get_socket_list"];

    public static void Register(Node node)
    {
        node.RegisterRpc("observer_backend", "vsn", _ => new Etf.Tuple(Atom.Ok, List.FromString("1.19")));
        node.RegisterRpc("observer_backend", "sys_info", _ => SysInfo(node));
        node.RegisterRpc("observer_backend", "get_port_list", _ => List.Nil);
        node.RegisterRpc("observer_backend", "get_table_list", _ => List.Nil);
        node.RegisterRpc("observer_backend", "socket_info", _ => List.Nil);
        node.RegisterRpc("observer_backend", "get_socket_list", _ => List.Nil);
        node.RegisterSpawnable("observer_backend", "procs_info", args => new OneShot(self => node.Send(self, (Pid)args[0], new Etf.Tuple(Atom.Of("procs_info"), self, ProcInfoList(node)))));
        node.RegisterSpawnable("observer_backend", "etop_collect", args => new OneShot(self => node.Send(self, (Pid)args[0], new Etf.Tuple(self, EtopInfo(node)))));

        node.RegisterRpc("code", "ensure_loaded", args => args.Length == 1 && args[0] == Module
            ? new Etf.Tuple(Atom.Of("module"), Module) : new Etf.Tuple(Atom.Error, Atom.Of("nofile")));
        node.RegisterRpc("erlang", "function_exported", args =>
            args.Length == 3 && args[0] == Module && args[1] is Atom f && Exported.Contains(f.Name) ? Atom.True : Atom.False);
        node.RegisterRpc("erlang", "process_info", args => ProcessInfo(node, args));
        node.RegisterRpc("erlang", "node", _ => node.Name);
        node.RegisterRpc("erlang", "nodes", _ => node.Nodes() is { Length: > 0 } nodes ? new List(nodes.Select(n => (Term)n).ToArray()) : List.Nil);
        node.RegisterRpc("erlang", "processes", _ => new List(node.GetProcesses().Select(p => (Term)p.Pid).ToArray()));
        node.RegisterRpc("erlang", "registered", _ => new List(node.RegisteredNames().Select(n => (Term)n).ToArray()));
        node.RegisterRpc("erlang", "memory", args => args.Length == 1 && args[0] is Atom kind
            ? Memory(node).FirstOrDefault(m => m.Key == kind.Name) is { Key: not null } found ? Integer.Of(found.Value) : throw new ExitException(Atom.Of("badarg"))
            : Proplist(Memory(node).Select(m => (m.Key, (Term)Integer.Of(m.Value)))));
        node.RegisterRpc("erlang", "system_info", args => args.Length == 1 ? SystemInfo(node, args[0]) : throw new ExitException(Atom.Of("badarg")));
        node.RegisterRpc("application", "which_applications", _ => new List(node.WhichApplications()
            .Select(a => (Term)new Etf.Tuple(Atom.Of(a.Name), List.FromString(a.Description), List.FromString(a.Version))).ToArray()));
    }

    private static Term SysInfo(Node node)
    {
        var info = node.GetInfo();
        var io = info.Peers.Aggregate((In: 0L, Out: 0L), (sum, p) => (sum.In + p.BytesReceived, sum.Out + p.BytesSent));
        var cores = Environment.ProcessorCount;
        var items = new List<(string, Term)>
        {
            ("uptime", Integer.Of((long)info.Uptime.TotalMilliseconds)),
            ("run_queue", Integer.Of(ThreadPool.PendingWorkItemCount)),
            ("io_input", Integer.Of(io.In)),
            ("io_output", Integer.Of(io.Out)),
            ("logical_processors", Integer.Of(cores)),
            ("logical_processors_online", Integer.Of(cores)),
            ("logical_processors_available", Integer.Of(cores)),
            ("schedulers", Integer.Of(cores)),
            ("schedulers_online", Integer.Of(cores)),
            ("schedulers_available", Integer.Of(cores)),
            ("otp_release", List.FromString("Ergo.Gen")),
            ("version", List.FromString(Environment.Version.ToString())),
            ("system_architecture", List.FromString($"{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}-{System.Runtime.InteropServices.RuntimeInformation.OSDescription}")),
            ("kernel_poll", Atom.True),
            ("smp_support", Atom.True),
            ("threads", Atom.True),
            ("thread_pool_size", Integer.Of(ThreadPool.ThreadCount)),
            ("wordsize_internal", Integer.Of(IntPtr.Size)),
            ("wordsize_external", Integer.Of(IntPtr.Size)),
            ("alloc_info", List.Nil),
            ("process_count", Integer.Of(info.ProcessCount)),
            ("atom_limit", Integer.Of(1_048_576)),
            ("atom_count", Integer.Of(info.AtomCount)),
            ("process_limit", Integer.Of((1 << 28) - 1)),
            ("port_limit", Integer.Of(0)),
            ("port_count", Integer.Of(0)),
            ("ets_limit", Integer.Of(0)),
            ("ets_count", Integer.Of(0)),
            ("dist_buf_busy_limit", Integer.Of(1024 * 1024)),
        };
        items.AddRange(Memory(node).Select(m => (m.Key, (Term)Integer.Of(m.Value))));
        return Proplist(items);
    }

    private static IEnumerable<KeyValuePair<string, long>> Memory(Node node)
    {
        var processes = node.GetProcesses().Sum(p => p.MemoryBytes);
        var total = GC.GetTotalMemory(false);
        yield return new("total", total);
        yield return new("processes", processes);
        yield return new("processes_used", processes);
        yield return new("system", Math.Max(0, total - processes));
        yield return new("atom", 0);
        yield return new("atom_used", 0);
        yield return new("binary", 0);
        yield return new("code", 0);
        yield return new("ets", 0);
    }

    private static Term SystemInfo(Node node, Term what) => what switch
    {
        Atom { Name: "wordsize" } => Integer.Of(IntPtr.Size),
        Etf.Tuple { Arity: 2 } t when t[0] == Atom.Of("wordsize") => Integer.Of(IntPtr.Size),
        Atom { Name: "process_count" } => Integer.Of(node.ProcessCount),
        Atom { Name: "process_limit" } => Integer.Of((1 << 28) - 1),
        Atom { Name: "atom_count" } => Integer.Of(Atom.Count),
        Atom { Name: "otp_release" } => List.FromString("Ergo.Gen"),
        Atom { Name: "schedulers" or "schedulers_online" or "logical_processors" } => Integer.Of(Environment.ProcessorCount),
        _ => throw new ExitException(Atom.Of("badarg")),
    };

    // erlang:process_info/1,2 for this node's processes: undefined for a dead one, as in Erlang.
    private static Term ProcessInfo(Node node, Term[] args)
    {
        if (args.Length is < 1 or > 2 || args[0] is not Pid pid)
            throw new ExitException(Atom.Of("badarg"));
        if (node.GetProcessInfo(pid) is not { } p)
            return Atom.Undefined;
        if (args.Length == 1)
            return Proplist(DefaultItems.Select(i => (i, Item(p, i))));
        if (args[1] is Atom single)
            return new Etf.Tuple(single, Item(p, single.Name));
        if (args[1] is List items)
            return new List(items.Elements.Select(i => i is Atom a ? (Term)new Etf.Tuple(a, Item(p, a.Name)) : throw new ExitException(Atom.Of("badarg"))).ToArray());
        throw new ExitException(Atom.Of("badarg"));
    }

    private static readonly string[] DefaultItems = ["registered_name", "current_function", "initial_call", "status", "message_queue_len", "links", "dictionary", "trap_exit", "priority", "reductions", "memory"];

    private static Term Item(ProcessInfo p, string item) => item switch
    {
        "registered_name" => p.RegisteredName ?? (Term)List.Nil,
        "initial_call" => new Etf.Tuple(TypeAtom(p), Atom.Of("init"), Integer.Of(1)),
        "current_function" => new Etf.Tuple(Atom.Of(p.Behaviour), Atom.Of("loop"), Integer.Of(1)),
        "status" => Atom.Of(p.MessageQueueLength > 0 ? "runnable" : "waiting"),
        "message_queue_len" => Integer.Of(p.MessageQueueLength),
        "messages" => List.Nil,
        "links" => new List(p.Links.Select(l => (Term)l).ToArray()),
        "monitors" => List.Nil,
        "monitored_by" => List.Nil,
        "dictionary" => new List(new Etf.Tuple(Atom.Of("$ergo_type"), Binary.FromUtf8(p.Type))),
        "trap_exit" => p.TrapExit ? Atom.True : Atom.False,
        "priority" => Atom.Of("normal"),
        "reductions" => Integer.Of(p.Reductions),
        "memory" or "total_heap_size" or "heap_size" => Integer.Of(item == "memory" ? p.MemoryBytes : p.MemoryBytes / IntPtr.Size),
        "stack_size" => Integer.Of(0),
        "garbage_collection" or "current_stacktrace" => List.Nil,
        "group_leader" => p.Pid,
        _ => Atom.Undefined,
    };

    private static Term ProcInfoList(Node node) => new List(node.GetProcesses().Select(p => (Term)new Etf.Tuple(
        Atom.Of("etop_proc_info"), p.Pid, Integer.Of(p.MemoryBytes), Integer.Of(p.Reductions),
        p.RegisteredName ?? (Term)new Etf.Tuple(TypeAtom(p), Atom.Of("init"), Integer.Of(1)),
        Integer.Of(0), new Etf.Tuple(Atom.Of(p.Behaviour), Atom.Of("loop"), Integer.Of(1)), Integer.Of(p.MessageQueueLength))).ToArray());

    private static Term EtopInfo(Node node)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        var memi = Proplist(Memory(node).Where(m => m.Key is "total" or "processes" or "ets" or "atom" or "code" or "binary").Select(m => (m.Key, (Term)Integer.Of(m.Value))));
        var procs = (List)ProcInfoList(node);
        return new Etf.Tuple(Atom.Of("etop_info"),
            new Etf.Tuple(Integer.Of(now / 1_000_000_000_000), Integer.Of(now / 1_000_000 % 1_000_000), Integer.Of(now % 1_000_000)),
            Integer.Of(procs.Count), Atom.Undefined, Atom.Undefined, Integer.Of(ThreadPool.PendingWorkItemCount), List.Nil, memi, procs);
    }

    private static Atom TypeAtom(ProcessInfo p) => Atom.Of(p.Type.Length <= 255 ? p.Type : p.Type[..255]);

    private static List Proplist(IEnumerable<(string Key, Term Value)> items) =>
        new(items.Select(i => (Term)new Etf.Tuple(Atom.Of(i.Key), i.Value)).ToArray());

    /// <summary>A process that does one thing when it starts (observer's collectors), then ends normally.</summary>
    private sealed class OneShot(Action<Pid> work) : Process
    {
        private static readonly object Go = new();

        internal override void OnSpawned() => Enqueue(Go);

        protected override ValueTask HandleAsync(object message)
        {
            if (ReferenceEquals(message, Go))
            {
                work(Self);
                Stop(ExitReason.Normal);
            }
            return ValueTask.CompletedTask;
        }
    }
}
