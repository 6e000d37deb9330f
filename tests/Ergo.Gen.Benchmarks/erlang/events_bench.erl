%% The Erlang side of the events suite: one publisher fanning every message out to many subscribers, locally and
%% to a peer node (through one relay process there, as Ergo.Gen's ergo_events does). Deliveries per second.
-module(events_bench).
-export([run/1, subscriber/2, relay/1]).

run([Quick]) ->
    {Subs, Msgs, Rounds} = case Quick of true -> {1000, 500, 2}; false -> {1000, 2000, 3} end,
    report("events.local", bench_rounds:best(fun() -> fanout(node(), Subs, Msgs) end, Rounds)),
    Dir = filename:dirname(code:which(?MODULE)),
    {ok, Peer, Node} = peer:start_link(#{name => events_bench_peer, longnames => true, host => "127.0.0.1",
                                         args => ["-setcookie", atom_to_list(erlang:get_cookie()), "-pa", Dir]}),
    report("events.dist", bench_rounds:best(fun() -> fanout(Node, Subs, Msgs) end, Rounds)),
    peer:stop(Peer).

report(Name, Rate) -> io:format("result ~s ~.2f per_s~n", [Name, float(Rate)]).

%% Subscribers live on Node; on another node they are reached through one relay there.
fanout(Node, Subs, Msgs) ->
    Self = self(),
    Pids = [spawn(Node, ?MODULE, subscriber, [Msgs, Self]) || _ <- lists:seq(1, Subs)],
    Targets = case Node =:= node() of
        true -> Pids;
        false -> [spawn(Node, ?MODULE, relay, [Pids])]
    end,
    T0 = erlang:monotonic_time(),
    publish(Targets, 0, Msgs),
    [receive {done, P} -> ok end || P <- Pids],
    Subs * Msgs / seconds(erlang:monotonic_time() - T0).

publish(_, N, N) -> ok;
publish(Targets, I, N) ->
    Message = {event, ticks, I},
    [T ! Message || T <- Targets],
    publish(Targets, I + 1, N).

relay(Pids) ->
    receive Message -> [P ! Message || P <- Pids], relay(Pids) end.

subscriber(0, ReportTo) -> ReportTo ! {done, self()};
subscriber(N, ReportTo) -> receive {event, _, _} -> subscriber(N - 1, ReportTo) end.

seconds(Native) -> erlang:convert_time_unit(Native, native, nanosecond) / 1.0e9.
