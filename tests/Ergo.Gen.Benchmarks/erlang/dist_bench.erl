%% The Erlang side of the dist suite. run/1 measures Erlang->Erlang on loopback (a peer node started with
%% OTP's peer module); the other exports are what the .NET side calls to measure Erlang<->Ergo.Gen.
-module(dist_bench).
-export([run/1, serve/0, sink/2, remote_sink/2, blast/3, echo_server/0, echo_clients/4, small/0, kilo/0]).

small() -> {ping, 1234}.
kilo() -> {data, list_to_binary(lists:duplicate(1024, $x))}.

run([Quick]) ->
    {N, Calls, Rounds} = case Quick of true -> {200000, 40000, 2}; false -> {1000000, 200000, 3} end,
    Dir = filename:dirname(code:which(?MODULE)),
    {ok, Peer, Node} = peer:start_link(#{name => dist_bench_peer, longnames => true, host => "127.0.0.1",
                                         args => ["-setcookie", atom_to_list(erlang:get_cookie()), "-pa", Dir]}),
    report("dist.small", bench_rounds:best(fun() -> throughput(Node, small(), N) end, Rounds)),
    report("dist.1kb", bench_rounds:best(fun() -> throughput(Node, kilo(), N div 4) end, Rounds)),
    Echo = spawn(Node, ?MODULE, echo_server, []),
    report("dist.echo", bench_rounds:best(fun() -> echo_clients(Echo, 50, Calls, self()) end, Rounds)),
    peer:stop(Peer).

report(Name, Rate) -> io:format("result ~s ~.2f per_s~n", [Name, float(Rate)]).

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
