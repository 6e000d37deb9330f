using System.Collections.Immutable;
using Ergo.Gen.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Ergo.Gen.Analyzers.Tests;

/// <summary>Diagnostics' messages, where they must not appear, and the code fixes. (Where each must appear: MistakeCorpusTests.)</summary>
public sealed class AnalyzerTests
{
    private const string Usings = "";

    /// <summary>The Ergo.Gen diagnostics a command-line build shows, from the generator and the analyzers.</summary>
    private static async Task<Diagnostic[]> Analyze(string source) => (await UserBuild.RunAsync(source)).Visible.ToArray();

    private static async Task Expect(string source, params string[] ids)
    {
        var found = await Analyze(source);
        Assert.Equal(ids.OrderBy(i => i), found.Select(d => d.Id).OrderBy(i => i));
    }

    [Fact]
    public async Task EG0001_a_gen_server_that_is_not_partial()
    {
        await Expect("[GenServer] public class Counter { }", "EG0001");
        await Expect("[GenServer] public partial class Counter { }");
        var d = (await Analyze("[GenServer] public class Counter { }")).Single();
        Assert.Contains("'Counter'", d.GetMessage());
    }

    [Fact]
    public async Task EG0001_a_stage_saga_or_worker_that_is_not_partial()
    {
        await Expect("[Stage(StageType.Producer)] public class Numbers { }", "EG0001");
        await Expect("[Saga] public class Orders { }", "EG0001");
        await Expect("[SagaWorker] public class Packer { }", "EG0001");
        var d = (await Analyze("[Saga] public class Orders { }")).Single();
        Assert.Contains("[Saga]", d.GetMessage());
    }

    [Fact]
    public async Task EG0002_a_stage_or_saga_with_a_base_class_of_its_own()
    {
        await Expect("public class Base { } [Stage(StageType.Consumer)] public partial class C : Base { }", "EG0002");
        await Expect("public class Base { } [Saga] public partial class S : Base { }", "EG0002");
        await Expect("[Stage(StageType.Consumer)] public partial class C : Consumer { }");
    }

    [Fact]
    public async Task A_stage_that_names_its_own_base_builds_when_its_handlers_take_the_base_s_events_and_gets_EG0003_otherwise()
    {
        // Its own base, typed or untyped, is kept: no CS0263 from a generated half naming another.
        foreach (var source in new[]
        {
            "[Stage(StageType.Consumer)] public partial class C : Consumer { }",
            "[Stage(StageType.Consumer)] public partial class C : Consumer<long> { [Events] void Take(IReadOnlyList<long> e) { } }",
            "[Stage(StageType.Producer)] public partial class P : Producer<long> { [Demand] IEnumerable<long> D(int n) { yield return n; } }",
            "[Stage(StageType.ProducerConsumer)] public partial class PC : ProducerConsumer { [Events] IEnumerable<object> E(IReadOnlyList<object> e) => e; }",
        })
        {
            var build = await UserBuild.RunAsync(source);
            Assert.Empty(build.Errors);
            Assert.Empty(build.Visible);
        }
        await Expect("[Stage(StageType.Consumer)] public partial class C : Consumer { [Events] void Take(IReadOnlyList<long> e) { } }", "EG0003");
        await Expect("[Stage(StageType.Producer)] public partial class P : Producer<int> { [Demand] IEnumerable<long> D(int n) { yield return n; } }", "EG0003");
        var d = (await Analyze("[Stage(StageType.Consumer)] public partial class C : Consumer { [Events] void Take(IReadOnlyList<long> e) { } }")).Single();
        Assert.Contains("takes long events, but the class's base Ergo.Gen.Behaviours.Consumer takes object", d.GetMessage());
    }

    [Fact]
    public async Task EG0003_stage_and_saga_callbacks_with_invalid_signatures_or_on_the_wrong_class()
    {
        await Expect("[Stage(StageType.Consumer)] public partial class C { [Demand] void D(int n) { } }", "EG0003");
        await Expect("[Stage(StageType.Producer)] public partial class P { [Demand] void D(long n) { } }", "EG0003");
        await Expect("[Stage(StageType.Producer)] public partial class P { [Events] void E(long[] e) { } }", "EG0003");
        await Expect("[Stage(StageType.Consumer)] public partial class C { [Events] void E(long e) { } }", "EG0003");
        await Expect("[Saga] public partial class S { [TxNew] void N(Term value) { } }", "EG0003");
        await Expect("[Saga] public partial class S { [JobStart] void J(SagaJob job, Term value) { } }", "EG0003");
        await Expect("[SagaWorker] public partial class W { [JobStart] static void J(SagaJob job, Term value) { } }", "EG0003");
        await Expect("""
            [Stage(StageType.Producer)] public partial class P { [Demand] System.Collections.Generic.IEnumerable<long> D(int n) => new long[0]; }
            [Stage(StageType.ProducerConsumer)] public partial class Q { [Events] long[] E(System.Collections.Generic.IReadOnlyList<long> e, Subscription from) => new long[0]; }
            [Saga] public partial class S { [TxNew] void N(SagaTransaction tx, Term v) { } [TxResult] void R(SagaTransaction tx, SagaParticipant p, Atom v) { } [TxInterim] void I(SagaTransaction tx, Term v) { } }
            [SagaWorker] public partial class W { [JobStart] Task J(SagaJob job, Term value) => Task.CompletedTask; [JobCommit] void C(SagaJob job, Atom a) { } }
            """);
    }

    [Fact]
    public async Task EG0002_a_gen_server_with_a_base_class_of_its_own()
    {
        await Expect("public class Base { } [GenServer] public partial class Counter : Base { }", "EG0002");
        await Expect("public interface IThing { } [GenServer] public partial class Counter : IThing { }");
    }

    [Fact]
    public async Task EG0003_handlers_with_invalid_signatures()
    {
        await Expect("[GenServer] public partial class C { [Call] int H() => 1; }", "EG0003");
        await Expect("[GenServer] public partial class C { [Cast] int H(Atom a) => 1; }", "EG0003");
        await Expect("[GenServer] public partial class C { [Cast] void H(Atom a, From f) { } }", "EG0003");
        await Expect("[GenServer] public partial class C { [Call] static int H(Atom a) => 1; }", "EG0003");
        await Expect("[GenServer] public partial class C { [Call] int H(Atom a, From f) => 1; [Cast] Task K(Pid p) => Task.CompletedTask; [Info] void I(Reference r) { } }");
        // An [OnEvent] handler the generator would skip: no payload, two parameters, a reply, static.
        await Expect("[GenServer] public partial class C { [OnEvent(\"quotes\")] void H() { } }", "EG0003");
        await Expect("[GenServer] public partial class C { [OnEvent(\"quotes\")] void H(Atom a, Pid p) { } }", "EG0003");
        await Expect("[GenServer] public partial class C { [OnEvent(\"quotes\")] int H(Atom a) => 1; }", "EG0003");
        await Expect("[GenServer] public partial class C { [OnEvent(\"quotes\")] static void H(Atom a) { } }", "EG0003");
        await Expect("[GenServer] public partial class C { [OnEvent(\"quotes\")] ValueTask H(Atom a) => default; }");
    }

    [Fact]
    public async Task EG0004_two_handlers_for_the_same_message_type()
    {
        await Expect("[GenServer] public partial class C { [Call] int A(Atom a) => 1; [Call] int B(Atom a) => 2; }", "EG0004");
        await Expect("[GenServer] public partial class C { [Call] int A(Atom a) => 1; [Cast] void B(Atom a) { } }");
        // Events: one handler per event and type; the same type for two events, or an [Info] of it too, is fine.
        await Expect("[GenServer] public partial class C { [OnEvent(\"a\")] void A(Atom a) { } [OnEvent(\"a\")] void B(Atom a) { } }", "EG0004");
        await Expect("[GenServer] public partial class C { [OnEvent(\"a\")] void A(Atom a) { } [OnEvent(\"b\")] void B(Atom a) { } [Info] void I(Atom a) { } }");
    }

    [Fact]
    public async Task EG0005_a_term_member_with_no_etf_form()
    {
        var d = (await Analyze("[Term] public sealed record Bad(int Ok, System.IO.Stream Stream);")).Single();
        Assert.Equal("EG0005", d.Id);
        Assert.Contains("Bad.Stream", d.GetMessage());
        await Expect("public enum E { A } [Term] public sealed record Inner(int X); [Term] public sealed record Good(string S, int? N, E E, Inner I, System.Collections.Generic.List<long> L, byte[] B, Pid P, Term T, System.Collections.Generic.Dictionary<string, Inner> D);");
    }

    [Fact]
    public async Task EG0006_blocking_waits_inside_handlers()
    {
        await Expect("[GenServer] public partial class C { [Call] int H(Atom a) { Thread.Sleep(10); return 1; } }", "EG0006");
        await Expect("[GenServer] public partial class C { [Call] int H(Atom a) => Task.FromResult(1).Result; }", "EG0006");
        await Expect("[GenServer] public partial class C { [Call] async Task<int> H(Atom a) { await Task.Delay(1); return 1; } }");
        await Expect("public class NotAServer { int H() { Thread.Sleep(1); return 1; } }");
    }

    [Fact]
    public async Task EG0007_a_tag_that_is_not_a_valid_atom()
    {
        await Expect($"[Term(\"{new string('x', 256)}\")] public sealed record Long(int A);", "EG0007");
        await Expect($"[Term(Tag = \"{new string('x', 255)}\")] public sealed record Fine(int A);");
    }

    [Fact]
    public async Task EG0008_a_server_calling_itself()
    {
        await Expect("[GenServer] public partial class C { [Call] async Task<object?> H(Atom a) => await CallAsync(Self, a); }", "EG0008");
        await Expect("[GenServer(Name = \"c\")] public partial class C { [Call] async Task<object?> H(Atom a) => await CallAsync(RegisteredAs, a); }", "EG0008");
        await Expect("[GenServer] public partial class C { [Call] async Task<object?> H(Pid other) => await CallAsync(other, other); }");
        // A client for another server, or for itself on another node, is not a self-call.
        await Expect("[GenServer(Name = \"c\")] public partial class C { [Call] int H(Atom a) => 1; [Cast] async Task K(Atom node) => await Client.Registered(Node, node).CallAsync(Atom.Ok); }");
    }

    [Fact]
    public async Task EG0009_a_supervisor_child_that_is_not_a_process()
    {
        var d = (await Analyze("public class Plain { } [Supervisor] [Child<Plain>] public partial class Sup;")).Single(x => x.Id.StartsWith("EG"));
        Assert.Equal("EG0009", d.Id);
        Assert.Contains("'Plain'", d.GetMessage());
        await Expect("public class NoNew : Ergo.Gen.Processes.Process { public NoNew(int x) { } protected override ValueTask HandleAsync(object m) => default; } [Supervisor] [Child<NoNew>] public partial class Sup;", "EG0009");
        await Expect("[GenServer] public partial class Worker { } [Supervisor] [Child<Worker>] public partial class Sup;");
    }

    [Fact]
    public async Task EG0010_an_info_handler_for_a_type_nothing_sends()
    {
        await Expect("public sealed record Tick; [GenServer] public partial class C { [Info] void H(Tick t) { } }", "EG0010");
        await Expect("public sealed record Tick; [GenServer] public partial class C { [Info] void H(Tick t) { } void Go() => System.Console.WriteLine(new Tick()); }");
        await Expect("[Term] public sealed record Tick; [GenServer] public partial class C { [Info] void H(Tick t) { } }");
        await Expect("[GenServer] public partial class C { [Info] void H(Atom a) { } }");
    }

    /// <summary>The fix for the generator's diagnostic in <paramref name="source"/>, applied as the IDE would.</summary>
    private static async Task<string?> Fix(CodeFixProvider provider, string id, string source)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject("p", LanguageNames.CSharp);
        project = project.AddDocument("Usings.cs", SourceText.From(UserBuild.Usings)).Project;
        var document = project.AddDocument(UserBuild.UserFile, SourceText.From(source));
        var diagnostic = (await UserBuild.RunAsync(source)).Visible.Single(d => d.Id == id);
        var actions = new List<CodeAction>();
        await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), CancellationToken.None));
        if (actions.Count == 0)
            return null;
        var operations = await Assert.Single(actions).GetOperationsAsync(CancellationToken.None);
        return (await operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(document.Id)!.GetTextAsync()).ToString();
    }

    [Fact]
    public async Task The_EG0003_fix_makes_a_static_handler_an_instance_method()
    {
        var text = await Fix(new RemoveStaticCodeFix(), "EG0003", "[GenServer] public partial class C { [Call] static int H(Atom a) => 1; }");
        Assert.Contains("[Call] int H(Atom a) => 1;", text);
        // Other signature problems get no automatic fix.
        Assert.Null(await Fix(new RemoveStaticCodeFix(), "EG0003", "[GenServer] public partial class D { [Call] int H() => 1; }"));
    }

    [Fact]
    public async Task The_EG0001_fix_makes_the_class_partial()
    {
        var text = await Fix(new MakePartialCodeFix(), "EG0001", "[GenServer] public class Counter { }");
        Assert.Contains("public partial class Counter", text);
        var outer = await Fix(new MakePartialCodeFix(), "EG0001", "public static class Outer { [GenServer] public partial class Inner { } }");
        Assert.Contains("public static partial class Outer", outer);
    }

    [Fact]
    public async Task The_EG0011_fix_makes_an_async_void_handler_return_a_task()
    {
        var text = await Fix(new AsyncVoidCodeFix(), "EG0011", "[GenServer] public partial class C { [Cast] async void H(Atom a) { await Task.Yield(); } }");
        Assert.Contains("[Cast] async System.Threading.Tasks.Task H(Atom a)", text);
    }
}
