%% The Erlang side of the local suite: the same scenarios LocalSuite.cs runs on Ergo.Gen.
%% Prints "result <scenario> <value> <unit>" lines; best of Rounds.
-module(local_bench).
-behaviour(gen_server).
%% The module is also the gen_statem of local.statem_call (init(statem), callback_mode/0, handle_event/4).
-export([run/1, init/1, handle_call/3, handle_cast/2, callback_mode/0, handle_event/4]).

run([Quick]) ->
    {Msgs, Calls, Procs, Rounds} = case Quick of
        true -> {2000000, 500000, 200000, 3};
        false -> {5000000, 2000000, 1000000, 5}
    end,
    Sequential = case Quick of true -> 20000; false -> 100000 end,
    report("local.pingpong_1", bench_rounds:best(fun() -> pingpong(1, Msgs) end, Rounds), per_s),
    report("local.pingpong_100", bench_rounds:best(fun() -> pingpong(100, Msgs) end, Rounds), per_s),
    report("local.call", bench_rounds:best(fun() -> calls(Calls) end, Rounds), per_s),
    report("local.statem_call", bench_rounds:best(fun() -> statem_calls(Calls) end, Rounds), per_s),
    {SpawnRate, Bytes} = spawn_idle(Procs),
    report("local.spawn", SpawnRate, per_s),
    report("local.idle_process_memory", Bytes, bytes),
    {P50, P99} = bench_rounds:lowest_latency(fun() -> call_latency(Sequential) end, Rounds),
    report("local.call_p50", P50, ns),
    report("local.call_p99", P99, ns).

report(Name, Value, Unit) -> io:format("result ~s ~.2f ~s~n", [Name, float(Value), Unit]).

%% Pairs of processes bounce a message; the rate counts every message sent.
pingpong(Pairs, Total) ->
    PerPair = Total div Pairs div 2,
    Self = self(),
    Pids = [begin
                A = spawn_link(fun() -> receive {go, B} -> ping(B, PerPair), Self ! done end end),
                B = spawn_link(fun() -> pong(A) end),
                {A, B}
            end || _ <- lists:seq(1, Pairs)],
    T0 = erlang:monotonic_time(),
    [A ! {go, B} || {A, B} <- Pids],
    [receive done -> ok end || _ <- Pids],
    T1 = erlang:monotonic_time(),
    PerPair * 2 * Pairs / seconds(T1 - T0).

ping(B, 0) -> B ! stop;
ping(B, N) -> B ! ping, receive pong -> ping(B, N - 1) end.

pong(A) -> receive ping -> A ! pong, pong(A); stop -> ok end.

%% One client calls a gen_server in a loop.
calls(N) ->
    {ok, S} = gen_server:start_link(?MODULE, [], []),
    call_rate(S, fun(P) -> gen_server:call(P, ping) end, N).

%% One client calls a gen_statem in a loop; it answers in its one state.
statem_calls(N) ->
    {ok, S} = gen_statem:start_link(?MODULE, statem, []),
    call_rate(S, fun(P) -> gen_statem:call(P, ping) end, N).

call_rate(S, Call, N) ->
    Self = self(),
    C = spawn_link(fun() -> receive go -> call_loop(S, Call, N) end, Self ! done end),
    T0 = erlang:monotonic_time(),
    C ! go,
    receive done -> ok end,
    T1 = erlang:monotonic_time(),
    unlink(S), exit(S, kill),
    N / seconds(T1 - T0).

%% One process calls a gen_server on this node N times, timing each call: {Median, P99} in nanoseconds.
call_latency(N) ->
    {ok, S} = gen_server:start_link(?MODULE, [], []),
    Self = self(),
    C = spawn_link(fun() -> Self ! {latency, bench_rounds:latency(fun() -> ok = gen_server:call(S, ping) end, N)} end),
    Result = receive {latency, L} -> L end,
    unlink(C), unlink(S), exit(S, kill),
    Result.

call_loop(_, _, 0) -> ok;
call_loop(S, Call, N) -> ok = Call(S), call_loop(S, Call, N - 1).

init([]) -> {ok, nostate};
init(statem) -> {ok, idle, nodata}.
handle_call(ping, _From, State) -> {reply, ok, State}.
handle_cast(_, State) -> {noreply, State}.

callback_mode() -> handle_event_function.
handle_event({call, From}, ping, idle, _Data) -> {keep_state_and_data, [{reply, From, ok}]}.

%% Spawn N processes that wait in receive; rate, then memory per process.
spawn_idle(N) ->
    erlang:garbage_collect(),
    M0 = erlang:memory(total),
    T0 = erlang:monotonic_time(),
    Pids = [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, N)],
    T1 = erlang:monotonic_time(),
    erlang:garbage_collect(),
    M1 = erlang:memory(total),
    PidListBytes = erts_debug:flat_size(Pids) * erlang:system_info(wordsize),
    [P ! stop || P <- Pids],
    {N / seconds(T1 - T0), (M1 - M0 - PidListBytes) / N}.

seconds(Native) -> erlang:convert_time_unit(Native, native, nanosecond) / 1.0e9.
