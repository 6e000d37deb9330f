%% What the cluster suite's driver (cluster_driver.erl) calls on every member of a cluster through rpc. An
%% Ergo.Gen member answers the same calls with functions it registers (ClusterNode.cs), so the driver measures
%% both kinds of node in one way. Every call returns at once; what it starts reports to the driver's process.
-module(cluster_bench).
-export([kind/0, compiled/0, nodes/0, mesh/3, disconnect/0, settle/0, watch_global/2, global_register/2, global_unregister/1,
         watch_pg/2, pg_join/1, sink/2, blast/2]).

%% How long a watcher looks for a global name it was told to check before it reports that it never saw it.
-define(GIVE_UP_MS, 5000).

kind() -> erlang.

%% How many functions this node's JIT has compiled so far. BEAM compiles a module once, as it loads it, and
%% nothing later: no count to wait for. An Ergo.Gen member answers its runtime's count, which grows while it
%% compiles hot code again in tiers.
compiled() -> 0.

nodes() -> erlang:nodes().

%% Connects to Seed (unless this is Seed) and sends {meshed, node()} to Driver once Expect other nodes are
%% visible: counted on nodeup messages, so the report goes out as soon as the last connection is up.
mesh(Seed, Expect, Driver) ->
    Caller = self(),
    Watcher = spawn(fun() ->
        ok = net_kernel:monitor_nodes(true),
        Caller ! {monitoring, self()},
        Seed =:= node() orelse net_kernel:connect_node(Seed),
        await_mesh(Expect, Driver)
    end),
    receive {monitoring, Watcher} -> ok end.

await_mesh(Expect, Driver) ->
    case length(erlang:nodes()) >= Expect of
        true -> Driver ! {meshed, node()};
        false -> receive {nodeup, _} -> ok; {nodedown, _} -> ok end, await_mesh(Expect, Driver)
    end.

%% Drops every connection to another member (nodes() leaves the hidden driver out).
disconnect() ->
    [erlang:disconnect_node(N) || N <- erlang:nodes()],
    ok.

%% Waits until global has synced with every node it knows, so a registration does not queue behind the syncs.
settle() -> global:sync().

%% A process that, once told to check, looks for Name in global's table (again every millisecond until it is
%% there) and reports {seen, node(), Found} to Driver.
watch_global(Name, Driver) ->
    spawn(fun() -> receive check -> Driver ! {seen, node(), look_global(Name, ?GIVE_UP_MS)} end end).

look_global(Name, Left) ->
    case global:whereis_name(Name) of
        undefined when Left > 0 -> timer:sleep(1), look_global(Name, Left - 1);
        undefined -> false;
        _ -> true
    end.

%% Registers a new process under Name; when global:register_name/2 has returned (every node it knows has the
%% name then), tells each watcher to check. Returns the process.
global_register(Name, Watchers) ->
    Pid = spawn(fun idle/0),
    yes = global:register_name(Name, Pid),
    [W ! check || W <- Watchers],
    Pid.

global_unregister(Name) -> global:unregister_name(Name).

%% A process that monitors Group in the default pg scope and reports {seen, node(), true} to Driver at the first
%% join. Returns once the monitor is in place.
watch_pg(Group, Driver) ->
    Caller = self(),
    Watcher = spawn(fun() ->
        {Ref, Members} = pg:monitor(pg, Group),
        Caller ! {monitoring, self()},
        Members =/= [] orelse receive {Ref, join, Group, _} -> ok end,
        Driver ! {seen, node(), true},
        pg:demonitor(pg, Ref)
    end),
    receive {monitoring, Watcher} -> Watcher end.

%% A new process that joins Group in the default pg scope. Returns it.
pg_join(Group) ->
    Pid = spawn(fun idle/0),
    ok = pg:join(pg, Group, Pid),
    Pid.

%% A process that counts N messages, then sends {sunk, node()} to Driver.
sink(N, Driver) -> spawn(fun() -> count(N), Driver ! {sunk, node()} end).

count(0) -> ok;
count(N) -> receive _ -> count(N - 1) end.

%% A process that sends M messages to each of Sinks, one to every sink in turn.
blast(Sinks, M) ->
    spawn(fun() -> send_rounds(Sinks, {ping, 1234}, M) end),
    ok.

send_rounds(_, _, 0) -> ok;
send_rounds(Sinks, Msg, M) ->
    [S ! Msg || S <- Sinks],
    send_rounds(Sinks, Msg, M - 1).

idle() -> receive stop -> ok end.
