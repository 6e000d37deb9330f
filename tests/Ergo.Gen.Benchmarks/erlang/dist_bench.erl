%% The Erlang side of the dist suite. run/1 measures Erlang->Erlang on loopback (a peer node started with
%% OTP's peer module); the other exports are what the .NET side calls to measure Erlang<->Ergo.Gen.
-module(dist_bench).
-behaviour(gen_server).
-export([run/1, serve/0, sink/2, remote_sink/2, blast/3, echo_server/0, echo_clients/4, small/0, kilo/0,
         start_echo/0, call_latency/2, call_clients/3, init/1, handle_call/3, handle_cast/2]).

small() -> {ping, 1234}.
kilo() -> {data, list_to_binary(lists:duplicate(1024, $x))}.

run([Quick]) ->
    {N, Calls, Rounds} = case Quick of true -> {200000, 40000, 2}; false -> {1000000, 200000, 3} end,
    Sequential = case Quick of true -> 5000; false -> 20000 end,
    Dir = filename:dirname(code:which(?MODULE)),
    {ok, Peer, Node} = peer:start_link(#{name => dist_bench_peer, longnames => true, host => "127.0.0.1",
                                         args => ["-setcookie", atom_to_list(erlang:get_cookie()), "-pa", Dir]}),
    report("dist.small", bench_rounds:best(fun() -> throughput(Node, small(), N) end, Rounds)),
    bench_rounds:cpu("dist.small", node(), Node, fun() -> throughput(Node, small(), N) end, N),
    report("dist.1kb", bench_rounds:best(fun() -> throughput(Node, kilo(), N div 4) end, Rounds)),
    bench_rounds:cpu("dist.1kb", node(), Node, fun() -> throughput(Node, kilo(), N div 4) end, N div 4),
    Echo = spawn(Node, ?MODULE, echo_server, []),
    report("dist.echo", bench_rounds:best(fun() -> echo_clients(Echo, 50, Calls, self()) end, Rounds)),
    %% Per round trip: the clients' node sends, the echo's node receives (and answers).
    bench_rounds:cpu("dist.echo", node(), Node, fun() -> echo_clients(Echo, 50, Calls, self()) end, Calls),
    {ok, _} = rpc:call(Node, ?MODULE, start_echo, []),
    Server = {bench_gs_echo, Node},
    report("dist.call", bench_rounds:best(fun() -> call_clients(Server, 50, Calls) end, Rounds)),
    bench_rounds:cpu("dist.call", node(), Node, fun() -> call_clients(Server, 50, Calls) end, Calls),
    {P50, P99} = bench_rounds:lowest_latency(fun() -> call_latency(Server, Sequential) end, Rounds),
    report_ns("dist.call_p50", P50),
    report_ns("dist.call_p99", P99),
    peer:stop(Peer).

report(Name, Rate) -> io:format("result ~s ~.2f per_s~n", [Name, float(Rate)]).
report_ns(Name, Ns) -> io:format("result ~s ~.2f ns~n", [Name, float(Ns)]).

%% A gen_server that answers every call with its request, registered as bench_gs_echo (for dist.call and the
%% latency rows; the .NET side calls it too).
start_echo() ->
    case whereis(bench_gs_echo) of
        undefined -> gen_server:start({local, bench_gs_echo}, ?MODULE, [], []);
        Pid -> {ok, Pid}
    end.
init([]) -> {ok, nostate}.
handle_call(Request, _From, State) -> {reply, Request, State}.
handle_cast(_, State) -> {noreply, State}.

%% One caller, sequential gen_server:calls: {Median, P99} in nanoseconds.
call_latency(Server, N) -> bench_rounds:latency(fun() -> hi = gen_server:call(Server, hi) end, N).

%% C callers each make Calls div C gen_server:calls; calls per second.
call_clients(Server, C, Calls) ->
    Per = Calls div C,
    Self = self(),
    T0 = erlang:monotonic_time(),
    Pids = [spawn(fun() -> [hi = gen_server:call(Server, hi) || _ <- lists:seq(1, Per)], Self ! {client_done, self()} end)
            || _ <- lists:seq(1, C)],
    [receive {client_done, P} -> ok end || P <- Pids],
    Per * C / seconds(erlang:monotonic_time() - T0).

%% A sink on Node counts N messages; this node sends them; the rate counts until the sink has them all.
throughput(Node, Msg, N) ->
    Sink = spawn(Node, ?MODULE, sink, [N, self()]),
    T0 = erlang:monotonic_time(),
    blast(Sink, Msg, N),
    receive {done, Sink} -> ok end,
    N / seconds(erlang:monotonic_time() - T0).

sink(N, ReportTo) -> sink_loop(N), ReportTo ! {done, self()}.
sink_loop(0) -> ok;
sink_loop(N) -> receive _ -> sink_loop(N - 1) end.

%% For the .NET side: a sink here that reports to a .NET pid.
remote_sink(N, ReportTo) -> spawn(?MODULE, sink, [N, ReportTo]).

blast(_, _, 0) -> ok;
blast(Dest, Msg, N) -> Dest ! Msg, blast(Dest, Msg, N - 1).

echo_server() -> receive {From, Msg} -> From ! {echo, Msg}, echo_server() end.

%% C clients each do Calls div C round trips to Echo; returns round trips per second.
echo_clients(Echo, C, Calls, _) ->
    Per = Calls div C,
    Self = self(),
    T0 = erlang:monotonic_time(),
    Pids = [spawn(fun() -> echo_loop(Echo, Per), Self ! {client_done, self()} end) || _ <- lists:seq(1, C)],
    [receive {client_done, P} -> ok end || P <- Pids],
    Per * C / seconds(erlang:monotonic_time() - T0).

echo_loop(_, 0) -> ok;
echo_loop(Echo, N) -> Echo ! {self(), hi}, receive {echo, hi} -> echo_loop(Echo, N - 1) end.

%% Keeps a node alive for the .NET side to drive.
serve() -> receive stop -> ok end.

seconds(Native) -> erlang:convert_time_unit(Native, native, nanosecond) / 1.0e9.
