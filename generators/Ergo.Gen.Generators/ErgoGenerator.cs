using System.Collections.Immutable;
using System.Linq;
using Ergo.Gen.Generators.Helpers;
using Ergo.Gen.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Ergo.Gen.Generators
{
    /// <summary>
    /// The pipeline: [Term] types get codecs (and their enums one each), [GenServer] classes get dispatch.
    /// Every step is named, so tests can assert that an unrelated edit leaves every step cached.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class ErgoGenerator : IIncrementalGenerator
    {
        public const string TermTypes = nameof(TermTypes);
        public const string Enums = nameof(Enums);
        public const string GenServers = nameof(GenServers);
        public const string Supervisors = nameof(Supervisors);

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
                    static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                    static (ctx, _) => Parser.ParseGenServer((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0]))
                .WithTrackingName(GenServers);

            context.RegisterSourceOutput(servers, static (spc, spec) =>
                spc.AddSource($"{Naming.Identifier(spec.FullName)}.GenServer.g.cs", Emitter.GenServer(spec)));

            var supervisors = context.SyntaxProvider
                .ForAttributeWithMetadataName(Parser.SupervisorAttribute,
                    static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                    static (ctx, _) => Parser.ParseSupervisor((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0]))
                .WithTrackingName(Supervisors);

            context.RegisterSourceOutput(supervisors, static (spc, spec) =>
                spc.AddSource($"{Naming.Identifier(spec.FullName)}.Supervisor.g.cs", Emitter.Supervisor(spec)));
        }
    }
}
