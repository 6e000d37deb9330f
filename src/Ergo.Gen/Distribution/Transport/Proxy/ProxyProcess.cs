using Ergo.Gen.Processes;

namespace Ergo.Gen.Distribution.Transport;

/// <summary>The registered <c>ergo_proxy</c>: hands tunnel messages to the node's router.</summary>
internal sealed class ProxyProcess(ProxyRouter router) : Process
{
    protected override ValueTask HandleAsync(object message)
    {
        router.Handle(message);
        return ValueTask.CompletedTask;
    }
}
