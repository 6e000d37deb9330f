using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Distribution.Services;

/// <summary>
/// The registered <c>rex</c>: answers OTP's feature probe (<c>{From, features_request}</c>) so peers use erpc,
/// and serves the old-style <c>{call, M, F, A, GL}</c> from OTP 23 and earlier callers.
/// </summary>
internal sealed class Rex : GenServer
{
    private static readonly Atom FeaturesRequest = Atom.Of("features_request");
    private static readonly Atom FeaturesReply = Atom.Of("features_reply");
    private static readonly Atom Call = Atom.Of("call");
    private static readonly Atom BadRpc = Atom.Of("badrpc");
    private static readonly Atom ExitAtom = Atom.Of("EXIT");

    protected override ValueTask<ServerResult> HandleInfoAsync(object message)
    {
        if (message is Etf.Tuple { Arity: 2 } t && t[0] is Pid from && t[1] == FeaturesRequest)
            Node.Send(from, new Etf.Tuple(FeaturesReply, Node.Name, new List(Atom.Of("erpc"))));
        return new(ServerResult.NoReply());
    }

    protected override async ValueTask<CallResult> HandleCallAsync(object request, From from)
    {
        if (request is not Etf.Tuple { Arity: 5 } t || t[0] != Call || t[1] is not Atom m || t[2] is not Atom f || t[3] is not List args)
            return CallResult.Reply(new Etf.Tuple(BadRpc, Atom.Of("badarg")));
        var outcome = await Node.Rpc.InvokeAsync(m, f, args.Elements).ConfigureAwait(false);
        return CallResult.Reply(outcome.Kind == RpcOutcomeKind.Return ? outcome.Value : new Etf.Tuple(BadRpc, new Etf.Tuple(ExitAtom, outcome.Value)));
    }
}
