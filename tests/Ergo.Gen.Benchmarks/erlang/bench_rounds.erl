%% How the Erlang suites measure a scenario, as Rounds.cs does on the .NET side: warm-up runs for at least
%% two seconds (not counted), then the best of the measured rounds.
-module(bench_rounds).
-export([best/2]).

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
