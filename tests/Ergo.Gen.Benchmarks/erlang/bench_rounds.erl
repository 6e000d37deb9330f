%% How the Erlang suites measure a scenario, as Rounds.cs does on the .NET side: warm-up runs for at least
%% two seconds (not counted), then the best of the measured rounds.
-module(bench_rounds).
-export([best/2, lowest_latency/2, latency/2, cpu/5]).

-define(WARM_UP_MS, 2000).

best(F, Rounds) ->
    warm_up(F, erlang:monotonic_time(millisecond) + ?WARM_UP_MS),
    lists:max([F() || _ <- lists:seq(1, Rounds)]).

warm_up(F, Until) ->
    _ = F(),
    case erlang:monotonic_time(millisecond) < Until of
        true -> warm_up(F, Until);
        false -> ok
    end.

%% For latencies (lower is better): warm-up as above, then each round's median and 99th percentile; the lowest
%% of each over the rounds.
lowest_latency(F, Rounds) ->
    warm_up(F, erlang:monotonic_time(millisecond) + ?WARM_UP_MS),
    Results = [F() || _ <- lists:seq(1, Rounds)],
    {lists:min([P50 || {P50, _} <- Results]), lists:min([P99 || {_, P99} <- Results])}.

%% Calls Op() N times one after another, timing each: {Median, P99} in nanoseconds.
latency(Op, N) ->
    Times = [begin T0 = erlang:monotonic_time(), Op(), erlang:monotonic_time() - T0 end || _ <- lists:seq(1, N)],
    Sorted = list_to_tuple(lists:sort(Times)),
    Ns = fun(I) -> erlang:convert_time_unit(element(max(1, I), Sorted), native, nanosecond) end,
    {Ns(N div 2), Ns(N * 99 div 100)}.

%% CPU time per message of the sending node and the receiving one over one more run of F, printed as
%% "cpu Name SendNs RecvNs": erlang:statistics(runtime) on each (every thread of the runtime, schedulers included).
cpu(Name, SendNode, RecvNode, F, Messages) ->
    Runtime = fun(Node) -> element(1, rpc:call(Node, erlang, statistics, [runtime])) end,
    {Send0, Recv0} = {Runtime(SendNode), Runtime(RecvNode)},
    _ = F(),
    {Send1, Recv1} = {Runtime(SendNode), Runtime(RecvNode)},
    io:format("cpu ~s ~.2f ~.2f~n", [Name, (Send1 - Send0) * 1.0e6 / Messages, (Recv1 - Recv0) * 1.0e6 / Messages]).
