using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Distribution.Services;

/// <summary>
/// The registered <c>net_kernel</c>, as far as other nodes talk to it: <c>net_adm:ping</c> is a
/// gen_server call of <c>{is_auth, Node}</c> that must answer <c>yes</c>.
/// </summary>
internal sealed class NetKernel : GenServer
{
    private static readonly Atom IsAuth = Atom.Of("is_auth");
    private static readonly Atom Yes = Atom.Of("yes");

    protected override ValueTask<CallResult> HandleCallAsync(object request, From from) =>
        request is Etf.Tuple { Arity: 2 } t && t[0] == IsAuth
            ? new(CallResult.Reply(Yes))
            : new(CallResult.Reply(Atom.Error));

    protected override ValueTask<ServerResult> HandleInfoAsync(object message) => new(ServerResult.NoReply());
}
