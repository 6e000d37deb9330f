using System.Collections.Immutable;
using System.Linq;
using Ergo.Gen.Generators.Helpers;
using Ergo.Gen.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Ergo.Gen.Generators
{
    /// <summary>
    /// The pipeline: [Term] types get codecs (and their enums one each), [GenServer], [Stage], [Saga] and [SagaWorker]
    /// classes get dispatch, [Supervisor] classes their child specs.
    /// Every step is named, so tests can assert that an unrelated edit leaves every step cached.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class ErgoGenerator : IIncrementalGenerator
    {
        public const string TermTypes = nameof(TermTypes);
        public const string Enums = nameof(Enums);
        public const string GenServers = nameof(GenServers);
        public const string Supervisors = nameof(Supervisors);
        public const string Stages = nameof(Stages);
        public const string Sagas = nameof(Sagas);
        public const string SagaWorkers = nameof(SagaWorkers);

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var terms = context.SyntaxProvider
                .ForAttributeWithMetadataName(Parser.TermAttribute,
                    static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
                    static (ctx, _) => Parser.ParseTermType((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0]))
                .WithTrackingName(TermTypes);

            context.RegisterSourceOutput(terms, static (spc, parsed) =>
                spc.AddSource($"TermCodec.{Naming.Identifier(parsed.Spec.FullName)}.g.cs", Emitter.TermCodec(parsed.Spec)));

            var enums = terms
                .SelectMany(static (parsed, _) => parsed.Enums)
                .Collect()
                .SelectMany(static (all, _) => all.Distinct().ToImmutableArray())
                .WithTrackingName(Enums);

            context.RegisterSourceOutput(enums, static (spc, spec) =>
                spc.AddSource($"TermCodec.{Naming.Identifier(spec.FullName)}.g.cs", Emitter.EnumCodec(spec)));

            var servers = context.SyntaxProvider
                .ForAttributeWithMetadataName(Parser.GenServerAttribute,
                    static (node, _) => IsPartialClass(node),
                    static (ctx, _) => Parser.ParseGenServer((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0]))
                .WithTrackingName(GenServers);

            context.RegisterSourceOutput(servers, static (spc, spec) =>
                spc.AddSource($"{Naming.Identifier(spec.FullName)}.GenServer.g.cs", Emitter.GenServer(spec)));

            var supervisors = context.SyntaxProvider
                .ForAttributeWithMetadataName(Parser.SupervisorAttribute,
                    static (node, _) => IsPartialClass(node),
                    static (ctx, _) => Parser.ParseSupervisor((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0]))
                .WithTrackingName(Supervisors);

            context.RegisterSourceOutput(supervisors, static (spc, spec) =>
                spc.AddSource($"{Naming.Identifier(spec.FullName)}.Supervisor.g.cs", Emitter.Supervisor(spec)));

            Behaviour(context, BehaviourParser.StageAttribute, BehaviourKind.Producer, Stages, "Stage");
            Behaviour(context, BehaviourParser.SagaAttribute, BehaviourKind.Saga, Sagas, "Saga");
            Behaviour(context, BehaviourParser.SagaWorkerAttribute, BehaviourKind.SagaWorker, SagaWorkers, "SagaWorker");
        }

        // Only partial classes get code: for any other, generated code would be a compiler error (which also keeps
        // analyzers from running), while EG0001 says what to do.
        private static bool IsPartialClass(SyntaxNode node) =>
            node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax c
            && c.Modifiers.Any(m => m.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.PartialKeyword));

        // [Stage] (whose attribute says which kind), [Saga] and [SagaWorker]: the same parse-and-emit shape.
        private static void Behaviour(IncrementalGeneratorInitializationContext context, string attribute, BehaviourKind kind, string step, string suffix)
        {
            var specs = context.SyntaxProvider
                .ForAttributeWithMetadataName(attribute,
                    static (node, _) => IsPartialClass(node),
                    (ctx, _) => BehaviourParser.Parse((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0], kind))
                .WithTrackingName(step);

            context.RegisterSourceOutput(specs, (spc, spec) =>
                spc.AddSource($"{Naming.Identifier(spec.FullName)}.{suffix}.g.cs", BehaviourEmitter.Behaviour(spec)));
        }
    }
}
