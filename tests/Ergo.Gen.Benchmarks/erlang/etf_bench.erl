%% The Erlang side of the etf suite: term_to_binary/binary_to_term of the same representative message
%% that Ergo.Gen.Benchmarks uses. Prints "result etf.encode NS" and "result etf.decode NS" (best of Rounds).
-module(etf_bench).
-export([run/1]).

message() ->
    {'$gen_call', {self(), [alias | make_ref()]},
     {order, 1 bsl 40, 3.25, <<"widget">>, "note", #{qty => 12, sku => <<"A-1">>}}}.

run([Quick]) ->
    {N, Rounds} = case Quick of true -> {200000, 3}; false -> {1000000, 7} end,
    T = message(),
    B = term_to_binary(T),
    Enc = best(fun() -> encode_loop(T, N) end, N, Rounds),
    Dec = best(fun() -> decode_loop(B, N) end, N, Rounds),
    %% binary_to_term is Erlang's only decode, so it is the peer of both .NET decodes (term tree and typed records).
    io:format("result etf.encode ~.2f ns~nresult etf.decode ~.2f ns~nresult etf.decodetyped ~.2f ns~nsize etf.message ~p~n",
              [Enc, Dec, Dec, byte_size(B)]).

best(F, N, Rounds) ->
    lists:min([begin {Us, _} = timer:tc(F), Us * 1000 / N end || _ <- lists:seq(1, Rounds)]).

%% Results feed an accumulator: the compiler drops calls to pure BIFs such as term_to_binary whose value is unused.
encode_loop(T, N) -> encode_loop(T, N, 0).
encode_loop(_, 0, Acc) -> Acc;
encode_loop(T, N, Acc) -> encode_loop(T, N - 1, Acc + byte_size(term_to_binary(T))).

decode_loop(B, N) -> decode_loop(B, N, 0).
decode_loop(_, 0, Acc) -> Acc;
decode_loop(B, N, Acc) -> decode_loop(B, N - 1, Acc + tuple_size(binary_to_term(B))).
