namespace Ergo.Gen.Benchmarks;

/// <summary>
/// How the suites measure a scenario, on every side: one warm-up run that is not counted, then the best of the
/// measured rounds. .NET compiles hot code in tiers over its first runs (a 1,000,000-message round can still be
/// running partly unoptimized code); the Erlang modules warm up the same way, so both sides are measured in
/// their steady state.
/// </summary>
internal static class Rounds
{
    public static double Best(int rounds, Func<double> scenario)
    {
        scenario();
        return Enumerable.Range(0, rounds).Max(_ => scenario());
    }
}
