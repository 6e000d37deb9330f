%% The cluster suite's driver: a hidden node (global and pg leave it out) that connects to every member of one
%% cluster and measures it through cluster_bench's calls, the same for Erlang and Ergo.Gen members. Prints
%% "result cluster.SCENARIO[SUFFIX] VALUE UNIT" lines: mesh, global and pg in ns (best of the rounds),
%% broadcast in messages per second (best of the rounds). A scenario whose reports do not all come (a name or
%% a member never seen, a sink never full) gets "missing cluster.SCENARIO[SUFFIX] WHY" instead, and the next
%% scenario runs. Exits 1 with a message on standard error when a member does not answer or does not mesh.
-module(cluster_driver).
-export([run/3]).

%% How long the driver waits for a member, for one report or for the cluster to fall apart.
-define(WAIT_MS, 30000).
%% The member where global registrations and pg joins are made (the seed of the mesh is the first).
-define(ORIGIN, 2).
%% Counting starts once the members' JIT has settled: at most ?QUIET_METHODS functions compiled, over all members,
%% in ?QUIET_MS of rounds; or after ?SETTLE_MAX_MS more of warm-up, said on standard error.
-define(QUIET_METHODS, 8).
-define(QUIET_MS, 1000).
-define(SETTLE_MAX_MS, 60000).

run(Suffix, Quick, Members) ->
    try measure(Suffix, Quick, Members) of
        ok -> halt(0)
    catch Class:Reason:Stack ->
        io:format(standard_error, "cluster_driver: ~p:~p~n~p~n", [Class, Reason, Stack]),
        halt(1)
    end.

measure(Suffix, Quick, Members) ->
    % {Rounds counted, milliseconds of uncounted rounds first}. Ergo.Gen members compile what a scenario runs only
    % as it runs it, in tiers, in the background: eight of them on a small machine take seconds to settle, and
    % their global rounds stay slow until then and then drop at once, so --quick warms global up as long as a full
    % run does (see docs/benchmarks.md). Every scenario then warms up further until the members' JIT is quiet.
    % global's lockers back off for a random while when they collide, so mesh rounds vary a lot.
    % The sinks' rate grows with M on Ergo.Gen members (larger write batches), not on Erlang ones.
    #{mesh := Mesh, global := Global, pg := Pg, broadcast := Broadcast, messages := M} = case Quick of
        true -> #{mesh => {5, 2000}, global => {20, 10000}, pg => {20, 3000}, broadcast => {3, 3000}, messages => 50000};
        false -> #{mesh => {10, 5000}, global => {50, 10000}, pg => {50, 10000}, broadcast => {4, 6000}, messages => 100000}
    end,
    [connect(N, ?WAIT_MS) || N <- Members],
    Kinds = [{N, call(N, kind, [])} || N <- Members],
    io:format(standard_error, "cluster_driver: members ~p~n", [Kinds]),
    report(Suffix, "mesh", best("mesh", Members, fun lists:min/1, fun() -> mesh_round(Members) end, Mesh), ns),
    [ok = call(N, settle, []) || N <- Members],
    Origin = lists:nth(?ORIGIN, Members),
    report(Suffix, "global", best("global", Members, fun lists:min/1, fun() -> global_round(Members, Origin) end, Global), ns),
    report(Suffix, "pg", best("pg", Members, fun lists:min/1, fun() -> pg_round(Members, Origin) end, Pg), ns),
    report(Suffix, "broadcast", best("broadcast", Members, fun lists:max/1, fun() -> broadcast_round(Members, M) end, Broadcast), per_s),
    ok.

%% {ok, the best of Rounds rounds}, or {missing, Why} from the first round whose reports did not all come. Rounds
%% for at least WarmMs (at least one) go first, uncounted, and then more until the members' JIT has settled. The
%% counted rounds' lowest, median and highest go to standard error: the spread tells how far to trust the best.
best(Scenario, Members, Pick, Round, {Rounds, WarmMs}) ->
    try
        T0 = erlang:monotonic_time(millisecond),
        Warm = warm_up(Round, T0 + WarmMs, 1),
        {Settled, Compiling} = settle(Members, Round, Warm, T0 + WarmMs + ?SETTLE_MAX_MS),
        {Settled, Compiling, erlang:monotonic_time(millisecond) - T0, [Round() || _ <- lists:seq(1, Rounds)]}
    of
        {Uncounted, Compiling, WarmedMs, Values} ->
            Sorted = lists:sort(Values),
            io:format(standard_error, "cluster_driver: ~s after ~b uncounted rounds in ~.1f s (~b functions compiled in the last ~b ms~s): "
                      "~b rounds, lowest ~w, median ~w, highest ~w~n",
                      [Scenario, Uncounted, WarmedMs / 1000, Compiling, ?QUIET_MS,
                       case Compiling =< ?QUIET_METHODS of true -> ""; false -> ", still compiling" end,
                       Rounds, round(hd(Sorted)), round(lists:nth((Rounds + 1) div 2, Sorted)), round(lists:last(Sorted))]),
            {ok, Pick(Values)}
    catch throw:{missing, Why} -> {missing, Why}
    end.

warm_up(Round, Until, Done) ->
    Round(),
    case erlang:monotonic_time(millisecond) >= Until of
        true -> Done;
        false -> warm_up(Round, Until, Done + 1)
    end.

%% More uncounted rounds, ?QUIET_MS at a time, until the members compiled at most ?QUIET_METHODS functions in one
%% stretch, or Deadline passed: {rounds done in all, functions compiled in the last stretch}.
settle(Members, Round, Done, Deadline) ->
    Before = compiled(Members),
    Stretch = warm_up(Round, erlang:monotonic_time(millisecond) + ?QUIET_MS, 1),
    Compiling = compiled(Members) - Before,
    case Compiling =< ?QUIET_METHODS orelse erlang:monotonic_time(millisecond) >= Deadline of
        true -> {Done + Stretch, Compiling};
        false -> settle(Members, Round, Done + Stretch, Deadline)
    end.

compiled(Members) -> lists:sum(call_all(Members, compiled, [])).

report(Suffix, Scenario, {ok, Value}, Unit) ->
    io:format("result cluster.~s~s ~.2f ~s~n", [Scenario, Suffix, float(Value), Unit]);
report(Suffix, Scenario, {missing, Why}, _) ->
    io:format("missing cluster.~s~s ~s~n", [Scenario, Suffix, Why]).

connect(Node, Left) when Left > 0 ->
    case net_kernel:connect_node(Node) of
        true -> ok;
        _ -> timer:sleep(100), connect(Node, Left - 100)
    end;
connect(Node, _) -> error({unreachable, Node}).

call(Node, F, Args) ->
    case rpc:call(Node, cluster_bench, F, Args, ?WAIT_MS) of
        {badrpc, Reason} -> error({badrpc, Node, F, Reason});
        Result -> Result
    end.

%% Calls F on every member at once; their answers in the members' order.
call_all(Members, F, Args) ->
    [case R of {ok, V} -> V; _ -> error({failed, N, F, R}) end
     || {N, R} <- lists:zip(Members, erpc:multicall(Members, cluster_bench, F, Args, ?WAIT_MS))].

%% Waits for one Tag message from each of Nodes: {Tag, Node} or {Tag, Node, true}; {Tag, Node, false} says the
%% node gave up. Throws {missing, Why} unless all of them report success in time.
await_all(Tag, Nodes) -> await_all(Tag, Nodes, []).

await_all(_, [], []) -> ok;
await_all(_, [], Failed) -> throw({missing, io_lib:format("gave up on ~w", [lists:sort(Failed)])});
await_all(Tag, Nodes, Failed) ->
    receive
        {Tag, Node} -> await_all(Tag, lists:delete(Node, Nodes), Failed);
        {Tag, Node, true} -> await_all(Tag, lists:delete(Node, Nodes), Failed);
        {Tag, Node, false} -> await_all(Tag, lists:delete(Node, Nodes), [Node | Failed])
    after ?WAIT_MS ->
        throw({missing, io_lib:format("no ~s report in ~b ms from ~w", [Tag, ?WAIT_MS, lists:sort(Nodes ++ Failed)])})
    end.

%% What an earlier round that failed left behind.
flush() -> receive _ -> flush() after 0 -> ok end.

elapsed_ns(T0) -> erlang:convert_time_unit(erlang:monotonic_time() - T0, native, nanosecond).

%% From no connections among the members to every member seeing all the others, every member told at once to
%% connect to the first.
mesh_round(Members) ->
    apart(Members),
    [Seed | _] = Members,
    T0 = erlang:monotonic_time(),
    call_all(Members, mesh, [Seed, length(Members) - 1, self()]),
    try await_all(meshed, Members)
    catch throw:{missing, Why} -> error({no_mesh, lists:flatten(Why), call_all(Members, nodes, [])})
    end,
    elapsed_ns(T0).

%% Every member drops its connections until none sees another, twice in a row (late reconnects by global would
%% show in the second look).
apart(Members) -> apart(Members, 0, ?WAIT_MS).

apart(_, 2, _) -> ok;
apart(Members, _, Left) when Left =< 0 -> error({still_connected, call_all(Members, nodes, [])});
apart(Members, Quiet, Left) ->
    call_all(Members, disconnect, []),
    timer:sleep(50),
    Alone = lists:all(fun(Ns) -> Ns =:= [] end, call_all(Members, nodes, [])),
    apart(Members, case Alone of true -> Quiet + 1; false -> 0 end, Left - 50).

%% From the registration's start on Origin to every member finding the name with global:whereis_name/1.
global_round(Members, Origin) ->
    flush(),
    Name = {cluster_bench, erlang:unique_integer([positive])},
    Watchers = call_all(Members, watch_global, [Name, self()]),
    T0 = erlang:monotonic_time(),
    Pid = call(Origin, global_register, [Name, Watchers]),
    await_all(seen, Members),
    T = elapsed_ns(T0),
    call(Origin, global_unregister, [Name]),
    exit(Pid, kill),
    T.

%% From the join's start on Origin to every member's pg monitor reporting it.
pg_round(Members, Origin) ->
    flush(),
    Group = {cluster_bench, erlang:unique_integer([positive])},
    call_all(Members, watch_pg, [Group, self()]),
    T0 = erlang:monotonic_time(),
    Pid = call(Origin, pg_join, [Group]),
    await_all(seen, Members),
    T = elapsed_ns(T0),
    exit(Pid, kill),
    T.

%% The first member sends M messages to a sink on each other member; messages per second until every sink has
%% all of its own.
broadcast_round([Sender | Others], M) ->
    flush(),
    Sinks = call_all(Others, sink, [M, self()]),
    T0 = erlang:monotonic_time(),
    ok = call(Sender, blast, [Sinks, M]),
    await_all(sunk, Others),
    M * length(Others) / (elapsed_ns(T0) / 1.0e9).
