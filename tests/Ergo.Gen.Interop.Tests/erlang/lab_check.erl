%% The Erlang side of the multi-host tests: each function runs on one simulated host, talks to the demo node on
%% another, and prints "<label> ok" or what went wrong. Run with -eval "lab_check:F(...), halt()."
-module(lab_check).
-export([serve/0, mesh/2, reach/2, partition_a/1, partition_c/3, healed/2, members/2]).

%% A long-lived node: stays up until killed.
serve() ->
    io:format("serving ~p~n", [node()]),
    receive stop -> ok end.

%% From a checker node: the demo answers calls, casts, rpc; the demo reaches each of Others itself; and global
%% makes the whole cluster a mesh, so the checker ends up connected to every node.
mesh(Demo, Others) ->
    run("mesh", fun() ->
        pong = net_adm:ping(Demo),
        {ok, _} = gen_server:call({counter, Demo}, {add, 5}),
        hello = gen_server:call({echo, Demo}, hello),
        3 = rpc:call(Demo, demo, add, [1, 2]),
        [{ok, N} = gen_server:call({echo, Demo}, {rpc, N, erlang, node, []}, 20000) || N <- Others],
        Want = lists:sort([Demo | Others]),
        until(fun() -> global:sync(), Want -- nodes() =:= [] end, 200),
        [N = rpc:call(N, erlang, node, []) || N <- Others],
        yes = global:register_name(lab_name, self()),
        Self = self(),
        [until(fun() -> rpc:call(N, global, whereis_name, [lab_name]) =:= Self end, 100) || N <- Others]
    end).

%% From a checker node: the demo is reachable and reaches back (one way and the other).
reach(Demo, Back) ->
    run("reach", fun() ->
        pong = net_adm:ping(Demo),
        {ok, _} = gen_server:call({counter, Demo}, {add, 1}),
        3 = rpc:call(Demo, demo, add, [1, 2]),
        {ok, Back} = gen_server:call({echo, Demo}, {rpc, Back, erlang, node, []}, 20000)
    end).

%% Host A, which the test cuts off: a process there linked to and monitoring a process on the demo, and a node
%% monitor. Prints what arrives after the cut, and how long a call to the demo takes to fail.
partition_a(Demo) ->
    process_flag(trap_exit, true),
    pong = net_adm:ping(Demo),
    register(side_a, self()),
    Remote = spawn_link(Demo, demo, echo_server, []),
    MRef = erlang:monitor(process, Remote),
    monitor_node(Demo, true),
    io:format("a ready~n"),
    Got = collect([{'EXIT', Remote}, {'DOWN', MRef}, nodedown], 60000),
    io:format("a saw ~p~n", [Got]),
    T0 = erlang:monotonic_time(millisecond),
    R = (catch gen_server:call({echo, Demo}, hello, 30000)),
    io:format("a call ~p after ~p ms~n", [element(1, R), erlang:monotonic_time(millisecond) - T0]),
    %% After the heal nobody on this side reconnects: the demo's cluster membership must, and global then brings
    %% the name C registered during the cut.
    ok = net_kernel:monitor_nodes(true),
    receive {nodeup, Demo} -> io:format("a nodeup demo~n") after 120000 -> io:format("a no nodeup~n") end,
    run("a global", fun() -> until(fun() -> global:sync(), is_pid(global:whereis_name(during_cut)) end, 300) end),
    receive stop -> ok end.

collect([], _) -> done;
collect(Wanted, Timeout) ->
    receive
        {'EXIT', P, noconnection} -> collect(Wanted -- [{'EXIT', P}], Timeout);
        {'DOWN', R, process, _, noconnection} -> collect(Wanted -- [{'DOWN', R}], Timeout);
        {nodedown, _} -> collect(Wanted -- [nodedown], Timeout);
        Other -> io:format("a unexpected ~p~n", [Other]), collect(Wanted, Timeout)
    after Timeout -> {missing, Wanted}
    end.

%% Host C, which stays connected to the demo: the demo watches side_a on A (a monitor and a link); C prints
%% what the demo reports after the cut, and checks that its own stream through the demo lost nothing.
partition_c(Demo, NodeA, Count) ->
    pong = net_adm:ping(Demo),
    SideA = rpc:call(NodeA, erlang, whereis, [side_a]),
    true = is_pid(SideA),
    ok = gen_server:call({echo, Demo}, {monitor, SideA, self()}),
    ok = gen_server:call({echo, Demo}, {link_notify, SideA, self()}),
    io:format("c ready~n"),
    Reports = [receive {down, SideA, R1} -> {down, R1} after 60000 -> no_down end,
               receive {exit, SideA, R2} -> {exit, R2} after 60000 -> no_exit end],
    io:format("c saw ~p~n", [lists:sort(Reports)]),
    yes = global:register_name(during_cut, self()),
    [gen_server:cast({echo, Demo}, {send, self(), {seq, I}}) || I <- lists:seq(1, Count)],
    InOrder = lists:all(fun(I) -> receive {seq, I} -> true after 10000 -> false end end, lists:seq(1, Count)),
    io:format("c stream ~p~n", [InOrder]),
    receive stop -> ok end.

%% After the heal: the demo and A see each other again (a call, and the demo's rpc back).
healed(Demo, NodeA) ->
    run("healed", fun() ->
        until(fun() -> net_adm:ping(Demo) =:= pong end, 100),
        {ok, NodeA} = gen_server:call({echo, Demo}, {rpc, NodeA, erlang, node, []}, 20000)
    end).

%% From a checker node: every demo node is connected to every other, which only their membership did.
members(Demos, Rounds) ->
    run("members", fun() ->
        [until(fun() -> sees_the_others(D, Demos) end, Rounds) || D <- Demos]
    end).

%% A call can fail while the member connects to this node too: its discovery finds every node on a host's EPMD,
%% this one included, and the member with the greater name wins the simultaneous connect. Asked again, it answers.
sees_the_others(D, Demos) ->
    case rpc:call(D, erlang, nodes, []) of
        Nodes when is_list(Nodes) -> (Demos -- [D]) -- Nodes =:= [];
        {badrpc, _} -> false
    end.

until(F, 0) -> F() orelse error(gave_up);
until(F, N) -> F() orelse begin timer:sleep(100), until(F, N - 1) end.

run(Label, F) ->
    try F() of
        _ -> io:format("~s ok~n", [Label])
    catch C:E:S -> io:format("~s failed: ~p:~p ~p~n", [Label, C, E, S])
    end.
