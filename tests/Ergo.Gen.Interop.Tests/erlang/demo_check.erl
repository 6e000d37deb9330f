%% Drives the demo node the way an Erlang user would, row by row of the demo's table; prints "check ok".
-module(demo_check).
-export([run/1]).

run([D]) ->
    pong = net_adm:ping(D),
    T = {any, "term", <<1, 2>>, 3.5},
    T = gen_server:call({echo, D}, T),
    Self = self(),
    gen_server:cast({echo, D}, {send, Self, cast_back}),
    cast_back = receive cast_back -> cast_back after 5000 -> no_cast end,
    {echo, D} ! {Self, plain},
    {echo, plain} = receive {echo, _} = E -> E after 5000 -> no_echo end,
    {ok, {ok, 0}} = gen_server:call({echo, D}, {call, {counter, D}, get, 2000}),
    {ok, Node} = {ok, node()},
    {ok, Node} = gen_server:call({echo, D}, {rpc, node(), erlang, node, []}),
    Victim = spawn(fun() -> receive stop -> exit(bye) end end),
    ok = gen_server:call({echo, D}, {monitor, Victim, Self}),
    Victim ! stop,
    {down, Victim, bye} = receive {down, _, _} = Down -> Down after 5000 -> no_down end,
    Linked = spawn(fun() -> receive stop -> exit(gone) end end),
    ok = gen_server:call({echo, D}, {link_notify, Linked, Self}),
    Linked ! stop,
    {exit, Linked, gone} = receive {exit, _, _} = Ex -> Ex after 5000 -> no_exit end,
    {ok, 5} = gen_server:call({counter, D}, {add, 5}),
    {ok, 5} = gen_server:call({counter, D}, get),
    gen_server:cast({counter, D}, reset),
    {ok, 0} = gen_server:call({counter, D}, get),
    P1 = gen_server:call({counter, D}, whoami),
    {'EXIT', _} = (catch gen_server:call({counter, D}, crash)),
    P2 = wait_restart(D, P1, 50),
    true = P1 =/= P2,
    {ok, 0} = gen_server:call({counter, D}, get),
    3 = rpc:call(D, demo, add, [1, 2]),
    x = rpc:call(D, demo, echo, [x]),
    7 = erpc:call(D, demo, add, [3, 4]),
    Pid = spawn(D, demo, echo_server, []),
    hello = gen_server:call(Pid, hello),
    [{echo, EchoPid, worker, _}, {counter, P2, worker, _}, {numbers, _, worker, _}, {door, _, worker, _}] = supervisor:which_children({demo_sup, D}),
    % door, a gen_statem: the right code opens it, a state timeout locks it again a second later.
    Door = {door, D},
    locked = gen_statem:call(Door, state),
    {error, wrong_code} = gen_statem:call(Door, {unlock, <<"0000">>}),
    {error, already_locked} = gen_statem:call(Door, lock),
    ok = gen_statem:call(Door, {unlock, <<"1234">>}),
    open = gen_statem:call(Door, state),
    {error, already_open} = gen_statem:call(Door, {unlock, <<"1234">>}),
    ok = gen_statem:call(Door, lock),
    locked = gen_statem:call(Door, state),
    ok = gen_statem:call(Door, {unlock, <<"1234">>}),
    ok = until(fun() -> gen_statem:call(Door, state) =:= locked end, 250),
    % pg: echo is in demo_group of the default scope, seen from here; a member joined here is seen there.
    {ok, _} = pg:start(pg),
    % (The echo server spawned from here above ran its init too, and joined as well.)
    ok = until(fun() -> lists:sort(pg:get_members(demo_group)) =:= lists:sort([EchoPid, Pid]) end, 250),
    ok = pg:join(demo_group, Self),
    ok = until(fun() -> lists:sort(gen_server:call({echo, D}, {pg_members, demo_group})) =:= lists:sort([EchoPid, Pid, Self]) end, 250),
    % sys's system messages: the door's state, and gen_server:stop of the spawned echo server (which leaves demo_group).
    {locked, _} = sys:get_state(Door),
    ok = gen_server:stop(Pid),
    ok = until(fun() -> lists:sort(pg:get_members(demo_group)) =:= lists:sort([EchoPid, Self]) end, 250),
    io:format("check ok~n").

until(_, 0) -> erlang:error(never_true);
until(Check, N) ->
    case Check() of
        true -> ok;
        false -> timer:sleep(20), until(Check, N - 1)
    end.

wait_restart(_, _, 0) -> erlang:error(counter_not_restarted);
wait_restart(D, Old, N) ->
    case catch gen_server:call({counter, D}, whoami) of
        Old -> timer:sleep(20), wait_restart(D, Old, N - 1);
        New when is_pid(New) -> New;
        _ -> timer:sleep(20), wait_restart(D, Old, N - 1)
    end.
