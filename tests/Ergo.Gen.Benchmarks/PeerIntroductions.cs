using Ergo.Gen.Etf;

namespace Ergo.Gen.Benchmarks;

/// <summary>
/// The full mesh that OTP's global makes (connect_all: a node connects to every node its peers know), made by the
/// cluster suite's Ergo.Gen members themselves: Ergo.Gen's global answers the syncs an Erlang node starts but
/// starts none, so two Ergo.Gen nodes never sync and neither learns the other's peers. When a member comes up,
/// it is told of our other members and they of it, through a process registered under the same name on every
/// Ergo.Gen member; each connects to the nodes it is told of. An Erlang member drops these messages (no such
/// name) and meshes through global as usual.
/// </summary>
internal static class PeerIntroductions
{
    private static readonly Atom Name = Atom.Of("cluster_bench_peers");

    /// <summary>Starts introducing on <paramref name="node"/>; <paramref name="isMember"/> is false for the hidden
    /// driver, which is introduced to no one.</summary>
    public static void Start(Node node, Func<Atom, bool> isMember)
    {
        Atom[] Members() => node.ConnectedNodes().Where(isMember).ToArray();
        var introducer = node.Spawn((ctx, message) =>
        {
            if (message is not List told)
                return ValueTask.CompletedTask;
            var connected = Members();
            foreach (var peer in told.Elements.OfType<Atom>())
            {
                if (peer != node.Name && Array.IndexOf(connected, peer) < 0)
                    _ = node.ConnectAsync(peer);
            }
            return ValueTask.CompletedTask;
        });
        node.Register(Name, introducer);
        node.NodeStatusChanged += (peer, up) =>
        {
            if (!up || !isMember(peer))
                return;
            var others = Members().Where(n => n != peer).ToArray();
            if (others.Length > 0)
                node.Send(Name, peer, new List(others.Cast<Term>().ToArray()));
            var newcomer = new List(peer);
            foreach (var other in others)
                node.Send(Name, other, newcomer);
        };
    }
}
