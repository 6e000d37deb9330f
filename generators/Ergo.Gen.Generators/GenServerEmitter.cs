using System.Linq;
using Ergo.Gen.Generators.Helpers;
using Ergo.Gen.Generators.Model;

namespace Ergo.Gen.Generators
{
    /// <summary>[GenServer] classes into dispatch: a type switch for .NET messages, codecs for terms, raw ETF reading
    /// for messages from other nodes, [Event] publishing, and the typed Client.</summary>
    internal static partial class GenServerEmitter
    {
        private const string Etf = ValueCode.Etf;
        private const string Convert = ValueCode.Convert;
        private const string Codec = ValueCode.Codec;
        private const string Behaviours = "global::Ergo.Gen.Behaviours";
        private const string Tasks = "global::System.Threading.Tasks";

        // ---- [GenServer] dispatch --------------------------------------------------------------------------

        public static string GenServer(GenServerSpec spec)
        {
            var w = Emit.Header();
            var depth = Shells.Open(w, spec.Shell, spec.StateType is { } states ? $"{Behaviours}.StateMachine<{states}>" : $"{Behaviours}.GenServer");
            if (spec.RegisteredName is { } name)
            {
                w.Line($"/// <summary>The name this server registers under: <c>{name}</c>.</summary>");
                w.Line(Emit.GeneratedCode);
                w.Line($"public static readonly {Etf}.Atom RegisteredAs = {Etf}.Atom.Of({Naming.Literal(name)});");
                w.Line();
                if (spec.HasParameterlessConstructor)
                {
                    w.Line($"/// <summary>{(spec.StateType is null ? "gen_server" : "gen_statem")}:start_link({{local, {name}}}, ...): starts a new instance under its name.</summary>");
                    w.Line(Emit.GeneratedCode);
                    w.Line($"public static {Tasks}.Task<{Etf}.Pid?> StartAsync(global::Ergo.Gen.Node node, {Etf}.Pid? linkTo = null, global::System.Threading.CancellationToken cancellationToken = default) => node.StartServerAsync(new {spec.Shell.Declaration}(), RegisteredAs, linkTo, cancellationToken);");
                    w.Line();
                }
            }
            if (spec.UnknownMessages == UnknownMessagePolicy.LogAndContinue)
            {
                w.Line(Emit.Plumbing);
                w.Line($"protected override {Behaviours}.UnknownMessages UnknownMessages => {Behaviours}.UnknownMessages.LogAndContinue;");
                w.Line();
            }
            EmitSchedules(w, spec);
            EmitEvents(w, spec);
            EmitDispatch(w, spec, HandlerKind.Call);
            EmitDispatch(w, spec, HandlerKind.Cast);
            EmitDispatch(w, spec, HandlerKind.Info);
            EmitExplain(w, spec);
            EmitRawDispatch(w, spec);
            EmitClient(w, spec);
            Shells.Close(w, depth);
            return w.ToString();
        }

        /// <summary>[Cron] handlers: their schedules, which the runtime starts once init succeeds.</summary>
        private static void EmitSchedules(SourceWriter w, GenServerSpec spec)
        {
            var crons = spec.Handlers.Where(h => h.Cron is not null).Select(h => h.Cron!).ToList();
            if (crons.Count == 0)
                return;
            const string scheduling = "global::Ergo.Gen.Scheduling";
            w.Line(Emit.GeneratedCode);
            w.Open($"private static readonly {scheduling}.CronSpec[] __Schedules =");
            foreach (var c in crons)
                w.Line($"new({Naming.Literal(c.Job)}, {Naming.Literal(c.Expression)}, {(c.TimeZone is null ? "null" : Naming.Literal(c.TimeZone))}, ({scheduling}.MissedRuns){c.Missed}),");
            w.Close(";");
            w.Line();
            w.Line(Emit.Plumbing);
            w.Line($"protected override {scheduling}.CronSpec[] Schedules => __Schedules;");
            w.Line();
        }

        /// <summary>For the log line of a request no handler took: which handler's type it looks like, and which field
        /// of it did not read.</summary>
        private static void EmitExplain(SourceWriter w, GenServerSpec spec)
        {
            var typed = spec.Handlers.Where(h => h.MessageIsTermType && h.Kind != HandlerKind.Event).Select(h => h.MessageType).Distinct().ToList();
            if (typed.Count == 0)
                return;
            w.Line(Emit.Plumbing);
            w.Open($"protected override string? ExplainUnknown({Etf}.Term term)");
            w.Line("string? why;");
            foreach (var type in typed)
                w.Line($"if ((why = {Codec}.Explain(term, out {type} _)) is {{ Length: > 0 }})").Line($"    return {Naming.Literal("not a " + Naming.Display(type) + ": ")} + why;");
            w.Line("return null;");
            w.Close();
            w.Line();
        }

        /// <summary>
        /// Messages from other nodes, straight from their ETF bytes: <c>{'$gen_call', {Pid, Tag}, Request}</c> and
        /// <c>{'$gen_cast', Msg}</c> are recognised by tag and arity, and the request read into a handler's [Term] type
        /// with its generated TryRead; no term tree is built. Whatever no typed handler takes goes the ordinary way.
        /// </summary>
        private static void EmitRawDispatch(SourceWriter w, GenServerSpec spec)
        {
            var typed = spec.Handlers.Select((h, i) => (h, i)).Where(x => x.h.MessageIsTermType && x.h.Kind != HandlerKind.Event).ToList();
            // A state machine takes every event through its own queue (postponing, internal events): no raw shortcut.
            if (typed.Count == 0 || spec.StateType is not null)
                return;
            int Index(HandlerSpec h) => spec.Handlers.Where(x => x.Kind == h.Kind).ToList().IndexOf(h);
            w.Line(Emit.Plumbing);
            w.Line("protected override bool AcceptsRawMessages => true;");
            w.Line();
            w.Line($"private static readonly {Etf}.Atom __GenCall = {Etf}.Atom.Of(\"$gen_call\"), __GenCast = {Etf}.Atom.Of(\"$gen_cast\");");
            w.Line();
            w.Line(Emit.Plumbing);
            w.Open($"protected override bool TryHandleRaw(ref {Etf}.EtfReader reader, out {Tasks}.ValueTask pending)");
            w.Line("var start = reader;");
            var calls = typed.Where(x => x.h.Kind == HandlerKind.Call).ToList();
            var casts = typed.Where(x => x.h.Kind == HandlerKind.Cast).ToList();
            if (calls.Count > 0 || casts.Count > 0)
            {
                w.Open("try");
                w.Line("var arity = reader.ReadTupleHeader();");
                w.Line("var kind = reader.ReadAtom();");
                if (calls.Count > 0)
                {
                    w.Open("if (arity == 3 && ReferenceEquals(kind, __GenCall) && reader.ReadTupleHeader() == 2)");
                    w.Line($"var from = {Behaviours}.From.Read(ref reader);");
                    w.Line("var request = reader;");
                    ReadEach(w, calls.Select(x => x.h), Index, "c", k => $"CompleteCall(__Call{k}(c{k}, from, true), from)", "request");
                    w.Close();
                }
                if (casts.Count > 0)
                {
                    w.Open("if (arity == 2 && ReferenceEquals(kind, __GenCast))");
                    w.Line("var message = reader;");
                    ReadEach(w, casts.Select(x => x.h), Index, "s", k => $"CompleteCast(__Cast{k}(s{k}))", "message");
                    w.Close();
                }
                w.Close();
                w.Open($"catch ({Etf}.EtfDecodeException)");
                w.Close();
                w.Line("reader = start;");
            }
            ReadEach(w, typed.Where(x => x.h.Kind == HandlerKind.Info).Select(x => x.h), Index, "i", k => $"CompleteCast(__Info{k}(i{k}))", "start");
            w.Line("pending = default;");
            w.Line("return false;");
            w.Close();
            w.Line();
        }

        // Each handler's [Term] type read straight from the reader in turn: the first that reads the whole message
        // takes it; otherwise the reader goes back to where the message started.
        private static void ReadEach(SourceWriter w, System.Collections.Generic.IEnumerable<HandlerSpec> handlers, System.Func<HandlerSpec, int> index,
            string prefix, System.Func<int, string> complete, string rewindTo)
        {
            foreach (var h in handlers)
            {
                var k = index(h);
                w.Open($"if ({Codec}.TryRead(ref reader, out {h.MessageType} {prefix}{k}) && reader.IsAtEnd)");
                w.Line($"pending = {complete(k)};");
                w.Line("return true;");
                w.Close();
                w.Line($"reader = {rewindTo};");
            }
        }

        /// <summary>
        /// A typed client: one CallAsync per [Call] message type (returning the handler's reply type) and one Cast
        /// per [Cast]; addressed by pid, by registered name, or by name on another node (where the message and
        /// reply travel as terms through the generated codecs).
        /// </summary>
        private static void EmitClient(SourceWriter w, GenServerSpec spec)
        {
            // One client method per message type: a state machine may handle a type in several states, by several methods.
            var calls = spec.Handlers.Where(h => h.Kind == HandlerKind.Call).GroupBy(h => h.MessageType).Select(g => g.First()).ToList();
            var casts = spec.Handlers.Where(h => h.Kind == HandlerKind.Cast).GroupBy(h => h.MessageType).Select(g => g.First()).ToList();
            if (calls.Count == 0 && casts.Count == 0)
                return;
            w.Line($"/// <summary>A typed client for {spec.Shell.Declaration.Replace('<', '{').Replace('>', '}')}: calls and casts with its own message types.</summary>");
            w.Open("public readonly struct Client");
            w.Line("private readonly global::Ergo.Gen.Node _node;");
            w.Line($"private readonly {Etf}.Pid? _pid;");
            w.Line($"private readonly {Etf}.Atom? _name;");
            w.Line($"private readonly {Etf}.Atom? _remote;");
            w.Line();
            w.Line($"private Client(global::Ergo.Gen.Node node, {Etf}.Pid? pid, {Etf}.Atom? name, {Etf}.Atom? remote) => (_node, _pid, _name, _remote) = (node, pid, name, remote);");
            w.Line();
            w.Line($"public static Client For(global::Ergo.Gen.Node node, {Etf}.Pid pid) => new(node, pid, null, null);");
            w.Line($"public static Client For(global::Ergo.Gen.Node node, {Etf}.Atom name) => new(node, null, name, null);");
            w.Line($"/// <summary>{{Name, Node}}: the server registered as <paramref name=\"name\"/> on another node.</summary>");
            w.Line($"public static Client For(global::Ergo.Gen.Node node, {Etf}.Atom name, {Etf}.Atom remoteNode) => new(node, null, name, remoteNode);");
            if (spec.RegisteredName is not null)
            {
                w.Line($"public static Client Registered(global::Ergo.Gen.Node node) => new(node, null, RegisteredAs, null);");
                w.Line($"public static Client Registered(global::Ergo.Gen.Node node, {Etf}.Atom remoteNode) => new(node, null, RegisteredAs, remoteNode);");
            }
            w.Line();
            w.Line("/// <summary>The server is on another node: messages and replies travel as terms.</summary>");
            w.Line("private bool IsRemote => _remote is not null || (_pid is not null && !global::System.Object.ReferenceEquals(_pid.Node, _node.Name));");
            w.Line();
            w.Open($"private {Tasks}.ValueTask<object?> Send(object request, global::System.TimeSpan? timeout, global::System.Threading.CancellationToken cancellationToken)");
            w.Line("if (_pid is not null)");
            w.Line("    return _node.CallAsync(_pid, request, timeout, cancellationToken);");
            w.Line("if (_remote is not null)");
            w.Line("    return _node.CallAsync(_name!, _remote, request, timeout, cancellationToken);");
            w.Line("return _node.CallAsync(_name!, request, timeout, cancellationToken);");
            w.Close();
            w.Line();
            foreach (var h in calls)
            {
                var replyType = h.ReplyType ?? $"{Etf}.Atom";
                var toTerm = ToTerm(h, "request");
                w.Open($"public async {Tasks}.ValueTask<{replyType}> CallAsync({h.MessageType} request, global::System.TimeSpan? timeout = null, global::System.Threading.CancellationToken cancellationToken = default)");
                if (toTerm is null)
                {
                    w.Line("if (IsRemote)");
                    w.Line($"    throw new global::System.InvalidOperationException(\"{Naming.Display(h.MessageType)} has no term form ([Term]) to send to another node\");");
                    w.Line("var reply = await Send(request!, timeout, cancellationToken).ConfigureAwait(false);");
                }
                else
                {
                    w.Line($"var reply = await Send(IsRemote ? {toTerm} : request, timeout, cancellationToken).ConfigureAwait(false);");
                }
                if (h.Reply is not { } reply)
                {
                    w.Line($"return ({replyType})reply!;");
                }
                else
                {
                    if (reply.Nullable)
                        w.Line("if (reply is null)").Line("    return default!;");
                    // The declared type for a reply from this node; the collection built from a term for one from another.
                    w.Line($"if (reply is {(reply.Nullable && reply.IsValueType ? reply.TypeName : replyType)} typed)");
                    w.Line("    return typed;");
                    w.Line($"if (reply is {Etf}.Term term && __Reply{calls.IndexOf(h)}(term, out var decoded))");
                    w.Line("    return decoded;");
                    w.Line($"throw new global::Ergo.Gen.Processes.ExitException(new {Etf}.Tuple({Etf}.Atom.Of(\"bad_reply\"), reply as {Etf}.Term ?? {Etf}.Atom.Undefined), $\"unexpected reply {{reply}}\");");
                }
                w.Close();
                w.Line();
            }
            for (var k = 0; k < calls.Count; k++)
            {
                if (calls[k].Reply is not { } reply)
                    continue;
                w.Open($"private static bool __Reply{k}({Etf}.Term term, out {Parser.Full(reply)} value)");
                w.Line("value = default!;");
                ValueCode.Read(w, reply, "term", "v");
                w.Line("value = v;");
                w.Line("return true;");
                w.Close();
                w.Line();
            }
            foreach (var h in casts)
            {
                var toTerm = ToTerm(h, "message");
                w.Open($"public void Cast({h.MessageType} message)");
                if (toTerm is null)
                {
                    w.Line("if (IsRemote)");
                    w.Line($"    throw new global::System.InvalidOperationException(\"{Naming.Display(h.MessageType)} has no term form ([Term]) to send to another node\");");
                }
                w.Line("if (_pid is not null)");
                w.Line(toTerm is null ? "    _node.Cast(_pid, message!);" : $"    _node.Cast(_pid, IsRemote ? {toTerm} : message!);");
                if (toTerm is not null)
                {
                    w.Line("else if (_remote is not null)");
                    w.Line($"    _node.Cast(_name!, _remote, {toTerm});");
                }
                w.Line("else");
                w.Line("    _node.Cast(_name!, message!);");
                w.Close();
                w.Line();
            }
            w.Close();
        }

        /// <summary>The message as a term for another node, or null when it has no term form.</summary>
        private static string? ToTerm(HandlerSpec h, string message) =>
            h.Message.IsTerm ? message : h.Message.Kind is not null ? ValueCode.Encode(h.Message, message) : null;

        private static void EmitDispatch(SourceWriter w, GenServerSpec spec, HandlerKind kind)
        {
            var handlers = spec.Handlers.Where(h => h.Kind == kind).ToList();
            var events = kind == HandlerKind.Info ? spec.Handlers.Where(h => h.Kind == HandlerKind.Event).ToList() : new();
            if (handlers.Count == 0 && events.Count == 0)
                return;
            var call = kind == HandlerKind.Call;
            var (method, parameters, result, fallback) = kind switch
            {
                HandlerKind.Call => ("HandleCallAsync", $"object request, {Behaviours}.From from", $"{Behaviours}.CallResult", "HandleUnknownCallAsync(request, from)"),
                HandlerKind.Cast => ("HandleCastAsync", "object request", $"{Behaviours}.ServerResult", "HandleUnknownCastAsync(request)"),
                _ => ("HandleInfoAsync", "object request", $"{Behaviours}.ServerResult", "HandleUnknownAsync(request)"),
            };
            for (var i = 0; i < events.Count; i++)
                w.Line($"private static readonly {Etf}.Atom __OnEvent{i} = {Etf}.Atom.Of({Naming.Literal(events[i].EventName!)});");
            if (events.Count > 0)
                w.Line();
            w.Line(Emit.Plumbing);
            w.Open($"protected override {Tasks}.ValueTask<{result}> {method}({parameters})");
            EmitEventDispatch(w, events);
            // .NET objects: a type switch, no boxing beyond the message itself.
            if (handlers.Count > 0)
            {
                w.Open("switch (request)");
                for (var i = 0; i < handlers.Count; i++)
                    w.Line($"case {handlers[i].MessageType} m{i}{When(handlers[i], " when ", variable: $"m{i}")}:").Line($"    return {Invoke(handlers[i], i, $"m{i}", "from.Tag is not null")};");
                w.Close();
            }
            // Terms from another node: decoded into the handler's type by its generated codec.
            // ([Term] types, types with a codec of their own, enums and the types TermConvert reads.)
            var decodable = handlers.Select((h, i) => (h, i)).Where(x => x.h.Message is { IsTerm: false, Kind: not null }).ToList();
            if (decodable.Count > 0)
            {
                w.Open($"if (request is {Etf}.Term term)");
                foreach (var (h, i) in decodable)
                    w.Line($"if ({When(h, "", " && ")}{ValueCode.Decode(h.Message, "term", $"t{i}")})").Line($"    return {Invoke(h, i, $"t{i}", "true")};");
                w.Close();
            }
            // Anything else goes to the overridable fallback: by default, as gen_server, an unknown call or cast stops
            // the server with {bad_call, Request} or {bad_cast, Msg} and an unknown message is logged and dropped.
            w.Line($"return {fallback};");
            w.Close();
            w.Line();
            for (var i = 0; i < handlers.Count; i++)
                EmitHandlerAdapter(w, handlers[i], i, call);
            for (var i = 0; i < events.Count; i++)
                EmitHandlerAdapter(w, events[i], i, false);
        }

        /// <summary>
        /// [Event&lt;T&gt;]: the event's atom, Register{Name}() and Publish{Name}(T). The payload is published as a term
        /// (through its generated codec) so subscribers on other nodes, Erlang ones included, can read it.
        /// </summary>
        private static void EmitEvents(SourceWriter w, GenServerSpec spec)
        {
            foreach (var e in spec.Events)
            {
                w.Line($"/// <summary>The event <c>{e.Name}</c>.</summary>");
                w.Line($"public static readonly {Etf}.Atom {e.Identifier}Event = {Etf}.Atom.Of({Naming.Literal(e.Name)});");
                w.Line();
                w.Line($"/// <summary>Registers <c>{e.Name}</c> with this process as its producer; false if another process has it.</summary>");
                var options = e.Buffer > 0 ? $"new global::Ergo.Gen.Events.EventOptions {{ Buffer = {e.Buffer} }}" : "null";
                w.Line($"protected bool Register{e.Identifier}() => RegisterEvent({e.Identifier}Event, {options});");
                w.Line();
                w.Line($"/// <summary>Publishes one message to the subscribers of <c>{e.Name}</c>.</summary>");
                // A payload with no term form goes as the .NET object (local subscribers only); a Term as itself.
                var published = e.Payload.Kind is null ? "payload!" : ValueCode.Encode(e.Payload, "payload");
                w.Line($"protected bool Publish{e.Identifier}({e.Payload.TypeName} payload) => SendEvent({e.Identifier}Event, {published});");
                w.Line();
            }
        }

        // [OnEvent] handlers: an EventMessage for one of their events, its message read into the handler's type
        // (as the .NET object a local publisher sent, or from the term a remote one did); other events fall through
        // to the [Info] handlers and the fallback.
        private static void EmitEventDispatch(SourceWriter w, System.Collections.Generic.List<HandlerSpec> events)
        {
            if (events.Count == 0)
                return;
            w.Open("if (request is global::Ergo.Gen.Events.EventMessage __event)");
            for (var i = 0; i < events.Count; i++)
            {
                var h = events[i];
                w.Open($"if (ReferenceEquals(__event.Event, __OnEvent{i}))");
                w.Line($"if (__event.Message is {h.MessageType} e{i})").Line($"    return __Event{i}(e{i});");
                if (h.Message is { IsTerm: false, Kind: not null } payload)
                    w.Line($"if (__event.Message is {Etf}.Term et{i} && {ValueCode.Decode(payload, $"et{i}", $"ev{i}")})").Line($"    return __Event{i}(ev{i});");
                w.Close();
            }
            w.Close();
        }

        // A call whose request came as a term (from Erlang, or from .NET code speaking terms) is answered with a term.
        /// <summary>A handler's guard: the states a [StateMachine] handler runs in, and a [Cron] handler's job name
        /// (nothing for a handler of every message of its type in every state).</summary>
        private static string When(HandlerSpec h, string before, string after = "", string? variable = null)
        {
            var guards = new System.Collections.Generic.List<string>();
            if (h.States.Count > 0)
                guards.Add($"State is {string.Join(" or ", h.States)}");
            if (h.Cron is { } cron && variable is not null)
                guards.Add($"{variable}.Job == {Naming.Literal(cron.Job)}");
            return guards.Count == 0 ? "" : before + string.Join(" && ", guards) + after;
        }

        private static string Invoke(HandlerSpec h, int index, string message, string replyAsTerm) =>
            $"__{h.Kind}{index}({message}{(h.Kind == HandlerKind.Call ? ", from, " + replyAsTerm : "")})";

        /// <summary>The writer of a reply that can be written straight to ETF: a [Term] type's own, or one for a plain value.</summary>
        private static string? DirectWriter(ValueSpec reply)
        {
            if (reply.Nullable || reply.Collection != CollectionKind.None || reply.Charlist)
                return null;
            if (reply.Kind == ValueKind.TermType)
                return $"{Codec}.Writer_{Naming.Identifier(reply.TypeName)}";
            if (reply.Kind != ValueKind.Primitive)
                return null;
            var plain = ValueCode.Plain(reply.TypeName);
            return plain is null ? null : $"global::Ergo.Gen.TermWriters.{plain}";
        }

        private static void EmitHandlerAdapter(SourceWriter w, HandlerSpec h, int index, bool call)
        {
            var result = call ? $"{Behaviours}.CallResult" : $"{Behaviours}.ServerResult";
            var args = h.NoMessage ? "" : h.TakesFrom ? "message, from" : "message";
            var parameters = $"{h.MessageType} message" + (call ? $", {Behaviours}.From from, bool replyAsTerm" : "");
            var isAsync = h.Return is ReturnKind.Task or ReturnKind.TaskOfValue or ReturnKind.ValueTask or ReturnKind.ValueTaskOfValue;
            var hasValue = h.Return is ReturnKind.Value or ReturnKind.TaskOfValue or ReturnKind.ValueTaskOfValue;
            w.Line(Emit.Plumbing);
            w.Open($"private {(isAsync ? "async " : "")}{Tasks}.ValueTask<{result}> __{h.Kind}{index}({parameters})");
            var invocation = $"{h.Method}({args})";
            if (hasValue)
                w.Line($"var reply = {(isAsync ? "await " : "")}{invocation};");
            else
                w.Line($"{(isAsync ? "await " : "")}{invocation};");
            // A reply to a caller on another node goes straight into the connection's frame, with no term tree.
            if (call && h.Reply is { } replied && DirectWriter(replied) is { } writer)
            {
                var noReply = $"{Behaviours}.CallResult.NoReply()";
                w.Line($"if (replyAsTerm && TryReplyNow(from, reply, {writer}))");
                w.Line(isAsync ? $"    return {noReply};" : $"    return new {Tasks}.ValueTask<{result}>({noReply});");
            }
            string value;
            if (!call)
                value = $"{Behaviours}.ServerResult.NoReply()";
            else if (!hasValue)
                value = $"{Behaviours}.CallResult.Reply({Etf}.Atom.Ok)";
            else if (h.Reply is { } reply)
                value = $"{Behaviours}.CallResult.Reply(replyAsTerm ? {ValueCode.Write(reply, "reply")} : (object?)reply)";
            else
                value = $"{Behaviours}.CallResult.Reply(reply)";
            w.Line(isAsync ? $"return {value};" : $"return new {Tasks}.ValueTask<{result}>({value});");
            w.Close();
            w.Line();
        }
    }
}
