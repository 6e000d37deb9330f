using Ergo.Gen.Generators.Helpers;
using Ergo.Gen.Generators.Model;

namespace Ergo.Gen.Generators
{
    /// <summary>[Supervisor] classes into their Configure(): flags and child specs in declaration order, and StartAsync.</summary>
    internal static class SupervisorEmitter
    {
        private const string Etf = ValueCode.Etf;
        private const string Behaviours = "global::Ergo.Gen.Behaviours";

        public static string Supervisor(SupervisorModel spec)
        {
            var w = Emit.Header();
            var depth = Shells.Open(w, spec.Shell, $"{Behaviours}.Supervisor");
            var name = "null";
            if (spec.RegisteredName is { } registered)
            {
                w.Line(Emit.GeneratedCode);
                w.Line($"public static readonly {Etf}.Atom RegisteredAs = {Etf}.Atom.Of({Naming.Literal(registered)});");
                w.Line();
                name = "RegisteredAs";
            }
            w.Line("/// <summary>supervisor:start_link: starts the tree, children in declaration order.</summary>");
            w.Line(Emit.GeneratedCode);
            w.Line($"public static global::System.Threading.Tasks.Task<{Etf}.Pid?> StartAsync(global::Ergo.Gen.Node node, {Etf}.Pid? linkTo = null, global::System.Threading.CancellationToken cancellationToken = default) => node.StartServerAsync(new {spec.Shell.Declaration}(), {name}, linkTo, cancellationToken);");
            w.Line();
            w.Line(Emit.Plumbing);
            w.Line($"protected override {Behaviours}.SupervisorSpec Configure() => new(").Indent();
            w.Line($"new {Behaviours}.SupervisorFlags");
            w.Line("{");
            w.Line($"    Strategy = {Behaviours}.Strategy.{spec.Strategy},");
            w.Line($"    Intensity = {spec.Intensity},");
            w.Line($"    Period = global::System.TimeSpan.FromSeconds({spec.PeriodSeconds}),");
            w.Line($"    AutoShutdown = {Behaviours}.AutoShutdown.{spec.AutoShutdown},");
            w.Line("},");
            w.Line($"new {Behaviours}.ChildSpec[]");
            w.Line("{");
            foreach (var child in spec.Children)
            {
                var shutdown = child.ShutdownMilliseconds switch
                {
                    int.MinValue => "null",
                    0 => $"{Behaviours}.Shutdown.BrutalKill",
                    < 0 => $"{Behaviours}.Shutdown.Infinity",
                    var ms => $"{Behaviours}.Shutdown.Milliseconds({ms})",
                };
                var childName = child.RegisteredName is { } n ? $"{Etf}.Atom.Of({Naming.Literal(n)})" : "null";
                w.Line($"    new() {{ Id = {Naming.Literal(child.Id)}, Start = static _ => new {child.Type}(), Restart = {Behaviours}.RestartType.{child.Restart}, " +
                       $"Type = {Behaviours}.ChildType.{(child.IsSupervisor ? "Supervisor" : "Worker")}, Name = {childName}, Shutdown = {shutdown}, Significant = {(child.Significant ? "true" : "false")} }},");
            }
            w.Line("});").Outdent();
            Shells.Close(w, depth);
            return w.ToString();
        }
    }
}
