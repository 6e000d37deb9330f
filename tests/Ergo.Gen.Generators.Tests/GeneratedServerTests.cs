using Ergo.Gen.Behaviours;
using Ergo.Gen.Etf;
using Ergo.Gen.Generated;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Generators.Tests;

// Written the way a user writes them; this project runs the generator as an analyzer, as a user's would.
[Term] public sealed record Add(int N);
[Term] public sealed record Ok(long Total);
[Term] public sealed record Reset;
[Term] public sealed record Tagged(string Text, Priority Priority, long? Limit, IReadOnlyList<int> Values, Ok Nested, byte[] Blob);
public enum Priority { Low, VeryHigh }
[Term(AsMap = true)] public sealed record Profile(string Name, int Age, string? Nickname);
[Term(AsProplist = true)] public sealed record Options(int Retries, [Charlist] string Mode, Money Limit, ReadOnlyMemory<byte> Seed);
public readonly record struct Money(long Cents) : ITermCodec<Money>
{
    public static Term ToTerm(Money value) => new Etf.Tuple(Atom.Of("eur"), value.Cents);
    public static bool TryFromTerm(Term term, out Money value)
    {
        var ok = term is Etf.Tuple { Arity: 2 } t && ReferenceEquals(t[0], Atom.Of("eur")) && t[1] is Integer;
        value = ok ? new Money(((Integer)((Etf.Tuple)term)[1]).Value) : default;
        return ok;
    }
}
[Term] public sealed record Inventory(Dictionary<Priority, long> Counts, IReadOnlyDictionary<string, Ok>? Items);

[GenServer(Name = "gen_counter")]
public partial class GenCounter
{
    private long _total;

    [Call] Ok Handle(Add m) => new(_total += m.N);
    [Call] async ValueTask<long> Total(Atom _) { await Task.Yield(); return _total; }
    [Cast] void Handle(Reset _) => _total = 0;
}

// A server that calls itself through its own generated client (what EG0008 reports when it can see it).
[GenServer]
public partial class SelfCaller
{
    [Call] Ok Handle(Add m) => new(m.N);

    [Call]
    async Task<Term> Ask(Pid someone)
    {
        try
        {
            await Client.For(Node, someone).CallAsync(new Add(1), TimeSpan.FromMinutes(5));
            return Atom.Ok;
        }
        catch (CallException e)
        {
            return e.Reason;
        }
    }
}

// The same, but an unknown request is answered {error, {bad_call, Request}} rather than stopping the server.
[GenServer(UnknownMessages = UnknownMessages.LogAndContinue)]
public partial class LenientCounter
{
    private long _total;

    [Call] Ok Handle(Add m) => new(_total += m.N);
}

// A publisher and a subscriber of a typed event: the generator writes the atom, Register/Publish and the dispatch.
[GenServer]
[Event<Ok>("gen_totals", Buffer = 1)]
public partial class TotalsPublisher
{
    protected override ValueTask<InitResult> InitAsync() => new(RegisterGenTotals() ? InitResult.Ok() : InitResult.Stop(Atom.Of("taken")));

    [Call] Ok Handle(Add m)
    {
        PublishGenTotals(new Ok(m.N));
        return new(m.N);
    }
}

[GenServer]
internal partial class TotalsSubscriber(Probe probe)
{
    protected override async ValueTask<InitResult> InitAsync()
    {
        foreach (var kept in await MonitorEventAsync(TotalsPublisher.GenTotalsEvent))
            probe.Node.Send(probe.Pid, new Etf.Tuple(Atom.Of("kept"), (Term)kept));
        return InitResult.Ok();
    }

    [OnEvent("gen_totals")] void Total(Ok total) => probe.Node.Send(probe.Pid, total);
}

public sealed class GeneratedServerTests : IAsyncLifetime
{
    private readonly Node _node = new(new NodeOptions { Name = "gen_tests@127.0.0.1" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Typed_events_are_published_as_terms_and_reach_OnEvent_handlers_typed()
    {
        var probe = new Probe(_node);
        var publisher = await _node.StartServerAsync(new TotalsPublisher());
        await _node.CallAsync(publisher!, new Add(1));
        await Assert.ThrowsAsync<ExitException>(() => _node.StartServerAsync(new TotalsPublisher()));

        await _node.StartServerAsync(new TotalsSubscriber(probe));
        var kept = await probe.ReceiveAsync<Etf.Tuple>();
        Assert.True(TermCodec.TryFromTerm((Term)kept[1], out Ok first), "the kept message is the payload's term");
        Assert.Equal(new Ok(1), first);

        await _node.CallAsync(publisher!, new Add(2));
        Assert.Equal(new Ok(2), await probe.ReceiveAsync<Ok>());
    }

    [Fact]
    public async Task Calls_and_casts_from_dotnet_reach_the_typed_handlers()
    {
        var pid = await GenCounter.StartAsync(_node);
        Assert.Equal(pid, _node.Whereis(GenCounter.RegisteredAs));
        Assert.Equal(new Ok(5), await _node.CallAsync(GenCounter.RegisteredAs, new Add(5)));
        Assert.Equal(new Ok(7), await _node.CallAsync(pid!, new Add(2)));
        Assert.Equal(7L, await _node.CallAsync(pid!, Atom.Of("total")));
        _node.Cast(pid!, new Reset());
        Assert.Equal(0L, await _node.CallAsync(pid!, Atom.Of("total")));
    }

    [Fact]
    public async Task Erlang_shaped_terms_are_decoded_into_the_handler_types_and_replies_encoded()
    {
        var pid = await GenCounter.StartAsync(_node);
        var inbox = System.Threading.Channels.Channel.CreateUnbounded<object>();
        var probe = _node.Spawn((ctx, m) => { inbox.Writer.TryWrite(m); return ValueTask.CompletedTask; });
        var tag = _node.MakeRef();
        _node.Send(pid!, new Etf.Tuple(Atom.Of("$gen_call"), new Etf.Tuple(probe, tag), new Etf.Tuple(Atom.Of("add"), 40)));
        Assert.Equal(new Etf.Tuple(tag, new Etf.Tuple(Atom.Of("ok"), 40)), await inbox.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        _node.Send(pid!, new Etf.Tuple(Atom.Of("$gen_cast"), Atom.Of("reset")));
        _node.Send(pid!, new Etf.Tuple(Atom.Of("$gen_call"), new Etf.Tuple(probe, tag), Atom.Of("total")));
        Assert.Equal(new Etf.Tuple(tag, Integer.Of(0)), await inbox.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task An_unknown_call_stops_the_server_with_bad_call_and_the_caller_fails_at_once_as_in_gen_server()
    {
        var pid = await GenCounter.StartAsync(_node);
        var monitor = new Probe(_node);
        await monitor.RunAsync(ctx => ctx.Monitor(pid!));
        _node.Send(pid!, Atom.Of("stray"));
        Assert.Equal(new Ok(1), await _node.CallAsync(pid!, new Add(1)));

        // No timeout to wait out: the server's exit is the caller's answer.
        var failed = await Assert.ThrowsAsync<CallException>(() => _node.CallAsync(pid!, Integer.Of(42), TimeSpan.FromMinutes(5)).AsTask());
        Assert.Equal(new Etf.Tuple(Atom.Of("bad_call"), Integer.Of(42)), failed.Reason);
        Assert.Equal(new Etf.Tuple(Atom.Of("bad_call"), Integer.Of(42)), (await monitor.ReceiveAsync<Processes.DownMessage>()).Reason);
    }

    [Fact]
    public async Task A_server_calling_itself_through_its_client_fails_at_once_with_calling_self()
    {
        var pid = await _node.StartServerAsync(new SelfCaller());
        Assert.Equal(Atom.Of("calling_self"), await _node.CallAsync(pid!, pid!));
    }

    [Fact]
    public async Task An_unknown_cast_stops_the_server_with_bad_cast()
    {
        var pid = await GenCounter.StartAsync(_node);
        var monitor = new Probe(_node);
        await monitor.RunAsync(ctx => ctx.Monitor(pid!));
        _node.Cast(pid!, new Etf.Tuple(Atom.Of("unknown"), 1));
        Assert.Equal(new Etf.Tuple(Atom.Of("bad_cast"), new Etf.Tuple(Atom.Of("unknown"), 1)), (await monitor.ReceiveAsync<Processes.DownMessage>()).Reason);
    }

    [Fact]
    public async Task A_lenient_server_answers_an_unknown_call_with_an_error_and_goes_on()
    {
        var pid = await _node.StartServerAsync(new LenientCounter());
        Assert.Equal(new Etf.Tuple(Atom.Error, new Etf.Tuple(Atom.Of("bad_call"), Atom.Of("nonsense"))), await _node.CallAsync(pid!, Atom.Of("nonsense")));
        _node.Cast(pid!, Atom.Of("nonsense"));
        Assert.Equal(new Ok(3), await _node.CallAsync(pid!, new Add(3)));
    }

    [Fact]
    public async Task A_request_that_does_not_decode_is_logged_with_the_field_and_the_term_received()
    {
        var logs = new Microsoft.Extensions.Logging.Testing.FakeLogCollector();
        await using var node = new Node(new NodeOptions
        {
            Name = "gen_logs@127.0.0.1",
            LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => Microsoft.Extensions.Logging.LoggingBuilderExtensions.AddProvider(b, new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider(logs))),
        });
        var pid = await node.StartServerAsync(new LenientCounter());
        var reply = await node.CallAsync(pid!, new Etf.Tuple(Atom.Of("add"), Binary.FromUtf8("seven")));
        Assert.Equal(Atom.Error, ((Etf.Tuple)reply!)[0]);
        var line = Assert.Single(logs.GetSnapshot(), r => r.Message.Contains("no handler takes")).Message;
        Assert.Contains("not a Ergo.Gen.Generators.Tests.Add: field N (int) cannot be read from <<\"seven\">>", line);
    }

    [Fact]
    public void Term_codecs_round_trip_through_the_etf_layer()
    {
        var value = new Tagged("héllo", Priority.VeryHigh, null, [1, 2, 3], new Ok(9), [1, 2]);
        var term = TermCodec.ToTerm(value);
        Assert.Equal("{tagged,<<\"hÃ©llo\">>,very_high,undefined,[1,2,3],{ok,9},<<1,2>>}", term.ToString());
        var decoded = EtfCodec.Decode(EtfCodec.Encode(term));
        Assert.True(TermCodec.TryFromTerm(decoded, out Tagged back));
        Assert.Equal(value.Text, back.Text);
        Assert.Equal(value.Priority, back.Priority);
        Assert.Null(back.Limit);
        Assert.Equal(value.Values, back.Values);
        Assert.Equal(value.Nested, back.Nested);
        Assert.Equal(value.Blob, back.Blob);
        Assert.Equal(Atom.Of("reset"), TermCodec.ToTerm(new Reset()));

        var profile = TermCodec.ToTerm(new Profile("Ada", 36, null));
        Assert.Equal("#{age => 36,name => <<\"Ada\">>,nickname => undefined}", profile.ToString());
        // Keys in any order, and a missing nullable key, as an Elixir map may arrive.
        var partial = EtfCodec.Decode(EtfCodec.Encode(new Map(
            new KeyValuePair<Term, Term>(Atom.Of("age"), 7), new KeyValuePair<Term, Term>(Atom.Of("name"), Binary.FromUtf8("Bo")))));
        Assert.True(TermCodec.TryFromTerm(partial, out Profile p));
        Assert.Equal(new Profile("Bo", 7, null), p);
        Assert.False(TermCodec.TryFromTerm(new Map(new KeyValuePair<Term, Term>(Atom.Of("age"), 7)), out Profile _));

        // A proplist, a charlist member, a type with its own codec, a ReadOnlyMemory<byte> binary.
        var options = TermCodec.ToTerm(new Options(3, "fast", new Money(250), new byte[] { 1 }));
        Assert.Equal("[{retries,3},{mode,\"fast\"},{limit,{eur,250}},{seed,<<1>>}]", options.ToString());
        Assert.True(TermCodec.TryFromTerm(EtfCodec.Decode(EtfCodec.Encode(options)), out Options o));
        Assert.Equal((3, "fast", new Money(250), (byte)1), (o.Retries, o.Mode, o.Limit, o.Seed.Span[0]));

        // Dictionaries are maps, keys and values converted like any member.
        var inventory = new Inventory(new() { [Priority.Low] = 3, [Priority.VeryHigh] = 1 }, new Dictionary<string, Ok> { ["a"] = new(5) });
        var mapTerm = TermCodec.ToTerm(inventory);
        Assert.Equal("{inventory,#{low => 3,very_high => 1},#{<<\"a\">> => {ok,5}}}", mapTerm.ToString());
        Assert.True(TermCodec.TryFromTerm(EtfCodec.Decode(EtfCodec.Encode(mapTerm)), out Inventory inv));
        Assert.Equal(inventory.Counts, inv.Counts);
        Assert.Equal(new Ok(5), inv.Items!["a"]);
        Assert.True(TermCodec.TryFromTerm(TermCodec.ToTerm(inventory with { Items = null }), out Inventory noItems));
        Assert.Null(noItems.Items);
        Assert.False(TermCodec.TryFromTerm(new Etf.Tuple(Atom.Of("add"), Atom.Of("x")), out Add _));
        Assert.Equal("very_high", TermConvert.SnakeCase(nameof(Priority.VeryHigh)));
        // The generator and the runtime spell snake_case the same way.
        foreach (var name in new[] { "HTTPServerError", "PlaceOrder", "A", "already_snake", "IOStream2X" })
            Assert.Equal(Helpers.Naming.SnakeCase(name), TermConvert.SnakeCase(name));
    }
}

[Supervisor(Strategy.OneForOne, Intensity = 3, Name = "gen_sup")]
[Child<GenCounter>]
public partial class GenSup;

public sealed class GeneratedSupervisorTests
{
    [Fact]
    public async Task A_declared_tree_starts_its_children_and_restarts_them()
    {
        await using var node = new Node(new NodeOptions { Name = "gen_sup_tests@127.0.0.1" });
        var sup = await GenSup.StartAsync(node);
        Assert.Equal(sup, node.Whereis(GenSup.RegisteredAs));
        var first = node.Whereis(GenCounter.RegisteredAs)!;
        Assert.Equal(new Ok(3), await node.CallAsync(GenCounter.RegisteredAs, new Add(3)));
        node.Exit(first, Atom.Of("boom"));
        for (var i = 0; i < 200 && (node.Whereis(GenCounter.RegisteredAs) is null || node.Whereis(GenCounter.RegisteredAs) == first); i++)
            await Task.Delay(10);
        Assert.NotEqual(first, node.Whereis(GenCounter.RegisteredAs));
        Assert.Equal(new Ok(1), await node.CallAsync(GenCounter.RegisteredAs, new Add(1)));
        var children = await Supervisor.Client.For(node, sup!).WhichChildrenAsync();
        Assert.Equal("gen_counter", Assert.Single(children).Id);
    }
}

public sealed class TypedClientTests
{
    [Fact]
    public async Task The_typed_client_calls_and_casts_by_name_and_by_pid()
    {
        await using var node = new Node(new NodeOptions { Name = "client_tests@127.0.0.1" });
        var pid = await GenCounter.StartAsync(node);
        var byName = GenCounter.Client.Registered(node);
        Ok ok = await byName.CallAsync(new Add(2));
        Assert.Equal(new Ok(2), ok);
        long total = await GenCounter.Client.For(node, pid!).CallAsync(Atom.Of("total"));
        Assert.Equal(2, total);
        byName.Cast(new Reset());
        Assert.Equal(0, await byName.CallAsync(Atom.Of("total")));
    }

    [Fact]
    public async Task The_typed_client_reaches_a_server_on_another_node_through_terms()
    {
        // Fixed ports, no EPMD: the other way nodes can find each other.
        var portA = FreePort.Next();
        var portB = FreePort.Next();
        var ports = new Dictionary<string, int> { ["client_a@127.0.0.1"] = portA, ["client_b@127.0.0.1"] = portB };
        await using var a = await Node.StartAsync(new NodeOptions { Name = "client_a@127.0.0.1" },
            new Distribution.DistributionOptions { Cookie = "typed", UseEpmd = false, Port = portA, StaticPorts = ports });
        await using var b = await Node.StartAsync(new NodeOptions { Name = "client_b@127.0.0.1" },
            new Distribution.DistributionOptions { Cookie = "typed", UseEpmd = false, Port = portB, StaticPorts = ports });
        var pid = await GenCounter.StartAsync(b);
        var remote = GenCounter.Client.Registered(a, b.Name);
        Assert.Equal(new Ok(5), await remote.CallAsync(new Add(5)));
        Assert.Equal(5, await remote.CallAsync(Atom.Of("total")));
        remote.Cast(new Reset());
        Assert.Equal(new Ok(1), await remote.CallAsync(new Add(1)));

        // By pid: a pid of another node makes the client send terms too.
        var byPid = GenCounter.Client.For(a, pid!);
        Assert.Equal(new Ok(3), await byPid.CallAsync(new Add(2)));
        byPid.Cast(new Reset());
        Assert.Equal(new Ok(1), await byPid.CallAsync(new Add(1)));
    }
}

/// <summary>Allocation counts cover every thread, so this runs alone, after the tests that run in parallel.</summary>
[CollectionDefinition(nameof(AllocationCounting), DisableParallelization = true)]
public sealed class AllocationCounting;

/// <summary>
/// What the framework allocates per message between processes, counted by the runtime (not timed): a process
/// casts to a generated server in a loop with one reused message object.
/// </summary>
[Collection(nameof(AllocationCounting))]
public sealed class AllocationPerMessageTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Casts_between_processes_allocate_nothing_per_message_in_steady_state()
    {
        await using var node = new Node(new NodeOptions { Name = "alloc_tests@127.0.0.1" });
        var server = (await GenCounter.StartAsync(node))!;
        var reset = new Reset();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rounds = 0;
        var sender = node.Spawn((ctx, m) =>
        {
            for (var i = 0; i < 500; i++)
                ctx.Cast(server, reset);
            // The reply arrives after every cast before it: the server has handled them all.
            ctx.Send(server, new Etf.Tuple(Atom.Of("$gen_call"), new Etf.Tuple(ctx.Self, Atom.Of("t")), Atom.Of("total")));
            if (m is Etf.Tuple)
                rounds++;
            if (rounds == 400)
                done.TrySetResult();
            return ValueTask.CompletedTask;
        });
        // Warm up (pools, JIT), then measure 200 rounds of 500 casts (a backlog within the per-thread node pool).
        node.Send(sender, Atom.Of("go"));
        while (rounds < 100)
            await Task.Delay(1);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var start = rounds;
        while (rounds < start + 200)
            await Task.Delay(1);
        var measured = rounds - start;
        var perMessage = (GC.GetTotalAllocatedBytes(precise: true) - before) / (measured * 500.0);
        output.WriteLine($"{perMessage:F2} bytes allocated per cast, all threads");
        Assert.True(perMessage < 8, $"{perMessage:F2} bytes per cast");
        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
