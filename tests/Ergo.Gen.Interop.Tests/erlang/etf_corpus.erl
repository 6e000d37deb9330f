%% Produces and checks the ETF interop corpus for Ergo.Gen.
%% generate/4 writes random terms (every type, every encoding option) as <<Len:32, Bin/binary>> records,
%% plus a fixed sample with its ~p text. check/2 decodes Erlang's originals and .NET's re-encodings and
%% insists they are =:=.
-module(etf_corpus).
-export([generate/4, check/2, pretty_sample/0]).

-define(OPTS, [[], [compressed], [{minor_version, 0}], [{minor_version, 1}], [{minor_version, 2}],
               [{compressed, 9}, {minor_version, 1}], [{compressed, 1}, {minor_version, 2}]]).

generate(CorpusFile, PrettyFile, Seed, Count) ->
    rand:seed(exsss, {Seed, Seed * 7 + 1, Seed * 13 + 2}),
    Live = live_terms(),
    {ok, F} = file:open(CorpusFile, [write, binary, raw]),
    Opts = ?OPTS,
    lists:foreach(
      fun(I) ->
              T = term(4, Live),
              O = lists:nth(1 + I rem length(Opts), Opts),
              ok = file:write(F, record(term_to_binary(T, O)))
      end, lists:seq(0, Count - 1)),
    %% Every live term and every edge case at least once, in every encoding.
    lists:foreach(
      fun(T) -> [ok = file:write(F, record(term_to_binary(T, O))) || O <- Opts] end,
      Live ++ edge_cases()),
    ok = file:close(F),
    {ok, P} = file:open(PrettyFile, [write, binary, raw]),
    lists:foreach(
      fun(T) ->
              Text = unicode:characters_to_binary(io_lib_pretty:print(T, [{line_length, 100000000}, {encoding, latin1}])),
              ok = file:write(P, [record(term_to_binary(T)), record(Text)])
      end, pretty_sample()),
    ok = file:close(P).

record(Bin) -> <<(byte_size(Bin)):32, Bin/binary>>.

check(CorpusFile, ResultFile) ->
    {ok, C} = file:read_file(CorpusFile),
    {ok, R} = file:read_file(ResultFile),
    {Count, Bad} = compare(C, R, 0, []),
    case Bad of
        [] -> io:format("ok ~p~n", [Count]), halt(0);
        _ ->
            [io:format("mismatch #~p~n  erlang: ~p~n  dotnet: ~p~n", [I, A, B]) || {I, A, B} <- lists:sublist(lists:reverse(Bad), 10)],
            io:format("failed ~p of ~p~n", [length(Bad), Count]),
            halt(1)
    end.

compare(<<>>, <<>>, N, Bad) -> {N, Bad};
compare(<<L1:32, B1:L1/binary, C/binary>>, <<L2:32, B2:L2/binary, R/binary>>, N, Bad) ->
    Orig = binary_to_term(B1),
    Ours = try binary_to_term(B2) catch _:E -> {undecodable, E, B2} end,
    case Orig =:= Ours of
        true -> compare(C, R, N + 1, Bad);
        false -> compare(C, R, N + 1, [{N, Orig, Ours} | Bad])
    end;
compare(_, _, N, Bad) -> {N, [{N, corpus_and_results_differ_in_length, none} | Bad]}.

%% ---- random terms --------------------------------------------------------------------------------

term(0, Live) -> leaf(Live);
term(D, Live) ->
    case rand:uniform(10) of
        N when N =< 5 -> leaf(Live);
        6 -> list_to_tuple([term(D - 1, Live) || _ <- lists:seq(1, small_len(D))]);
        7 -> [term(D - 1, Live) || _ <- lists:seq(1, small_len(D))];
        8 -> improper(D, Live);
        9 -> maps:from_list([{term(D - 1, Live), term(D - 1, Live)} || _ <- lists:seq(1, small_len(D))]);
        10 -> nest(rand:uniform(60), term(D - 1, Live))
    end.

%% Now and then a container too big for the small encodings (arity > 255, map > 32 keys), but only near the leaves.
small_len(1) -> case rand:uniform(20) of 20 -> rand:uniform(300); _ -> rand:uniform(6) - 1 end;
small_len(_) -> rand:uniform(5) - 1.

improper(D, Live) ->
    Tail = case rand:uniform(3) of 1 -> atom(); 2 -> integer(); 3 -> term(D - 1, Live) end,
    case Tail of
        L when is_list(L) -> [term(D - 1, Live)];
        _ -> lists:foldl(fun(E, Acc) -> [E | Acc] end, Tail, [term(D - 1, Live) || _ <- lists:seq(1, rand:uniform(4))])
    end.

nest(0, T) -> T;
nest(N, T) -> case N rem 3 of 0 -> nest(N - 1, [T]); 1 -> nest(N - 1, {T}); 2 -> nest(N - 1, #{k => T}) end.

leaf(Live) ->
    case rand:uniform(12) of
        1 -> integer();
        2 -> integer();
        3 -> float();
        4 -> atom();
        5 -> binary();
        6 -> bitstring();
        7 -> charlist();
        8 -> lists:nth(rand:uniform(length(Live)), Live);
        9 -> bignum();
        10 -> [];
        11 -> unicode_string();
        12 -> lists:nth(rand:uniform(length(Live)), Live)
    end.

integer() ->
    case rand:uniform(6) of
        1 -> rand:uniform(256) - 1;
        2 -> rand:uniform(1 bsl 31) - (1 bsl 30);
        3 -> -rand:uniform(1 bsl 31);
        4 -> lists:nth(rand:uniform(8), [0, 255, 256, -1, 2147483647, -2147483648, 2147483648, -2147483649]);
        5 -> rand:uniform(1 bsl 62) * (1 - 2 * rand:uniform(2) + 2);
        6 -> (1 bsl 63) - rand:uniform(3) + 1
    end.

bignum() ->
    Bits = rand:uniform(2000) + 60,
    V = rand:uniform(1 bsl Bits),
    case rand:uniform(2) of 1 -> V; 2 -> -V end.

float() ->
    case rand:uniform(6) of
        1 -> rand:uniform();
        2 -> (rand:uniform() - 0.5) * math:pow(10, rand:uniform(600) - 300);
        3 -> lists:nth(rand:uniform(8), [0.0, -0.0, 1.0, -1.5, 5.0e-324, 1.7976931348623157e308, 2.2250738585072014e-308, 0.1]);
        4 -> float(rand:uniform(1 bsl 53));
        5 -> rand:normal() * 1.0e6;
        6 -> -rand:uniform() * 1.0e-10
    end.

atom() ->
    case rand:uniform(6) of
        1 -> lists:nth(rand:uniform(8), [ok, error, true, false, undefined, '', 'hello world', 'Ünïcødé']);
        2 -> list_to_atom([$a + rand:uniform(26) - 1 || _ <- lists:seq(1, rand:uniform(30))]);
        3 -> list_to_atom([160 + rand:uniform(95) || _ <- lists:seq(1, rand:uniform(20))]);
        4 -> list_to_atom([16#3B1 + rand:uniform(20) || _ <- lists:seq(1, rand:uniform(10))]);
        5 -> list_to_atom(lists:sublist([C || C <- [rand:uniform(16#10FFFF) || _ <- lists:seq(1, 300)], C < 16#D800 orelse C > 16#DFFF], 255));
        6 -> list_to_atom(lists:duplicate(255, $x))
    end.

binary() ->
    case rand:uniform(5) of
        1 -> <<>>;
        2 -> crypto_bytes(rand:uniform(40));
        3 -> crypto_bytes(rand:uniform(70000));
        4 -> list_to_binary(lists:duplicate(rand:uniform(5000), $a));
        5 -> unicode:characters_to_binary(unicode_string())
    end.

bitstring() ->
    Bytes = crypto_bytes(rand:uniform(10)),
    Bits = rand:uniform(7),
    <<Bytes/binary, (rand:uniform(1 bsl Bits) - 1):Bits>>.

charlist() -> [rand:uniform(256) - 1 || _ <- lists:seq(1, rand:uniform(50))].

unicode_string() -> [rand:uniform(16#2000) || _ <- lists:seq(1, rand:uniform(20))].

crypto_bytes(N) -> << <<(rand:uniform(256) - 1)>> || _ <- lists:seq(1, N) >>.

%% ---- terms only a live node has -------------------------------------------------------------------

live_terms() ->
    Y = rand:uniform(1000),
    Pid = spawn(fun() -> receive stop -> ok end end),
    Port = open_port({spawn, "cat"}, []),
    [self(), Pid, make_ref(), erlang:monitor(process, Pid), alias(), Port, hd(erlang:ports()),
     fun lists:map/2, fun erlang:self/0, fun(X) -> X + Y end, fun() -> {Pid, Y, "captured"} end,
     fun ?MODULE:check/2, node(), {node(), self()}].

edge_cases() ->
    [0, -1, 255, 256, -256, 2147483647, -2147483648, 2147483648, -2147483649,
     (1 bsl 64) - 1, 1 bsl 64, -(1 bsl 64), 1 bsl 2040, -(1 bsl 2040), 1 bsl 2048, -(1 bsl 4000),
     0.0, -0.0, 5.0e-324, -5.0e-324, 1.7976931348623157e308, 1.0e-300, 123456.789,
     '', 'a', 'A', 'é', 'λ', '😀', list_to_atom(lists:duplicate(255, 16#1F600)),
     <<>>, <<0>>, <<1:1>>, <<255, 3:2>>, crypto_bytes(200000),
     [], "", "abc", [256], lists:seq(0, 255), lists:duplicate(65535, $x), lists:duplicate(65536, $x),
     [a | b], [1, 2 | 3], [[] | []], [alias | make_ref()],
     {}, {{}}, list_to_tuple(lists:seq(1, 256)), list_to_tuple(lists:seq(1, 1000)),
     #{}, #{a => 1}, maps:from_list([{I, I * I} || I <- lists:seq(1, 100)]),
     #{1 => a, 1.0 => b}, #{[] => <<>>, {} => #{}},
     nest(200, deep)].

%% ---- the fixed sample for ~p ----------------------------------------------------------------------

pretty_sample() ->
    [0, -1, 42, 1 bsl 70, -(1 bsl 70), 1.0, -0.0, 0.1, 1.0e3, 100.0, 1.0e-4, 1.23e-4, 123456789.0, 1.0e22,
     9007199254740992.0, 9007199254740991.0, 3.14159, 5.0e-324, 1.7976931348623157e308,
     ok, 'Hello', 'hello world', 'a\'b', 'back\\slash', '', 'é', 'ĀB', 'café', 'maybe', 'else', 'and', 'x@y', 'A1', 'a1_@B',
     'new\nline', 'tab\tand\e',
     <<>>, <<"abc">>, <<"quote\"d">>, <<1, 2, 3>>, <<"é"/utf8>>, <<1:1>>, <<1, 2, 3:5>>, <<"ab", 1:2>>, <<"line\n">>,
     [], "abc", "a\"b", [1, 2, 3], [97, 98, 256], [1, 2 | 3], [a | b], "é", "tab\t", [$a, 1, $b], [127],
     {}, {a, b}, {ok, [1, 2], <<"x">>}, [{k, v}, {k2, "v2"}],
     #{}, #{a => 1, b => 2}, #{b => 1, a => 2, 1 => x, 1.0 => y}, #{{} => [], [] => {}},
     fun lists:map/2, fun 'weird mod':'weird fun'/0,
     {nested, [#{list => [1.5, "str", <<"bin">>, 'Atom']}]}].
