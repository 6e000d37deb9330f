using System.Collections.Immutable;
using System.Linq;
using Ergo.Gen.Diagnostics;
using Ergo.Gen.Generators.Helpers;
using Ergo.Gen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ergo.Gen.Generators
{
    /// <summary>
    /// The pipeline: [Term] types get codecs (and their enums one each), [GenServer], [Stage], [Saga] and [SagaWorker]
    /// classes get dispatch, [Supervisor] classes their child specs. Every mistake that decides what is generated is
    /// reported from here, beside the source (so it shows in command-line builds even when the compilation has other
    /// errors), and a rejected model generates nothing, or something that compiles.
    /// Every step is named, so tests can assert that an unrelated edit leaves every step cached.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class ErgoGenerator : IIncrementalGenerator
    {
        public const string TermTypes = nameof(TermTypes);
        public const string Enums = nameof(Enums);
        public const string GenServers = nameof(GenServers);
        public const string StateMachines = nameof(StateMachines);
        public const string Supervisors = nameof(Supervisors);
        public const string Stages = nameof(Stages);
        public const string Sagas = nameof(Sagas);
        public const string SagaWorkers = nameof(SagaWorkers);
        public const string ChildHosts = nameof(ChildHosts);
        public const string Tags = nameof(Tags);

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            context.RegisterPostInitializationOutput(static pic => pic.AddSource("TermCodec.g.cs", TermCodecEmitter.TermCodecClass()));

            var terms = context.SyntaxProvider
                .ForAttributeWithMetadataName(Parser.TermAttribute,
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (ctx, ct) => Parser.ParseTermType((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0], KnownSymbols.For(ctx.SemanticModel.Compilation), ct))
                .WithTrackingName(TermTypes);

            Report(context, terms.Select(static (t, _) => t.Parsed.Diagnostics));
            context.RegisterSourceOutput(terms.Select(static (t, _) => t.Parsed.Spec), static (spc, spec) =>
            {
                if (spec is not null)
                    spc.AddSource($"TermCodec.{Naming.Identifier(spec.FullName)}.g.cs", TermCodecEmitter.TermCodec(spec));
            });


            // EG0015: two [Term] types written the same way, found over all of them.
            var tags = terms.Select(static (t, _) => t.Tag).Collect().WithTrackingName(Tags);
            context.RegisterSourceOutput(tags, static (spc, all) =>
            {
                foreach (var clash in all.Where(t => t is not null).GroupBy(t => t!.Shape).Where(g => g.Count() > 1))
                {
                    var first = clash.First()!;
                    foreach (var other in clash.Skip(1))
                        spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.TagClash, other!.Location?.ToLocation(), first.Type, other.Type, clash.Key));
                }
            });

            var servers = context.SyntaxProvider
                .ForAttributeWithMetadataName(GenServerParser.Attribute,
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (ctx, ct) => GenServerParser.Parse((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0], KnownSymbols.For(ctx.SemanticModel.Compilation), ct))
                .WithTrackingName(GenServers);
            Generate(context, servers, static spec => ($"{Naming.Identifier(spec.FullName)}.GenServer.g.cs", GenServerEmitter.GenServer(spec)));

            var machines = context.SyntaxProvider
                .ForAttributeWithMetadataName(GenServerParser.StateMachineAttribute,
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (ctx, ct) => GenServerParser.ParseStateMachine((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0],
                        KnownSymbols.For(ctx.SemanticModel.Compilation), ctx.SemanticModel.Compilation, ct))
                .WithTrackingName(StateMachines);
            Generate(context, machines, static spec => ($"{Naming.Identifier(spec.FullName)}.StateMachine.g.cs", GenServerEmitter.GenServer(spec)));

            var supervisors = context.SyntaxProvider
                .ForAttributeWithMetadataName(SupervisorParser.Attribute,
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (ctx, ct) => SupervisorParser.Parse((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0], KnownSymbols.For(ctx.SemanticModel.Compilation), ct))
                .WithTrackingName(Supervisors);
            Generate(context, supervisors, static spec => ($"{Naming.Identifier(spec.FullName)}.Supervisor.g.cs", SupervisorEmitter.Supervisor(spec)));

            var childHosts = context.SyntaxProvider
                .ForAttributeWithMetadataName(SupervisorParser.ChildAttribute,
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (ctx, ct) => SupervisorParser.CheckChildHost((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0], KnownSymbols.For(ctx.SemanticModel.Compilation), ct))
                .WithTrackingName(ChildHosts);
            Report(context, childHosts);

            var stages = Behaviour(context, BehaviourParser.StageAttribute, BehaviourKind.Producer, Stages, "Stage");
            var sagas = Behaviour(context, BehaviourParser.SagaAttribute, BehaviourKind.Saga, Sagas, "Saga");
            var workers = Behaviour(context, BehaviourParser.SagaWorkerAttribute, BehaviourKind.SagaWorker, SagaWorkers, "SagaWorker");

            // One codec per enum that any [Term] field, handler, reply, event or stage value uses.
            var enums = terms.SelectMany(static (parsed, _) => parsed.Enums).Collect()
                .Combine(servers.SelectMany(static (p, _) => p.Spec?.Enums ?? default).Collect()
                    .Combine(machines.SelectMany(static (p, _) => p.Spec?.Enums ?? default).Collect())
                    .Select(static (both, _) => both.Left.AddRange(both.Right)))
                .Combine(stages.Collect().Combine(sagas.Collect()).Combine(workers.Collect()))
                .SelectMany(static (all, _) => all.Left.Left.Concat(all.Left.Right)
                    .Concat(all.Right.Left.Left.Concat(all.Right.Left.Right).Concat(all.Right.Right).SelectMany(p => p.Spec?.Enums ?? default))
                    .Distinct().ToImmutableArray())
                .WithTrackingName(Enums);
            context.RegisterSourceOutput(enums, static (spc, spec) =>
                spc.AddSource($"TermCodec.{Naming.Identifier(spec.FullName)}.g.cs", TermCodecEmitter.EnumCodec(spec)));
        }

        // Diagnostics and source are separate outputs: moving a diagnostic regenerates nothing.
        private static void Report(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics) =>
            context.RegisterSourceOutput(diagnostics, static (spc, found) =>
            {
                foreach (var d in found)
                    spc.ReportDiagnostic(d.ToDiagnostic());
            });

        private static void Generate<T>(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<Parsed<T>> parsed, System.Func<T, (string Hint, string Source)> emit)
            where T : class
        {
            Report(context, parsed.Select(static (p, _) => p.Diagnostics));
            context.RegisterSourceOutput(parsed.Select(static (p, _) => p.Spec), (spc, spec) =>
            {
                if (spec is null)
                    return;
                var (hint, source) = emit(spec);
                spc.AddSource(hint, source);
            });
        }

        // [Stage] (whose attribute says which kind), [Saga] and [SagaWorker]: the same parse-and-emit shape.
        private static IncrementalValuesProvider<Parsed<BehaviourSpec>> Behaviour(IncrementalGeneratorInitializationContext context, string attribute, BehaviourKind kind, string step, string suffix)
        {
            var specs = context.SyntaxProvider
                .ForAttributeWithMetadataName(attribute,
                    static (node, _) => node is ClassDeclarationSyntax,
                    (ctx, ct) => BehaviourParser.Parse((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0], kind, KnownSymbols.For(ctx.SemanticModel.Compilation), ct))
                .WithTrackingName(step);
            Generate(context, specs, spec => ($"{Naming.Identifier(spec.FullName)}.{suffix}.g.cs", BehaviourEmitter.Behaviour(spec)));
            return specs;
        }
    }
}
