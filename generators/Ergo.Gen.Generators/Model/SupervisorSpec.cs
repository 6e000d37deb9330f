using Ergo.Gen.Generators.Helpers;

namespace Ergo.Gen.Generators.Model
{
    /// <summary>One [Child&lt;T&gt;] of a [Supervisor].</summary>
    internal sealed record ChildModel(string Type, string Id, int Restart, int ShutdownMilliseconds, bool Significant, bool IsSupervisor, string? RegisteredName);

    /// <summary>A [Supervisor] class: its flags and children in start order.</summary>
    internal sealed record SupervisorModel(
        TypeShell Shell,
        string FullName,
        int Strategy,
        int Intensity,
        int PeriodSeconds,
        int AutoShutdown,
        string? RegisteredName,
        EquatableArray<ChildModel> Children);
}
