using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.PubSub;
using Ergo.Gen.Testing;

namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// A .NET node in a Phoenix.PubSub of two Elixir nodes (pool size 2; elixir/pubsub_node.exs rebuilds the PG2
/// adapter's messages as phoenix_pubsub sends them): broadcast, broadcast_from and direct_broadcast in both
/// directions, each message seen exactly by the subscribers it is meant for.
/// </summary>
public sealed class PhoenixPubSubTests
{
    private static Atom A(string name) => Atom.Of(name);

    private static ErlangPeer ElixirNode(string name, Node dotnet) =>
        new(name, DistFixture.Cookie, "", "", program: "elixir", extraArgs:
        [
            "--name", $"{name}@127.0.0.1", "--cookie", DistFixture.Cookie,
            Path.Combine(AppContext.BaseDirectory, "elixir", "pubsub_node.exs"), "MyApp.PubSub", "2", dotnet.Name.Name,
        ]);

    [Fact]
    public async Task Broadcasts_in_every_form_reach_exactly_their_subscribers_on_elixir_and_dotnet_nodes()
    {
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_pubsub@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie });
        var pubsub = await PhoenixPubSub.StartAsync(node, "MyApp.PubSub", poolSize: 2);
        using var x = ElixirNode("ex_pubsub_x", node);
        using var y = ElixirNode("ex_pubsub_y", node);
        Assert.Contains("ping pong", await x.WaitForOutputAsync("pubsub ready", DistFixture.Wait));
        Assert.Contains("ping pong", await y.WaitForOutputAsync("pubsub ready", DistFixture.Wait));
        var (ex, ey) = (A(x.Name), A(y.Name));
        Task<Term> Ex(Atom peer, string function, params Term[] args) =>
            node.RpcAsync(peer, A("Elixir.PubSubNode"), A(function), args, DistFixture.Wait);
        Assert.Equal(A("pong"), await node.RpcAsync(ex, A("net_adm"), A("ping"), [ey], DistFixture.Wait));

        var topic = Binary.FromUtf8("news");
        var probe = new Probe(node);
        var other = new Probe(node);
        pubsub.Subscribe(probe.Pid, "news");
        pubsub.Subscribe(other.Pid, "news");
        Assert.Equal(A("ok"), await Ex(ex, "subscribe", topic));
        Assert.Equal(A("ok"), await Ex(ey, "subscribe", topic));

        // Each Elixir node's workers are seen here, in both groups of the pool, and ours there.
        var groups = new[] { A("Elixir.MyApp.PubSub.Adapter"), A("Elixir.MyApp.PubSub.Adapter_2") };
        var scope = Groups.ProcessGroups.Find(node, PhoenixPubSub.Scope)!;
        await Eventually.Until(() => Task.FromResult(groups.All(g => scope.GetMembers(g).Length == 3)));
        Assert.All(groups, g => Assert.Equal(3, scope.GetMembers(g).Length));
        foreach (var peer in new[] { ex, ey })
        {
            foreach (var g in groups)
            {
                await Eventually.Until(async () => ((List)await node.RpcAsync(peer, A("pg"), A("get_members"), [PhoenixPubSub.Scope, g], DistFixture.Wait)).Count == 3);
                Assert.Equal(3, ((List)await node.RpcAsync(peer, A("pg"), A("get_members"), [PhoenixPubSub.Scope, g], DistFixture.Wait)).Count);
            }
        }

        var got = new Dictionary<string, List<Term>> { ["probe"] = [], ["other"] = [] };
        async Task<List<Term>> ElixirGot(Atom peer) => [.. ((List)await Ex(peer, "received")).Elements];
        async Task Arrives(Term message, params string[] at)
        {
            foreach (var where in at)
            {
                if (where is "probe" or "other")
                {
                    got[where].Add(await (where == "probe" ? probe : other).ReceiveAsync() as Term ?? throw new InvalidOperationException());
                    Assert.Equal(message, got[where][^1]);
                }
                else
                {
                    var peer = where == "x" ? ex : ey;
                    await Eventually.Until(async () => (await ElixirGot(peer)).Contains(message));
                    Assert.Contains(message, await ElixirGot(peer));
                }
            }
        }

        // From Elixir: broadcast (several, so both groups of the pool carry some), direct_broadcast, broadcast_from.
        for (var i = 1; i <= 4; i++)
        {
            var m = new Etf.Tuple(A("from_x"), Integer.Of(i));
            Assert.Equal(A("ok"), await Ex(ex, "broadcast", A("Elixir.MyApp.PubSub"), topic, m));
            await Arrives(m, "probe", "other", "x", "y");
        }
        var direct = new Etf.Tuple(A("direct_from_x"), Integer.Of(5));
        Assert.Equal(A("ok"), await Ex(ex, "direct_broadcast", A("Elixir.MyApp.PubSub"), node.Name, topic, direct));
        await Arrives(direct, "probe", "other");
        var fromX = new Etf.Tuple(A("from_x_collector"), Integer.Of(6));
        Assert.Equal(A("ok"), await Ex(ex, "broadcast_from", topic, fromX));
        await Arrives(fromX, "probe", "other", "y");

        // From .NET: broadcast, direct_broadcast, broadcast_from.
        var fromDotnet = new Etf.Tuple(A("from_dotnet"), Binary.FromUtf8("hello"));
        pubsub.Broadcast("news", fromDotnet);
        await Arrives(fromDotnet, "probe", "other", "x", "y");
        var toY = new Etf.Tuple(A("direct_to_y"), Integer.Of(8));
        pubsub.DirectBroadcast(ey, "news", toY);
        await Arrives(toY, "y");
        var notProbe = new Etf.Tuple(A("from_probe"), Integer.Of(9));
        pubsub.BroadcastFrom(probe.Pid, "news", notProbe);
        await Arrives(notProbe, "other", "x", "y");

        // Exactly these, in this order, and nothing else anywhere.
        Term[] broadcasts = [.. Enumerable.Range(1, 4).Select(i => new Etf.Tuple(A("from_x"), Integer.Of(i)))];
        Assert.Equal([.. broadcasts, fromDotnet, notProbe], await ElixirGot(ex));
        Assert.Equal([.. broadcasts, fromX, fromDotnet, toY, notProbe], await ElixirGot(ey));
        await probe.NothingAsync();
        await other.NothingAsync();
        Assert.Equal([.. broadcasts, direct, fromX, fromDotnet], got["probe"]);
        Assert.Equal([.. broadcasts, direct, fromX, fromDotnet, notProbe], got["other"]);

        // An unsubscribed process hears nothing more; a topic nobody here follows costs nothing.
        pubsub.Unsubscribe(other.Pid, "news");
        var last = new Etf.Tuple(A("last"), Integer.Of(10));
        Assert.Equal(A("ok"), await Ex(ey, "broadcast", A("Elixir.MyApp.PubSub"), topic, last));
        await Arrives(last, "probe", "x");
        await other.NothingAsync();
    }
}
