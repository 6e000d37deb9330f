using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Demo;

/// <summary>
/// The registered <c>numbers</c> producer: 0, 1, 2, ... exactly as fast as its consumers ask. From Elixir:
/// <c>GenStage.stream([{{:numbers, :"demo@127.0.0.1"}, max_demand: 50}]) |> Enum.take(500)</c>.
/// </summary>
public sealed class Numbers : Producer
{
    private long _next;

    protected override ValueTask<ServerResult> HandleDemandAsync(int demand)
    {
        for (var i = 0; i < demand; i++)
            Emit(Integer.Of(_next++));
        return new(ServerResult.NoReply());
    }
}
