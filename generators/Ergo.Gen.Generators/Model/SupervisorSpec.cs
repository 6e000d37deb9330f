using Ergo.Gen.Generators.Helpers;

namespace Ergo.Gen.Generators.Model
{
    /// <summary>Mirrors of the runtime's Strategy, RestartType and AutoShutdown, read from the attributes' arguments.</summary>
    internal enum SupervisorStrategy { OneForOne, OneForAll, RestForOne, SimpleOneForOne }

    internal enum ChildRestart { Permanent, Transient, Temporary }

    internal enum AutoShutdownKind { Never, AnySignificant, AllSignificant }

    /// <summary>One [Child&lt;T&gt;] of a [Supervisor].</summary>
    internal sealed record ChildModel(string Type, string Id, ChildRestart Restart, int ShutdownMilliseconds, bool Significant, bool IsSupervisor, string? RegisteredName);

    /// <summary>A [Supervisor] class: its flags and children in start order.</summary>
    internal sealed record SupervisorModel(
        TypeShell Shell,
        string FullName,
        SupervisorStrategy Strategy,
        int Intensity,
        int PeriodSeconds,
        AutoShutdownKind AutoShutdown,
        string? RegisteredName,
        EquatableArray<ChildModel> Children);
}
