using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Groups;

namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// OTP's <c>pg</c> across three real erl nodes and two .NET nodes: joins and leaves from every side, members that
/// exit, a node killed and a partition healed, each seen the same way by every node's scope.
/// </summary>
public sealed class ProcessGroupsTests
{
    private static Atom A(string name) => Atom.Of(name);

    private static readonly Term Group = new Etf.Tuple(A("room"), Binary.FromUtf8("lobby"));

    [Fact]
    public async Task Three_erlang_and_two_dotnet_nodes_agree_on_members_through_joins_leaves_exits_node_loss_and_a_healed_partition()
    {
        var distribution = new DistributionOptions { Cookie = DistFixture.Cookie };
        await using var a = await Node.StartAsync(new NodeOptions { Name = "dotnet_pg_a@127.0.0.1" }, distribution);
        await using var b = await Node.StartAsync(new NodeOptions { Name = "dotnet_pg_b@127.0.0.1" }, distribution);
        var groupsA = await ProcessGroups.StartAsync(a);
        var groupsB = await ProcessGroups.StartAsync(b);
        Task<Term> Erl(Atom peer, string module, string function, params Term[] args) =>
            a.RpcAsync(peer, A(module), A(function), args, DistFixture.Wait);

        using var e1 = ErlangPeer.DistPeer("erl_pg_1", a);
        using var e2 = ErlangPeer.DistPeer("erl_pg_2", a);
        using var e3 = ErlangPeer.DistPeer("erl_pg_3", a);
        var erls = new[] { A(e1.Name), A(e2.Name), A(e3.Name) };
        foreach (var peer in new[] { e1, e2, e3 })
            Assert.Contains("pong", await peer.WaitForOutputAsync("peer ready", DistFixture.Wait));
        foreach (var erl in erls)
            Assert.IsType<Pid>(((Etf.Tuple)await Erl(erl, "pg", "start", A("pg")))[1]);
        Atom[] all = [a.Name, b.Name, .. erls];
        await MeshAsync();

        async Task MeshAsync()
        {
            foreach (var erl in erls)
            {
                foreach (var other in all)
                    await Erl(erl, "net_adm", "ping", other);
            }
            Assert.True(await b.ConnectAsync(a.Name));
        }

        // What a node's scope says the group holds, in any order.
        async Task<HashSet<Pid>> MembersOn(Atom node) =>
            node == a.Name ? [.. groupsA.GetMembers(Group)]
            : node == b.Name ? [.. groupsB.GetMembers(Group)]
            : [.. ((List)await Erl(node, "pg", "get_members", Group)).Elements.Cast<Pid>()];

        async Task Expect(Pid[] members, params Atom[] on)
        {
            foreach (var node in on)
            {
                await Eventually.Until(async () => (await MembersOn(node)).SetEquals(members));
                Assert.True((await MembersOn(node)).SetEquals(members),
                    $"{node} sees [{string.Join(", ", await MembersOn(node))}], expected [{string.Join(", ", members.AsEnumerable())}]");
            }
        }

        // Joins from every side.
        var pa = new Probe(a).Pid;
        var pb = new Probe(b).Pid;
        await groupsA.JoinAsync(Group, pa);
        await groupsB.JoinAsync(Group, pb);
        var pe = new Pid[3];
        for (var i = 0; i < 3; i++)
        {
            pe[i] = Assert.IsType<Pid>(await Erl(erls[i], "dist_peer", "sleeper"));
            Assert.Equal(Atom.Ok, await Erl(erls[i], "pg", "join", Group, pe[i]));
        }
        await Expect([pa, pb, .. pe], all);
        Assert.Equal([pa], groupsA.GetLocalMembers(Group));
        Assert.Contains(Group, groupsB.WhichGroups());
        Assert.Equal([Group], groupsB.WhichLocalGroups());

        // Leaves from both kinds of node; a second leave is not_joined.
        Assert.True(await groupsA.LeaveAsync(Group, pa));
        Assert.False(await groupsA.LeaveAsync(Group, pa));
        Assert.Equal(Atom.Ok, await Erl(erls[1], "pg", "leave", Group, pe[1]));
        await Expect([pb, pe[0], pe[2]], all);

        // A member that exits leaves every group, on either kind of node.
        var doomed = new Probe(b).Pid;
        await groupsB.JoinAsync(Group, doomed);
        await Expect([pb, doomed, pe[0], pe[2]], all);
        b.Exit(doomed, A("kill"));
        Assert.Equal(Atom.True, await Erl(erls[0], "erlang", "exit", pe[0], A("kill")));
        await Expect([pb, pe[2]], all);

        // A node that dies takes its members with it.
        e3.Kill();
        Atom[] alive = [a.Name, b.Name, erls[0], erls[1]];
        await Expect([pb], alive);

        // A partition: b loses the first Erlang node, and each side drops the other's members; once healed, the
        // scopes discover each other again and agree.
        var back = Assert.IsType<Pid>(await Erl(erls[0], "dist_peer", "sleeper"));
        Assert.Equal(Atom.Ok, await Erl(erls[0], "pg", "join", Group, back));
        await Expect([pb, back], alive);
        b.Disconnect(erls[0]);
        await Eventually.Until(() => Task.FromResult(!groupsB.GetMembers(Group).Contains(back)));
        Assert.DoesNotContain(back, groupsB.GetMembers(Group));
        all = alive;
        erls = [erls[0], erls[1]];
        await MeshAsync();
        Assert.True(await b.ConnectAsync(erls[0]));
        await Expect([pb, back], alive);
    }
}
