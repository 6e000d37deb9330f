using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace Ergo.Gen.Generators
{
    /// <summary>
    /// The Ergo.Gen and framework types the parser compares against, resolved once per compilation and compared
    /// with <see cref="SymbolEqualityComparer"/> (never by display string).
    /// </summary>
    internal sealed class KnownSymbols
    {
        private static readonly ConditionalWeakTable<Compilation, KnownSymbols> Cache = new();

        public static KnownSymbols For(Compilation compilation) => Cache.GetValue(compilation, static c => new KnownSymbols(c));

        private KnownSymbols(Compilation c)
        {
            INamedTypeSymbol? T(string name) => c.GetTypeByMetadataName(name);
            Term = T("Ergo.Gen.Etf.Term");
            Process = T("Ergo.Gen.Processes.Process");
            From = T("Ergo.Gen.Behaviours.From");
            ServerResult = T("Ergo.Gen.Behaviours.ServerResult");
            SupervisorBase = T("Ergo.Gen.Behaviours.Supervisor");
            GenServerBase = T("Ergo.Gen.Behaviours.GenServer");
            StateMachineBase = T("Ergo.Gen.Behaviours.StateMachine`1");
            InAttribute = T("Ergo.Gen.InAttribute");
            CronAttribute = T("Ergo.Gen.CronAttribute");
            CronTick = T("Ergo.Gen.Scheduling.CronTick");
            StateMachineAttribute = T("Ergo.Gen.StateMachineAttribute`1");
            Producer = T("Ergo.Gen.Behaviours.Producer");
            Consumer = T("Ergo.Gen.Behaviours.Consumer");
            ProducerConsumer = T("Ergo.Gen.Behaviours.ProducerConsumer");
            ProducerOf = T("Ergo.Gen.Behaviours.Producer`1");
            ConsumerOf = T("Ergo.Gen.Behaviours.Consumer`1");
            ProducerConsumerOf = T("Ergo.Gen.Behaviours.ProducerConsumer`2");
            StageOf = T("Ergo.Gen.Behaviours.Stage`2");
            SagaBase = T("Ergo.Gen.Behaviours.Saga");
            SagaWorkerBase = T("Ergo.Gen.Behaviours.SagaWorker");
            SagaTransaction = T("Ergo.Gen.Behaviours.SagaTransaction");
            SagaParticipant = T("Ergo.Gen.Behaviours.SagaParticipant");
            SagaJob = T("Ergo.Gen.Behaviours.SagaJob");
            Subscription = T("Ergo.Gen.Behaviours.Subscription");
            TermCodec = T("Ergo.Gen.ITermCodec`1");
            TermAttribute = T("Ergo.Gen.TermAttribute");
            GenServerAttribute = T("Ergo.Gen.GenServerAttribute");
            SupervisorAttribute = T("Ergo.Gen.SupervisorAttribute");
            StageAttribute = T("Ergo.Gen.StageAttribute");
            SagaAttribute = T("Ergo.Gen.SagaAttribute");
            SagaWorkerAttribute = T("Ergo.Gen.SagaWorkerAttribute");
            ChildAttribute = T("Ergo.Gen.ChildAttribute`1");
            EventAttribute = T("Ergo.Gen.EventAttribute`1");
            CallAttribute = T("Ergo.Gen.CallAttribute");
            CastAttribute = T("Ergo.Gen.CastAttribute");
            InfoAttribute = T("Ergo.Gen.InfoAttribute");
            OnEventAttribute = T("Ergo.Gen.OnEventAttribute");
            CharlistAttribute = T("Ergo.Gen.CharlistAttribute");
            FlagsAttribute = T("System.FlagsAttribute");
            Task = T("System.Threading.Tasks.Task");
            TaskOfT = T("System.Threading.Tasks.Task`1");
            ValueTask = T("System.Threading.Tasks.ValueTask");
            ValueTaskOfT = T("System.Threading.Tasks.ValueTask`1");
            BigInteger = T("System.Numerics.BigInteger");
            Atom = T("Ergo.Gen.Etf.Atom");
            Pid = T("Ergo.Gen.Etf.Pid");
            Reference = T("Ergo.Gen.Etf.Reference");
            ReadOnlyMemory = T("System.ReadOnlyMemory`1");
            DateTimeOffset = T("System.DateTimeOffset");
            Guid = T("System.Guid");
            Half = T("System.Half");
            TimeSpan = T("System.TimeSpan");
            List = T("System.Collections.Generic.List`1");
            Lists = Of(T, "System.Collections.Generic.IReadOnlyList`1", "System.Collections.Generic.IList`1", "System.Collections.Generic.ICollection`1",
                "System.Collections.Generic.IEnumerable`1", "System.Collections.Generic.IReadOnlyCollection`1");
            Sets = Of(T, "System.Collections.Generic.HashSet`1", "System.Collections.Generic.ISet`1", "System.Collections.Generic.IReadOnlySet`1");
            Dictionaries = Of(T, "System.Collections.Generic.Dictionary`2", "System.Collections.Generic.IDictionary`2",
                "System.Collections.Generic.IReadOnlyDictionary`2");
            foreach (var name in Model.HandlerRules.CallbackAttributes)
            {
                if (T(name) is { } callback)
                    Callbacks[callback] = (Model.CallbackKind)System.Enum.Parse(typeof(Model.CallbackKind), name.Substring("Ergo.Gen.".Length, name.Length - "Ergo.Gen.".Length - "Attribute".Length));
            }
        }

        /// <summary>Stage and saga callback attributes and the callback each names (Demand, TxNew ...).</summary>
        public System.Collections.Generic.Dictionary<INamedTypeSymbol, Model.CallbackKind> Callbacks { get; } = new(SymbolEqualityComparer.Default);

        private static System.Collections.Generic.HashSet<INamedTypeSymbol> Of(System.Func<string, INamedTypeSymbol?> resolve, params string[] names)
        {
            var set = new System.Collections.Generic.HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
            foreach (var name in names)
            {
                if (resolve(name) is { } type)
                    set.Add(type);
            }
            return set;
        }

        public INamedTypeSymbol? BigInteger { get; }
        public INamedTypeSymbol? Atom { get; }
        public INamedTypeSymbol? Pid { get; }
        public INamedTypeSymbol? Reference { get; }
        public INamedTypeSymbol? ReadOnlyMemory { get; }
        public INamedTypeSymbol? DateTimeOffset { get; }
        public INamedTypeSymbol? Guid { get; }
        public INamedTypeSymbol? Half { get; }
        public INamedTypeSymbol? TimeSpan { get; }
        public INamedTypeSymbol? List { get; }

        /// <summary>Read-only list and sequence interfaces: an array is one of each.</summary>
        public System.Collections.Generic.HashSet<INamedTypeSymbol> Lists { get; }
        public System.Collections.Generic.HashSet<INamedTypeSymbol> Sets { get; }
        public System.Collections.Generic.HashSet<INamedTypeSymbol> Dictionaries { get; }

        public INamedTypeSymbol? Term { get; }
        public INamedTypeSymbol? Process { get; }
        public INamedTypeSymbol? From { get; }
        public INamedTypeSymbol? ServerResult { get; }
        public INamedTypeSymbol? SupervisorBase { get; }
        public INamedTypeSymbol? GenServerBase { get; }
        public INamedTypeSymbol? StateMachineBase { get; }
        public INamedTypeSymbol? InAttribute { get; }
        public INamedTypeSymbol? CronAttribute { get; }
        public INamedTypeSymbol? CronTick { get; }
        public INamedTypeSymbol? StateMachineAttribute { get; }
        public INamedTypeSymbol? Producer { get; }
        public INamedTypeSymbol? Consumer { get; }
        public INamedTypeSymbol? ProducerConsumer { get; }
        public INamedTypeSymbol? ProducerOf { get; }
        public INamedTypeSymbol? ConsumerOf { get; }
        public INamedTypeSymbol? ProducerConsumerOf { get; }
        public INamedTypeSymbol? StageOf { get; }
        public INamedTypeSymbol? SagaBase { get; }
        public INamedTypeSymbol? SagaWorkerBase { get; }
        public INamedTypeSymbol? SagaTransaction { get; }
        public INamedTypeSymbol? SagaParticipant { get; }
        public INamedTypeSymbol? SagaJob { get; }
        public INamedTypeSymbol? Subscription { get; }
        public INamedTypeSymbol? TermCodec { get; }
        public INamedTypeSymbol? TermAttribute { get; }
        public INamedTypeSymbol? GenServerAttribute { get; }
        public INamedTypeSymbol? SupervisorAttribute { get; }
        public INamedTypeSymbol? StageAttribute { get; }
        public INamedTypeSymbol? SagaAttribute { get; }
        public INamedTypeSymbol? SagaWorkerAttribute { get; }
        public INamedTypeSymbol? ChildAttribute { get; }
        public INamedTypeSymbol? EventAttribute { get; }
        public INamedTypeSymbol? CallAttribute { get; }
        public INamedTypeSymbol? CastAttribute { get; }
        public INamedTypeSymbol? InfoAttribute { get; }
        public INamedTypeSymbol? OnEventAttribute { get; }
        public INamedTypeSymbol? CharlistAttribute { get; }
        public INamedTypeSymbol? FlagsAttribute { get; }
        public INamedTypeSymbol? Task { get; }
        public INamedTypeSymbol? TaskOfT { get; }
        public INamedTypeSymbol? ValueTask { get; }
        public INamedTypeSymbol? ValueTaskOfT { get; }

        public static bool Same(ISymbol? a, ISymbol? b) => a is not null && SymbolEqualityComparer.Default.Equals(a, b);

        public bool Has(ISymbol symbol, INamedTypeSymbol? attribute)
        {
            if (attribute is null)
                return false;
            foreach (var a in symbol.GetAttributes())
            {
                if (Same(a.AttributeClass, attribute) || Same(a.AttributeClass?.OriginalDefinition, attribute))
                    return true;
            }
            return false;
        }

        public AttributeData? Get(ISymbol symbol, INamedTypeSymbol? attribute)
        {
            foreach (var a in symbol.GetAttributes())
            {
                if (attribute is not null && Same(a.AttributeClass, attribute))
                    return a;
            }
            return null;
        }

        public bool Derives(ITypeSymbol type, INamedTypeSymbol? baseType)
        {
            for (var t = type.BaseType; t is not null; t = t.BaseType)
            {
                if (Same(t, baseType))
                    return true;
            }
            return false;
        }

        /// <summary>Term or a subclass of it.</summary>
        public bool IsTerm(ITypeSymbol type) => Same(type, Term) || Derives(type, Term);
    }
}
