%% One erl peer of the soak: streams numbered messages to the .NET node, calls it now and then, and checks the
%% numbered stream the .NET node sends back. Started as soak_peer:start(['dotnet@host', Incarnation]).
-module(soak_peer).
-export([start/1, report/0]).

start([Dotnet, Inc]) ->
    Checker = spawn(fun() -> check(Inc, 0, 0) end),
    register(soak_in, Checker),
    pong = net_adm:ping(Dotnet),
    io:format("soak peer ~p ready~n", [node()]),
    send(Dotnet, Inc, 1).

%% About 10,000 messages a second, a call every 100.
send(Dotnet, Inc, N) ->
    {soak_sink, Dotnet} ! {seq, node(), Inc, N, binary:copy(<<N:32>>, 1 + N rem 64)},
    case N rem 100 of
        0 -> catch gen_server:call({soak_echo, Dotnet}, {ping, N}, 10000);
        _ -> ok
    end,
    case N rem 50 of
        0 -> timer:sleep(5);
        _ -> ok
    end,
    send(Dotnet, Inc, N + 1).

%% The .NET node's stream to this incarnation: 1, 2, 3, ... with nothing missing, repeated or out of order.
check(Inc, Last, Bad) ->
    receive
        {seq, Inc, N} when N =:= Last + 1 -> check(Inc, N, Bad);
        {seq, Inc, N} -> io:format("out of sequence from .NET: ~p after ~p~n", [N, Last]), check(Inc, N, Bad + 1);
        {seq, _, _} -> check(Inc, Last, Bad);
        {report, From} -> From ! {soak_report, Last, Bad}, check(Inc, Last, Bad)
    end.

report() ->
    soak_in ! {report, self()},
    receive {soak_report, Last, Bad} -> {Last, Bad} after 10000 -> timeout end.
