%% Erlang side of the distribution interop tests: a real node the .NET tests drive through erpc.
-module(dist_peer).
-behaviour(gen_server).
-export([start/1, init/1, handle_call/3, handle_cast/2, handle_info/2]).
-export([watch/2, link_trap/2, sleeper/0, stop/2, send_many/2, big_call/2, call/3, ping/1,
         spawn_remote_echo/1, nodes_now/0, collect_order/2, monitor_node_events/2, echo_forever/0,
         watch_remote_monitors/2, watch_lock_sets/2, erpc_many/2]).

%% A plain process that answers {From, X} with {echo, X}, for spawns from .NET.
echo_forever() -> receive {From, X} -> From ! {echo, X}, echo_forever() end.

%% N erpc calls to demo:echo on Node, one after another: ok when each returned its argument.
erpc_many(Node, N) ->
    lists:foreach(fun(I) -> I = erpc:call(Node, demo, echo, [I]) end, lists:seq(1, N)).

%% Boots the peer: an echo gen_server, then a ping to the .NET node so that this side opens the connection.
start([Dotnet]) ->
    {ok, _} = gen_server:start({local, peer_echo}, ?MODULE, [], []),
    Result = net_adm:ping(Dotnet),
    io:format("peer ready, ping ~p: ~p~n", [Dotnet, Result]).

init([]) -> {ok, nostate}.
handle_call({crash, Reason}, _From, S) -> {stop, Reason, S};
handle_call({sleep, Ms}, _From, S) -> timer:sleep(Ms), {reply, slept, S};
handle_call(X, _From, S) -> {reply, X, S}.
handle_cast({send, To, Msg}, S) -> To ! Msg, {noreply, S};
handle_cast(_, S) -> {noreply, S}.
handle_info(_, S) -> {noreply, S}.

%% A process that monitors Target and reports {down, Target, Reason} to ReportTo.
watch(Target, ReportTo) ->
    Self = self(),
    Pid = spawn(fun() ->
                        Ref = erlang:monitor(process, Target),
                        Self ! {monitoring, self()},
                        receive {'DOWN', Ref, process, Object, Reason} -> ReportTo ! {down, Object, Reason} end
                end),
    receive {monitoring, Pid} -> Pid end.

%% A trapping process linked to Target that reports {exit, From, Reason} to ReportTo.
link_trap(Target, ReportTo) ->
    Self = self(),
    Pid = spawn(fun() ->
                        process_flag(trap_exit, true),
                        link(Target),
                        Self ! {linked, self()},
                        receive {'EXIT', From, Reason} -> ReportTo ! {exit, From, Reason} end
                end),
    receive {linked, Pid} -> Pid end.

%% A process that waits for {stop, Reason} and exits with it.
sleeper() -> spawn(fun() -> receive {stop, Reason} -> exit(Reason) end end).

stop(Pid, Reason) -> Pid ! {stop, Reason}, ok.

send_many(Dest, N) -> [Dest ! {seq, I} || I <- lists:seq(1, N)], ok.

%% Receives N {seq, I} from .NET and checks their order.
collect_order(ReportTo, N) ->
    Pid = spawn(fun() -> ReportTo ! {order, collect(1, N)} end),
    Pid.
collect(I, N) when I > N -> ok;
collect(I, N) -> receive {seq, I} -> collect(I + 1, N); {seq, J} -> {out_of_order, I, J} after 10000 -> {timeout, I} end.

big_call(Dest, Bytes) ->
    Bin = crypto_free_bytes(Bytes),
    case gen_server:call(Dest, {big, Bin}, 30000) of
        {big, Bin} -> ok;
        Other -> {mismatch, byte_size(element(2, Other))}
    end.
crypto_free_bytes(N) -> list_to_binary([I rem 251 || I <- lists:seq(1, N)]).

call(Dest, Req, Timeout) -> catch gen_server:call(Dest, Req, Timeout).

ping(Node) -> net_adm:ping(Node).

spawn_remote_echo(Node) ->
    Pid = spawn(Node, demo, echo_server, []),
    {Pid, gen_server:call(Pid, {hello, from_erlang})}.

nodes_now() -> nodes().

monitor_node_events(Node, ReportTo) ->
    spawn(fun() -> monitor_node(Node, true), ReportTo ! monitoring_node, receive {nodedown, N} -> ReportTo ! {nodedown, N} end end).

%% Watches the process registered as Name: once a process of another node monitors it, reports
%% {monitors_cleared, Name} to ReportTo as soon as no such monitor is left, or {still_monitored, Name, Pids}
%% if some are still there 5 s later. Looks every millisecond.
watch_remote_monitors(Name, ReportTo) ->
    Target = whereis(Name),
    spawn(fun() -> await_remote_monitor(Name, Target, ReportTo) end),
    ok.

await_remote_monitor(Name, Target, ReportTo) ->
    case remote_monitors(Target) of
        [] -> timer:sleep(1), await_remote_monitor(Name, Target, ReportTo);
        _ -> await_no_remote_monitor(Name, Target, ReportTo, erlang:monotonic_time(millisecond) + 5000)
    end.

await_no_remote_monitor(Name, Target, ReportTo, Deadline) ->
    case remote_monitors(Target) of
        [] -> ReportTo ! {monitors_cleared, Name};
        Pids ->
            case erlang:monotonic_time(millisecond) > Deadline of
                true -> ReportTo ! {still_monitored, Name, Pids};
                false -> timer:sleep(1), await_no_remote_monitor(Name, Target, ReportTo, Deadline)
            end
    end.

remote_monitors(Pid) ->
    {monitored_by, By} = erlang:process_info(Pid, monitored_by),
    [P || P <- By, is_pid(P), node(P) =/= node()].

%% Traces global's locker here and reports {first_lock_set, received} to ReportTo if the first lock_set between
%% it and Node came from Node (that node locked first and drove the sync), or {first_lock_set, sent} if the
%% locker sent its own first. Returns once the trace is in place.
watch_lock_sets(Node, ReportTo) ->
    Caller = self(),
    Tracer = spawn(fun() ->
                           Locker = global:get_locker(),
                           1 = erlang:trace(Locker, true, [send, 'receive']),
                           Caller ! {tracing, self()},
                           await_lock_set(Locker, Node, ReportTo)
                   end),
    receive {tracing, Tracer} -> ok end.

await_lock_set(Locker, Node, ReportTo) ->
    receive
        {trace, Locker, 'receive', {lock_set, From, _, _, _}} when node(From) =:= Node ->
            ReportTo ! {first_lock_set, received};
        %% From protocol version 6 the locker casts its lock_set to the other node's global_name_server.
        {trace, Locker, send, {'$gen_cast', {lock_set, _, _, _, _}}, {global_name_server, Node}} ->
            ReportTo ! {first_lock_set, sent};
        _ ->
            await_lock_set(Locker, Node, ReportTo)
    end.
