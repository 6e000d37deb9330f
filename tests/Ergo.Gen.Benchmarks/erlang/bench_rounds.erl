%% How the Erlang suites measure a scenario, as Rounds.cs does on the .NET side: warm-up runs for at least
%% two seconds (not counted), then the best of the measured rounds.
-module(bench_rounds).
-export([best/2, lowest_latency/2, latency/2, cpu/5, cpu_one/3]).

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
%% "cpu Name SendNs RecvNs": the OS's figures for each beam process (user and system time from /proc, every thread),
%% as the .NET side counts its own. erlang:statistics(runtime) would leave out system time, which is where most of
%% the cost of a loopback socket is.
cpu(Name, SendNode, RecvNode, F, Messages) ->
    {Send0, Recv0} = {os_cpu_ns(SendNode), os_cpu_ns(RecvNode)},
    _ = F(),
    {Send1, Recv1} = {os_cpu_ns(SendNode), os_cpu_ns(RecvNode)},
    io:format("cpu ~s ~.2f ~.2f~n", [Name, (Send1 - Send0) / Messages, (Recv1 - Recv0) / Messages]).

%% The same for a scenario within this one node: its CPU time per message as the sender's, and 0 as the receiver's.
cpu_one(Name, F, Messages) ->
    Before = os_cpu_ns(node()),
    _ = F(),
    io:format("cpu ~s ~.2f 0~n", [Name, (os_cpu_ns(node()) - Before) / Messages]).

%% User plus system time of Node's OS process, in nanoseconds: fields 14 and 15 of /proc/self/stat, read by a
%% process of that node, in clock ticks.
os_cpu_ns(Node) ->
    {ok, Stat} = rpc:call(Node, file, read_file, ["/proc/self/stat"]),
    % The command name (field 2) may hold spaces and parentheses: the fields counted start after the last ") ".
    [_, Rest] = string:split(Stat, <<") ">>, trailing),
    Fields = binary:split(Rest, <<" ">>, [global]),
    Ticks = binary_to_integer(lists:nth(12, Fields)) + binary_to_integer(lists:nth(13, Fields)),
    Ticks * 1000000000 div clock_ticks().

clock_ticks() ->
    case persistent_term:get({?MODULE, clock_ticks}, undefined) of
        undefined ->
            Hz = list_to_integer(string:trim(os:cmd("getconf CLK_TCK"))),
            persistent_term:put({?MODULE, clock_ticks}, Hz),
            Hz;
        Hz -> Hz
    end.
