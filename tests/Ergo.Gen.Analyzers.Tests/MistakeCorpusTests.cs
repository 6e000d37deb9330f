using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace Ergo.Gen.Analyzers.Tests;

/// <summary>
/// Every mistake in <see cref="MistakeCorpus"/>, built alone as the command line builds it: exactly the marked
/// Ergo.Gen diagnostics, each at the user's code, none hidden by an error, and never an error inside generated code.
/// </summary>
public sealed class MistakeCorpusTests
{
    public static TheoryData<string> Mistakes => new(MistakeCorpus.Mistakes.Select(m => m.Name));

    public static TheoryData<string> Fine => new(MistakeCorpus.Fine.Select(m => m.Name));

    [Fact]
    public void The_corpus_has_more_than_forty_mistakes_and_covers_every_id()
    {
        Assert.True(MistakeCorpus.Mistakes.Length >= 40);
        var ids = MistakeCorpus.Mistakes.SelectMany(m => Expected(m.Markup).Source.Spans.Keys).ToHashSet();
        // Every id but EG0018, which needs two assemblies (checked below).
        Assert.Equal(Enumerable.Range(1, 22).Where(i => i != 18).Select(i => $"EG{i:0000}"), ids.Order());
    }

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task Each_mistake_is_reported_at_the_users_code(string name)
    {
        var (source, expected) = Expected(MistakeCorpus.Mistakes.Single(m => m.Name == name).Markup);
        var build = await UserBuild.RunAsync(source.Text);

        AssertNoErrorInGeneratedCode(build);
        var found = build.Visible.Select(d => (d.Id, d.Location.SourceSpan, Path.GetFileName(d.Location.GetLineSpan().Path))).OrderBy(d => d.SourceSpan.Start).ToList();
        Assert.Equal(expected.Select(e => (e.Id, e.Span, UserBuild.UserFile)), found);
    }

    [Theory]
    [MemberData(nameof(Fine))]
    public async Task Supported_shapes_build_with_no_diagnostic_and_no_error(string name)
    {
        var build = await UserBuild.RunAsync(MistakeCorpus.Fine.Single(m => m.Name == name).Source);
        Assert.Empty(build.Errors);
        Assert.DoesNotContain(build.Visible.Concat(build.AnalyzerDiagnostics), d => d.Id.StartsWith("EG", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_term_type_of_another_assembly_is_used_through_its_own_codec_when_it_is_partial()
    {
        var library = UserBuild.Library("""
            namespace Lib;
            [Term] public sealed partial record Money(long Cents);
            [Term] public sealed record Legacy(int A);
            """);
        var good = await UserBuild.RunAsync("""
            [Term] public sealed record Order(Lib.Money Total, List<Lib.Money> Parts, Lib.Money? Tip);
            [GenServer] public partial class Till { [Call] Lib.Money H(Lib.Money m) => m; }
            """, library);
        Assert.Empty(build(good));
        var (source, expected) = Expected("""
            [Term] public sealed record Order(Lib.Legacy {|EG0018:Old|});
            """);
        var bad = await UserBuild.RunAsync(source.Text, library);
        AssertNoErrorInGeneratedCode(bad);
        Assert.Equal(expected.Select(e => (e.Id, e.Span)), bad.Visible.Select(d => (d.Id, d.Location.SourceSpan)));

        static IEnumerable<Diagnostic> build(UserBuild b) => b.Errors.Concat(b.Visible);
    }

    private static void AssertNoErrorInGeneratedCode(UserBuild build)
    {
        var generated = build.GeneratedTrees.Select(t => t.FilePath).ToHashSet();
        var inGenerated = build.Errors.Where(d => d.Location.SourceTree is { } tree && generated.Contains(tree.FilePath)).ToList();
        Assert.True(inGenerated.Count == 0, "errors in generated code:\n" + string.Join("\n", inGenerated));
    }

    private static ((string Text, ImmutableDictionary<string, ImmutableArray<TextSpan>> Spans) Source, List<(string Id, TextSpan Span)> Expected) Expected(string markup)
    {
        TestFileMarkupParser.GetSpans(markup, out var text, out ImmutableDictionary<string, ImmutableArray<TextSpan>> spans);
        var expected = spans.SelectMany(kv => kv.Value.Select(span => (Id: kv.Key, Span: span))).OrderBy(e => e.Span.Start).ToList();
        return ((text, spans), expected);
    }
}
