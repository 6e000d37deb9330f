namespace Ergo.Gen.Generators.Model
{
    internal enum HandlerKind { Call, Cast, Info, Event }

    /// <summary>The stage and saga callbacks, named as their attributes ([Demand], [TxNew] ...).</summary>
    internal enum CallbackKind { Demand, Events, TxNew, TxInterim, TxResult, TxCancel, TxCommit, JobStart, JobCancel, JobCommit }

    /// <summary>What a [GenServer] handler of one kind may look like.</summary>
    internal sealed class HandlerRule
    {
        public HandlerRule(HandlerKind kind, string attribute, int maxParameters, bool mayReply, string parameterShape)
        {
            Kind = kind;
            Attribute = attribute;
            MaxParameters = maxParameters;
            MayReply = mayReply;
            ParameterShape = parameterShape;
        }

        public HandlerKind Kind { get; }

        /// <summary>The attribute's metadata name.</summary>
        public string Attribute { get; }

        public int MaxParameters { get; }

        public bool MayReply { get; }

        /// <summary>The end of EG0003's message when the parameters are wrong.</summary>
        public string ParameterShape { get; }
    }

    /// <summary>
    /// The handler rules, one table for the generator (which checks and generates from them) and the analyzers
    /// (which find handlers with it). Compiled into both as linked source.
    /// </summary>
    internal static class HandlerRules
    {
        public static readonly HandlerRule Call = new(HandlerKind.Call, "Ergo.Gen.CallAttribute", 2, true, "must take the message, and optionally a From");
        public static readonly HandlerRule Cast = new(HandlerKind.Cast, "Ergo.Gen.CastAttribute", 1, false, "must take exactly one parameter, the message");
        public static readonly HandlerRule Info = new(HandlerKind.Info, "Ergo.Gen.InfoAttribute", 1, false, "must take exactly one parameter, the message");
        public static readonly HandlerRule Event = new(HandlerKind.Event, "Ergo.Gen.OnEventAttribute", 1, false, "must take exactly one parameter, the event's payload");

        public static readonly HandlerRule[] All = { Call, Cast, Info, Event };

        /// <summary>The attributes of stage and saga callbacks ([Demand], [Events], [TxNew] ...).</summary>
        public static readonly string[] CallbackAttributes =
        {
            "Ergo.Gen.DemandAttribute", "Ergo.Gen.EventsAttribute", "Ergo.Gen.TxNewAttribute", "Ergo.Gen.TxInterimAttribute", "Ergo.Gen.TxResultAttribute",
            "Ergo.Gen.TxCancelAttribute", "Ergo.Gen.TxCommitAttribute", "Ergo.Gen.JobStartAttribute", "Ergo.Gen.JobCancelAttribute", "Ergo.Gen.JobCommitAttribute",
        };

        public static HandlerRule For(HandlerKind kind) => kind switch
        {
            HandlerKind.Call => Call,
            HandlerKind.Cast => Cast,
            HandlerKind.Info => Info,
            _ => Event,
        };
    }
}
