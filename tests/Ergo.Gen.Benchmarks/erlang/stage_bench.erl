%% The Erlang side of the stage suite: a GenStage-style pipeline with plain processes, speaking GenStage's own
%% messages ({'$gen_producer', {Pid, Tag}, ...} / {'$gen_consumer', {Pid, Tag}, Events}) with its consumer's
%% demand rule (batches of max - min, ask again at min). GenStage itself is not installable here; this is the
%% lean core of it on the same VM. run/1 measures Erlang to Erlang, locally and to a peer node; the other
%% exports are what the .NET side calls to measure Erlang <-> Ergo.Gen.
-module(stage_bench).
-export([run/1, serve/0, producer/0, consumer/6, start_producer/0, start_consumer/5]).

-define(MAX, 1000).
-define(MIN, 500).

run([Quick]) ->
    {N, Rounds} = case Quick of true -> {2000000, 2}; false -> {10000000, 3} end,
    report("stage.local", bench_rounds:best(fun() -> pipeline(node(), N) end, Rounds)),
    bench_rounds:cpu_one("stage.local", fun() -> pipeline(node(), N) end, N),
    Dir = filename:dirname(code:which(?MODULE)),
    {ok, Peer, Node} = peer:start_link(#{name => stage_bench_peer, longnames => true, host => "127.0.0.1",
                                         args => ["-setcookie", atom_to_list(erlang:get_cookie()), "-pa", Dir]}),
    report("stage.dist", bench_rounds:best(fun() -> pipeline(Node, N) end, Rounds)),
    %% The producer runs on the peer: it is the sending side.
    bench_rounds:cpu("stage.dist", Node, node(), fun() -> pipeline(Node, N) end, N),
    peer:stop(Peer).

report(Name, Rate) -> io:format("result ~s ~.2f per_s~n", [Name, float(Rate)]).

%% A producer on ProducerNode, a consumer here; events per second until the consumer has N.
pipeline(ProducerNode, N) ->
    Producer = spawn(ProducerNode, ?MODULE, producer, []),
    T0 = erlang:monotonic_time(),
    Consumer = spawn(?MODULE, consumer, [Producer, ?MAX, ?MIN, N, self(), ok]),
    receive {done, Consumer} -> ok end,
    Producer ! stop,
    N / seconds(erlang:monotonic_time() - T0).

%% For the .NET side.
start_producer() -> spawn(?MODULE, producer, []).
start_consumer(Producer, Max, Min, N, ReportTo) -> spawn(?MODULE, consumer, [Producer, Max, Min, N, ReportTo, ok]).

producer() -> producer_loop(0, #{}).

producer_loop(Next, Subs) ->
    receive
        {'$gen_producer', {Pid, Tag}, {subscribe, _, _Opts}} ->
            erlang:monitor(process, Pid),
            producer_loop(Next, Subs#{Tag => Pid});
        {'$gen_producer', {_, Tag}, {ask, Demand}} ->
            case Subs of
                #{Tag := Pid} ->
                    Pid ! {'$gen_consumer', {self(), Tag}, lists:seq(Next, Next + Demand - 1)},
                    producer_loop(Next + Demand, Subs);
                _ ->
                    producer_loop(Next, Subs)
            end;
        {'$gen_producer', {Pid, Tag}, {cancel, Reason}} ->
            Pid ! {'$gen_consumer', {self(), Tag}, {cancel, Reason}},
            producer_loop(Next, maps:remove(Tag, Subs));
        {'DOWN', _, _, _, _} ->
            producer_loop(Next, Subs);
        stop ->
            ok
    end.

consumer(Producer, Max, Min, N, ReportTo, _) ->
    Tag = erlang:monitor(process, Producer),
    From = {self(), Tag},
    Producer ! {'$gen_producer', From, {subscribe, nil, [{max_demand, Max}, {min_demand, Min}]}},
    Producer ! {'$gen_producer', From, {ask, Max}},
    consume(Producer, Tag, Max, Min, Max, N),
    Producer ! {'$gen_producer', From, {cancel, normal}},
    ReportTo ! {done, self()}.

consume(_, _, _, _, _, Left) when Left =< 0 -> ok;
consume(Producer, Tag, Max, Min, Outstanding, Left) ->
    receive
        {'$gen_consumer', {_, Tag}, Events} when is_list(Events) ->
            {Outstanding1, Left1} = batches(Producer, Tag, Max, Min, Outstanding, Events, Left),
            consume(Producer, Tag, Max, Min, Outstanding1, Left1)
    end.

%% GenStage's split_batches: handle at most Max - Min events at a time, and ask back once at or below Min.
batches(_, _, _, _, Outstanding, [], Left) -> {Outstanding, Left};
batches(Producer, Tag, Max, Min, Outstanding, Events, Left) ->
    {Batch, Rest} = take(Max - Min, Events, []),
    Size = length(Batch),
    Remaining = Outstanding - Size,
    Outstanding1 = case Remaining =< Min of
        true -> Producer ! {'$gen_producer', {self(), Tag}, {ask, Max - Remaining}}, Max;
        false -> Remaining
    end,
    batches(Producer, Tag, Max, Min, Outstanding1, Rest, Left - Size).

take(0, Rest, Acc) -> {lists:reverse(Acc), Rest};
take(_, [], Acc) -> {lists:reverse(Acc), []};
take(K, [E | Rest], Acc) -> take(K - 1, Rest, [E | Acc]).

serve() -> receive stop -> ok end.

seconds(Native) -> erlang:convert_time_unit(Native, native, nanosecond) / 1.0e9.
