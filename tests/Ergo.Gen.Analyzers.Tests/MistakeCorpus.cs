namespace Ergo.Gen.Analyzers.Tests;

/// <summary>Typical mistakes, each built alone. The span in {|ID:...|} is where the diagnostic must be.</summary>
internal static class MistakeCorpus
{
    public static readonly (string Name, string Markup)[] Mistakes =
    [
        ("not_partial_gen_server", """
            [GenServer] public class {|EG0001:Counter|} { [Call] int H(Atom a) => 1; }
            """),
        ("not_partial_supervisor", """
            [GenServer] public partial class W { } [Supervisor] [Child<W>] public class {|EG0001:Sup|} { }
            """),
        ("not_partial_stage", """
            [Stage(StageType.Producer)] public class {|EG0001:Numbers|} { [Demand] IEnumerable<long> D(int n) => new long[0]; }
            """),
        ("not_partial_saga", """
            [Saga] public class {|EG0001:Orders|} { }
            """),
        ("not_partial_saga_worker", """
            [SagaWorker] public class {|EG0001:Packer|} { }
            """),
        ("containing_type_not_partial", """
            public class {|EG0001:Outer|} { [GenServer] public partial class Inner { [Cast] void H(Atom a) { } } }
            """),
        ("partial_term_in_a_type_that_is_not", """
            public static class {|EG0001:Outer|} { [Term] public sealed partial record Msg(int A); }
            """),
        ("gen_server_with_a_base_class", """
            public class Base { } [GenServer] public partial class C : {|EG0002:Base|} { }
            """),
        ("stage_with_a_base_class", """
            public class Base { } [Stage(StageType.Consumer)] public partial class C : {|EG0002:Base|} { }
            """),
        ("supervisor_with_a_base_class", """
            public class Base { } [Supervisor] public partial class S : {|EG0002:Base|} { }
            """),
        ("static_handler", """
            [GenServer] public partial class C { [Call] static int {|EG0003:H|}(Atom a) => 1; }
            """),
        ("handler_without_a_message", """
            [GenServer] public partial class C { [Call] int {|EG0003:H|}() => 1; }
            """),
        ("handler_with_three_parameters", """
            [GenServer] public partial class C { [Call] int {|EG0003:H|}(Atom a, From f, int x) => 1; }
            """),
        ("ref_parameter", """
            [GenServer] public partial class C { [Cast] void {|EG0003:H|}(ref int a) { } }
            """),
        ("out_parameter", """
            [GenServer] public partial class C { [Call] int {|EG0003:H|}(out int a) { a = 1; return 1; } }
            """),
        ("in_parameter", """
            [GenServer] public partial class C { [Info] void {|EG0003:H|}(in long a) { } }
            """),
        ("from_in_the_wrong_place", """
            [GenServer] public partial class C { [Call] int {|EG0003:H|}(From f, Atom a) => 1; }
            """),
        ("from_on_a_cast", """
            [GenServer] public partial class C { [Cast] void {|EG0003:H|}(Atom a, From f) { } }
            """),
        ("cast_with_a_reply", """
            [GenServer] public partial class C { [Cast] int {|EG0003:H|}(Atom a) => 1; }
            """),
        ("info_with_a_task_reply", """
            [GenServer] public partial class C { [Info] Task<int> {|EG0003:H|}(Atom a) => Task.FromResult(1); }
            """),
        ("generic_handler", """
            [GenServer] public partial class C { [Call] int {|EG0003:H|}<T>(T a) => 1; }
            """),
        ("call_and_cast_on_one_method", """
            [GenServer] public partial class C { [Call, Cast] void {|EG0003:H|}(Atom a) { } }
            """),
        ("ref_struct_message", """
            [GenServer] public partial class C { [Cast] void {|EG0003:H|}(Span<int> s) { } }
            """),
        ("event_handler_with_two_parameters", """
            [GenServer] public partial class C { [OnEvent("quotes")] void {|EG0003:H|}(Atom a, Pid p) { } }
            """),
        ("demand_on_a_consumer", """
            [Stage(StageType.Consumer)] public partial class C { [Demand] IEnumerable<long> {|EG0003:D|}(int n) => new long[0]; }
            """),
        ("demand_of_the_wrong_type", """
            [Stage(StageType.Producer)] public partial class P { [Demand] IEnumerable<long> {|EG0003:D|}(long n) => new long[0]; }
            """),
        ("events_that_are_not_a_list", """
            [Stage(StageType.Consumer)] public partial class C { [Events] void {|EG0003:E|}(long e) { } }
            """),
        ("tx_new_without_its_transaction", """
            [Saga] public partial class S { [TxNew] void {|EG0003:N|}(Term value) { } }
            """),
        ("job_start_on_a_saga", """
            [Saga] public partial class S { [JobStart] void {|EG0003:J|}(SagaJob job, Term value) { } }
            """),
        ("two_calls_for_one_type", """
            [GenServer] public partial class C { [Call] int A(Atom a) => 1; [Call] int {|EG0004:B|}(Atom a) => 2; }
            """),
        ("two_casts_for_one_type", """
            [Term] public sealed record Ping; [GenServer] public partial class C { [Cast] void A(Ping p) { } [Cast] void {|EG0004:B|}(Ping p) { } }
            """),
        ("two_infos_for_one_type", """
            [GenServer] public partial class C { [Info] void A(Pid p) { } [Info] ValueTask {|EG0004:B|}(Pid p) => default; }
            """),
        ("two_event_handlers_for_one_event", """
            [GenServer] public partial class C { [OnEvent("a")] void A(Atom a) { } [OnEvent("a")] void {|EG0004:B|}(Atom a) { } }
            """),
        ("two_demand_callbacks", """
            [Stage(StageType.Producer)] public partial class P { [Demand] IEnumerable<long> A(int n) => new long[0]; [Demand] IEnumerable<long> {|EG0004:B|}(int n) => new long[0]; }
            """),
        ("stream_member", """
            [Term] public sealed record Bad(int Ok, System.IO.Stream {|EG0005:Stream|});
            """),
        ("delegate_member", """
            [Term] public sealed class Bad { public Action {|EG0005:Callback|} { get; set; } = () => { }; }
            """),
        ("list_of_streams", """
            [Term] public sealed record Bad(List<System.IO.Stream> {|EG0005:Streams|});
            """),
        ("blocking_sleep_in_a_handler", """
            [GenServer] public partial class C { [Call] int H(Atom a) { {|EG0006:Thread.Sleep|}(10); return 1; } }
            """),
        ("blocking_result_in_a_handler", """
            [GenServer] public partial class C { [Call] int H(Atom a) => {|EG0006:Task.FromResult(1).Result|}; }
            """),
        ("tag_longer_than_an_atom", """
            [{|EG0007:Term("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")|}] public sealed record Long(int A);
            """),
        ("call_to_self", """
            [GenServer] public partial class C { [Call] async Task<object?> H(Atom a) => await {|EG0008:CallAsync(Self, a)|}; }
            """),
        ("call_to_self_through_the_client", """
            [GenServer(Name = "c")] public partial class C { [Call] int H(Atom a) => 1; [Cast] async Task K(Pid p) => await {|EG0008:Client.Registered(Node).CallAsync(Atom.Ok)|}; }
            """),
        ("call_to_self_through_a_local_client", """
            [GenServer] public partial class C { [Call] int H(Atom a) => 1; [Cast] async Task K(Pid p) { var me = Client.For(Node, Self); await {|EG0008:me.CallAsync(Atom.Ok)|}; } }
            """),
        ("child_that_is_not_a_process", """
            public class Plain { } [Supervisor] [{|EG0009:Child<Plain>|}] public partial class Sup;
            """),
        ("child_that_is_abstract", """
            public abstract class Half : Ergo.Gen.Processes.Process { } [Supervisor] [{|EG0009:Child<Half>|}] public partial class Sup;
            """),
        ("child_without_a_parameterless_constructor", """
            public class NoNew : Ergo.Gen.Processes.Process { public NoNew(int x) { } protected override ValueTask HandleAsync(object m) => default; } [Supervisor] [{|EG0009:Child<NoNew>|}] public partial class Sup;
            """),
        ("info_for_a_type_nothing_sends", """
            public sealed record Tick; [GenServer] public partial class C { [Info] void {|EG0010:H|}(Tick t) { } }
            """),
        ("call_for_a_type_that_cannot_come_from_erlang", """
            public sealed record Ask; [GenServer] public partial class C { [Call] int {|EG0010:H|}(Ask a) => 1; }
            """),
        ("async_void_cast", """
            [GenServer] public partial class C { [Cast] async void {|EG0011:H|}(Atom a) { await Task.Yield(); } }
            """),
        ("async_void_job", """
            [SagaWorker] public partial class W { [JobStart] async void {|EG0011:J|}(SagaJob job, Term v) { await Task.Yield(); } }
            """),
        ("reply_with_no_term_form", """
            [GenServer] public partial class C { [Call] System.IO.Stream {|EG0012:H|}(Atom a) => System.IO.Stream.Null; }
            """),
        ("event_payload_with_no_term_form", """
            [GenServer] [{|EG0012:Event<System.IO.Stream>("bytes")|}] public partial class C { }
            """),
        ("child_on_a_class_that_is_not_a_supervisor", """
            [GenServer] public partial class W { } [{|EG0013:Child<W>|}] public partial class NotASupervisor { }
            """),
        ("handlers_for_two_interfaces", """
            public interface IA { } public interface IB { } [GenServer] public partial class C { [Cast] void A(IA a) { } [Cast] void {|EG0014:B|}(IB b) { } }
            """),
        ("two_term_types_with_one_tag", """
            [Term("point")] public sealed record A(int X); [Term("point")] public sealed record {|EG0015:B|}(int Y);
            """),
        ("flags_enum_member", """
            [Flags] public enum Perm { Read = 1, Write = 2 } [Term] public sealed record P(Perm {|EG0016:Perm|});
            """),
        ("flags_enum_as_a_dictionary_key", """
            [Flags] public enum Perm { Read = 1, Write = 2 } [Term] public sealed record P(Dictionary<Perm, int> {|EG0016:Counts|});
            """),
        ("generic_term_used_as_a_member", """
            [Term] public sealed record {|EG0017:Box|}<T>(T Value); [Term] public sealed record Holder(Box<int> {|EG0005:Boxed|});
            """),
        ("enum_members_with_one_atom", """
            public enum E { FooBar, Foo_Bar } [Term] public sealed record P(E {|EG0016:E|});
            """),
        ("term_with_no_usable_constructor", """
            [Term] public sealed class {|EG0017:Msg|} { private Msg() { } public int A { get; set; } }
            """),
        ("term_with_a_read_only_property", """
            [Term] public sealed class {|EG0017:Msg|} { public int A { get; } public int B { get; set; } }
            """),
        ("generic_term", """
            [Term] public sealed record {|EG0017:Box|}<T>(T Value);
            """),
        ("elixir_struct_that_is_not_a_map", """
            [{|EG0017:Term(ElixirStruct = "Elixir.Shop.User")|}] public sealed record User(string Email);
            """),
        ("private_nested_term", """
            public partial class Outer { [Term] private sealed record {|EG0017:Hidden|}(int A); }
            """),
        ("state_machine_handlers_for_one_type_in_overlapping_states", """
            public enum S { A, B } [StateMachine<S>] public partial class M { [In(S.A), Call] int X(Atom a) { GoTo(S.B); return 1; } [In(S.A, S.B), Call] int {|EG0004:Y|}(Atom a) { GoTo(S.A); return 2; } }
            """),
        ("in_on_a_gen_server_handler", """
            [GenServer] public partial class C { [In(1), Call] int {|EG0003:H|}(Atom a) => 1; }
            """),
        ("in_with_a_value_of_another_enum", """
            public enum S { A, B } public enum Other { X } [StateMachine<S>] public partial class M { [In(Other.X), Cast] void {|EG0003:H|}(Atom a) => GoTo(S.B); }
            """),
        ("state_machine_with_a_base_class", """
            public enum S { A } public class Base { } [StateMachine<S>] public partial class M : {|EG0002:Base|} { }
            """),
        ("state_machine_not_partial", """
            public enum S { A } [StateMachine<S>] public class {|EG0001:M|} { }
            """),
        ("state_never_entered", """
            public enum S { Idle, Busy, {|EG0019:Broken|} } [StateMachine<S>] public partial class M { [In(S.Idle), Cast] void H(Atom a) => GoTo(S.Busy); [In(S.Busy), Cast] void Back(Pid p) => GoTo(S.Idle); }
            """),
        ("timeout_message_no_handler_takes", """
            public sealed record Tick; public enum S { A } [StateMachine<S>] public partial class M { [Cast] void H(Atom a) => StateTimeout(TimeSpan.FromSeconds(1), {|EG0020:new Tick()|}); }
            """),
        ("cron_with_six_fields_out_of_range", """
            [GenServer] public partial class C { [{|EG0021:Cron("99 * * * * *")|}] void Tick() { } }
            """),
        ("cron_with_three_fields", """
            [GenServer] public partial class C { [{|EG0021:Cron("* * *")|}] void Tick() { } }
            """),
        ("cron_handler_taking_a_message", """
            [GenServer] public partial class C { [Cron("* * * * *")] void {|EG0003:Tick|}(Atom a) { } }
            """),
        ("cron_handler_with_a_reply", """
            [GenServer] public partial class C { [Cron("* * * * *")] int {|EG0003:Tick|}() => 1; }
            """),
        ("cron_and_info_on_one_method", """
            [GenServer] public partial class C { [Cron("* * * * *"), Info] void {|EG0003:Tick|}(Ergo.Gen.Scheduling.CronTick t) { } }
            """),
        ("state_never_left", """
            public enum S { Idle, {|EG0022:Stuck|} } [StateMachine<S>] public partial class M { [In(S.Idle), Cast] void H(Atom a) => GoTo(S.Stuck); [Call] S Where(Pid p) => State; }
            """),
        ("cron_with_a_hashed_field", """
            [GenServer] public partial class C { [{|EG0021:Cron("H * * * *")|}] void Tick() { } }
            """),
        ("state_machine_calls_itself_through_its_client", """
            public enum S { A } [StateMachine<S>(Name = "m")] public partial class M { [Call] async Task<int> H(Atom a) => await {|EG0008:Client.Registered(Node).CallAsync(new Pid(Atom.Of("x@y"), 1, 0, 1))|}; [Call] int P(Pid p) => 1; }
            """),
    ];

    /// <summary>What must build with no diagnostic and no error: shapes the generator supports.</summary>
    public static readonly (string Name, string Source)[] Fine =
    [
        ("enum_and_plain_messages_and_replies", """
            public enum Mode { Fast, Slow } public readonly record struct Money(long C) : ITermCodec<Money> { public static Term ToTerm(Money m) => Integer.Of(m.C); public static bool TryFromTerm(Term t, out Money m) { m = new(t is Integer i ? i.Value : 0); return t is Integer; } }
            [GenServer] [Event<Mode>("modes")] public partial class C { [Call] Mode A(Mode m) => m; [Cast] void B(string s) { } [Call] Money D(Money m) => m; [Info] void E(long n) { } }
            """),
        ("nested_server", """
            public static partial class Shop { [GenServer(Name = "cat")] public partial class Catalog { [Call] long H(Atom a) => 1; } }
            """),
        ("generic_server", """
            public partial class Outer<TKey> { [GenServer] public partial class Cache<TValue> { [Call] TValue H(TValue v) => v; [Cast] void F(Atom a) { } } }
            """),
        ("every_return_shape", """
            [GenServer] public partial class C { [Call] int A(Atom a) => 1; [Call] Task<long> B(Pid p) => Task.FromResult(1L); [Call] ValueTask<string> D(string s, From f) => new(s); [Call] async Task E(Reference r) => await Task.Yield(); [Cast] ValueTask F(long l) => default; [Info] Task G(int i) => Task.CompletedTask; }
            """),
        ("list_reply", """
            [GenServer] public partial class C { [Call] List<int> A(Atom a) => new() { 1 }; [Call] Dictionary<string, List<long>> B(Pid p) => new(); }
            """),
        ("nullable_codec_struct", """
            public readonly record struct Money(long Cents) : ITermCodec<Money> { public static Term ToTerm(Money m) => Integer.Of(m.Cents); public static bool TryFromTerm(Term t, out Money m) { m = new(t is Integer i ? i.Value : 0); return t is Integer; } } [Term] public sealed record Price(Money? Amount, List<Money?> History);
            """),
        ("common_types", """
            [Term] public sealed record Stamp(DateTime At, DateTimeOffset Seen, Guid Id, decimal Price, char Grade, Half Ratio, HashSet<string> Tags, IReadOnlyDictionary<string, int[]> Index, List<List<int>> Grid);
            """),
        ("derived_message_types", """
            public class Shape { } public sealed class Circle : Shape { } [GenServer] public partial class C { [Cast] void A(Shape s) { } [Cast] void B(Circle c) { } void Go() { Cast(Self, new Circle()); Cast(Self, new Shape()); } }
            """),
        ("computed_property_on_a_term_class", """
            [Term] public sealed class Box { public int A { get; set; } public int B { get; set; } public int Total => A + B; }
            """),
        ("partial_term_that_also_converts_itself", """
            [Term] public sealed partial record Money(long Cents) : ITermCodec<Money> { public static Term ToTerm(Money m) => Integer.Of(m.Cents); public static bool TryFromTerm(Term t, out Money m) { m = new(t is Integer i ? i.Value : 0); return t is Integer; } }
            [GenServer] public partial class Till { [Call] Money H(Money m) => m; }
            """),
        ("private_constructor_server", """
            [GenServer(Name = "p")] public partial class P { private P() { } [Call] int H(Atom a) => 1; }
            """),
        ("state_machine_with_states_timeouts_and_postponing", """
            public enum Door { Locked, Open } public sealed record Relock; [Term] public sealed record Unlock(string Code);
            [StateMachine<Door>(Name = "door")] public partial class M
            {
                protected override Door InitialState => Door.Locked;
                [In(Door.Locked), Call] Term H(Unlock u) { GoTo(Door.Open); StateTimeout(TimeSpan.FromSeconds(1), new Relock()); return Atom.Ok; }
                [In(Door.Open), Call] Term Again(Unlock u) { Postpone(); return Atom.Ok; }
                [In(Door.Open), Info] void H(Relock r) => GoTo(Door.Locked);
            }
            """),
        ("cron_handlers_with_and_without_the_tick", """
            [GenServer] public partial class C
            {
                [Info] void First(Ergo.Gen.Scheduling.CronTick t) { }
                [Cron("*/5 * * * *")] void Every5(Ergo.Gen.Scheduling.CronTick t) { }
                [Cron("@hourly")] void Hourly() { }
                [Cron("0 30 9 * * 1-5", TimeZone = "Europe/Paris", Missed = Ergo.Gen.Scheduling.MissedRuns.RunOnce)] Task Weekdays() => Task.CompletedTask;
            }
            """),
    ];
}
