using Ergo.Gen;
using Ergo.Gen.Behaviours;

// A GenStage pipeline: words -> upper -> printer. The printer asks for 4 events at a time (max_demand 4), so the
// producer is asked for no more than that: backpressure all the way up.
await using var node = new Node(new NodeOptions { Name = "pipeline@127.0.0.1" });
var done = new TaskCompletionSource();
await Words.StartAsync(node);
var upper = (await node.StartServerAsync(new Upper(StageAddress.Of(Words.RegisteredAs))))!;
await node.StartServerAsync(new Printer(upper, 12, done));
await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
Console.WriteLine($"the producer was asked for {Words.Demanded} words to print 12");

[Stage(StageType.Producer, Name = "words")]
public partial class Words
{
    private static readonly string[] Dictionary = ["otp", "beam", "stage", "demand", "event", "consumer", "producer", "backpressure"];
    private int _next;

    public static int Demanded;

    [Demand] IEnumerable<string> Produce(int demand)
    {
        Interlocked.Add(ref Demanded, demand);
        for (var i = 0; i < demand; i++)
            yield return Dictionary[_next++ % Dictionary.Length];
    }
}

[Stage(StageType.ProducerConsumer)]
public partial class Upper(StageAddress source)
{
    protected override ValueTask<InitResult> InitAsync()
    {
        Subscribe(source, new SubscribeOptions { MaxDemand = 4 });
        return new(InitResult.Ok());
    }

    [Events] IEnumerable<string> Shout(IReadOnlyList<string> words) => words.Select(w => w.ToUpperInvariant());
}

[Stage(StageType.Consumer)]
public partial class Printer(StageAddress source, int count, TaskCompletionSource done)
{
    private int _printed;

    protected override ValueTask<InitResult> InitAsync()
    {
        Subscribe(source, new SubscribeOptions { MaxDemand = 4, MinDemand = 2 });
        return new(InitResult.Ok());
    }

    [Events] void Print(IReadOnlyList<string> words)
    {
        foreach (var w in words)
        {
            if (_printed++ < count)
                Console.WriteLine($"{_printed,3} {w}");
        }
        if (_printed >= count)
            done.TrySetResult();
    }
}
