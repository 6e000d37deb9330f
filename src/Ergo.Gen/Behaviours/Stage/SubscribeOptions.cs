using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// GenStage's subscription options. They travel to the producer as the keyword list GenStage sends
/// (<c>[{max_demand, N}, {min_demand, M}, {cancel, Mode}, {partition, P}]</c>), so an Elixir producer reads them too.
/// </summary>
public sealed record SubscribeOptions
{
    private static readonly Atom MaxDemandKey = Atom.Of("max_demand");
    private static readonly Atom MinDemandKey = Atom.Of("min_demand");
    private static readonly Atom CancelKey = Atom.Of("cancel");
    private static readonly Atom PartitionKey = Atom.Of("partition");
    private static readonly Atom SelectorKey = Atom.Of("selector");

    /// <summary>Events in flight at most (GenStage default 1000).</summary>
    public int MaxDemand { get; init; } = 1000;

    /// <summary>Ask again once outstanding demand falls to this; default MaxDemand / 2, as GenStage.</summary>
    public int? MinDemand { get; init; }

    public CancelMode Cancel { get; init; } = CancelMode.Permanent;

    /// <summary>For a producer with a <see cref="Dispatchers.PartitionDispatcher{T}"/>: the partition to receive.</summary>
    public Term? Partition { get; init; }

    /// <summary>For a producer with a <see cref="Dispatchers.BroadcastDispatcher{T}"/>: the events this consumer wants.
    /// Local subscriptions only (a .NET delegate cannot cross the wire).</summary>
    public Func<object, bool>? Selector { get; init; }

    /// <summary>Manual demand: nothing is asked automatically; the consumer calls <see cref="Stage{TIn, TOut}.Ask"/>.</summary>
    public bool Manual { get; init; }

    internal int EffectiveMinDemand => MinDemand ?? MaxDemand / 2;

    /// <summary>GenStage's validation: max ≥ 1, 0 ≤ min &lt; max. Returns the error message, or null.</summary>
    internal string? Validate()
    {
        if (MaxDemand < 1)
            return $"expected max_demand to be equal to or greater than 1, got: {MaxDemand}";
        if (EffectiveMinDemand < 0 || EffectiveMinDemand > MaxDemand - 1)
            return $"expected min_demand to be equal to or greater than 0 and less than {MaxDemand}, got: {EffectiveMinDemand}";
        return null;
    }

    internal List ToTerm()
    {
        var items = new List<Term>(4)
        {
            new Etf.Tuple(MaxDemandKey, Integer.Of(MaxDemand)),
            new Etf.Tuple(MinDemandKey, Integer.Of(EffectiveMinDemand)),
            new Etf.Tuple(CancelKey, Atom.Of(Cancel.ToString().ToLowerInvariant())),
        };
        if (Partition is not null)
            items.Add(new Etf.Tuple(PartitionKey, Partition));
        return new List(items.ToArray());
    }

    /// <summary>Reads the keyword list a consumer sent; unknown keys are ignored, as GenStage's producers do.
    /// A selector from another node is kept only as a flag (<paramref name="remoteSelector"/>): it cannot run here.</summary>
    internal static SubscribeOptions FromTerm(Term options, out bool remoteSelector)
    {
        remoteSelector = false;
        var result = new SubscribeOptions();
        if (options is not List list)
            return result;
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not Etf.Tuple { Arity: 2 } pair || pair[0] is not Atom key)
                continue;
            if (key == MaxDemandKey && pair[1] is Integer { IsSmall: true } max)
                result = result with { MaxDemand = (int)Math.Clamp(max.Value, int.MinValue, int.MaxValue) };
            else if (key == MinDemandKey && pair[1] is Integer { IsSmall: true } min)
                result = result with { MinDemand = (int)Math.Clamp(min.Value, int.MinValue, int.MaxValue) };
            else if (key == CancelKey && pair[1] is Atom mode)
                result = result with { Cancel = mode.Name switch { "transient" => CancelMode.Transient, "temporary" => CancelMode.Temporary, _ => CancelMode.Permanent } };
            else if (key == PartitionKey)
                result = result with { Partition = pair[1] };
            else if (key == SelectorKey && pair[1] != Atom.Of("nil"))
                remoteSelector = true;
        }
        return result;
    }
}
