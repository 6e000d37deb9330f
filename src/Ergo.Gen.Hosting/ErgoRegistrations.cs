namespace Ergo.Gen.Hosting;

/// <summary>What starts on the node once it is up, in the order it was registered.</summary>
public sealed class ErgoRegistrations
{
    internal List<Func<Node, IServiceProvider, Task>> Starts { get; } = [];
}
