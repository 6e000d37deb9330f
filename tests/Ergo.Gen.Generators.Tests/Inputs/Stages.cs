using System.Collections.Generic;
using System.Threading.Tasks;
using Ergo.Gen;
using Ergo.Gen.Behaviours;

namespace Demo;

[Term] public sealed record Ok(long Total);

[Stage(StageType.Producer, Name = "ticks")]
public partial class Ticks
{
    private long _next;

    [Demand] IEnumerable<long> Produce(int demand)
    {
        for (var i = 0; i < demand; i++)
            yield return _next++;
    }
}

[Stage(StageType.ProducerConsumer)]
public partial class Totals
{
    private long _sum;

    [Events] IEnumerable<Ok> Add(IReadOnlyList<long> ticks)
    {
        foreach (var t in ticks)
            yield return new Ok(_sum += t);
    }
}

[Stage(StageType.Consumer)]
public partial class Printer
{
    [Events] async ValueTask Print(IReadOnlyList<Ok> totals, Subscription from) => await Task.Yield();
}

// Handlers whose events may be null: the generated code compiles without a nullability warning, and Emit refuses a
// null event when the stage runs.
[Stage(StageType.Producer)]
public partial class Names
{
    [Demand] string?[]? Produce(int demand) => null;
}

[Stage(StageType.Producer)]
public partial class Lines
{
    [Demand] async Task<List<string?>> Read(int demand)
    {
        await Task.Yield();
        return [];
    }
}
