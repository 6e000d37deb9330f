using System.Globalization;
using System.Text;

namespace Ergo.Gen.Benchmarks;

/// <summary>
/// Writes the peers table (Markdown) and chart (PNG) into the docs from one run's result lines: Erlang's
/// ("result S V U") and ours ("result S V U" for Ergo.Gen, "peer NAME S V U" for Akka.NET and Proto.Actor).
/// </summary>
public static class PeersReport
{
    private static readonly string[] Systems = ["ergo.gen", "erlang", "akka", "protoactor"];

    public static void Write(string erlangResults, string dotnetResults, string outputDirectory)
    {
        var values = new Dictionary<(string System, string Scenario), double>();
        var units = new Dictionary<string, string>();
        var order = new List<string>();
        foreach (var line in File.ReadLines(erlangResults).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(p => p.Length >= 4 && p[0] == "result"))
            values[("erlang", line[1])] = double.Parse(line[2], CultureInfo.InvariantCulture);
        foreach (var parts in File.ReadLines(dotnetResults).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            var (system, rest) = parts switch
            {
                ["result", ..] when parts.Length >= 4 => ("ergo.gen", parts[1..]),
                ["peer", var name, ..] when parts.Length >= 5 => (name, parts[2..]),
                _ => ("", Array.Empty<string>()),
            };
            if (system.Length == 0)
                continue;
            values[(system, rest[0])] = double.Parse(rest[1], CultureInfo.InvariantCulture);
            units[rest[0]] = rest[2];
            if (system == "ergo.gen" && !order.Contains(rest[0]))
                order.Add(rest[0]);
        }

        // Relative to Erlang (1.0), oriented so that higher is better whatever the unit.
        double? Relative(string system, string scenario) =>
            values.TryGetValue((system, scenario), out var v) && values.TryGetValue(("erlang", Base(scenario, values)), out var e) && v > 0 && e > 0
                ? units[scenario] == "per_s" ? v / e : e / v
                : null;

        var md = new StringBuilder();
        md.AppendLine("# Benchmarks: Ergo.Gen and its peers");
        md.AppendLine();
        md.AppendLine($"Written by `build/bench.sh peers` on {DateTime.UtcNow:yyyy-MM-dd} (a shared 2-core machine: absolute numbers are noise; read the ratios).");
        md.AppendLine("Each cell is the measured value; in brackets, relative to Erlang (higher is better).");
        md.AppendLine();
        md.AppendLine("| scenario | unit | " + string.Join(" | ", Systems) + " |");
        md.AppendLine("|---|---|" + string.Concat(Systems.Select(_ => "---:|")));
        foreach (var scenario in order)
        {
            var cells = Systems.Select(s => values.TryGetValue((s, s == "erlang" ? Base(scenario, values) : scenario), out var v)
                ? string.Create(CultureInfo.InvariantCulture, $"{v:#,0.##} ({Relative(s, scenario) ?? 1:0.00})")
                : "-");
            md.AppendLine($"| {scenario} | {units[scenario]} | {string.Join(" | ", cells)} |");
        }
        md.AppendLine();
        md.AppendLine("![relative to Erlang](peers.png)");
        Directory.CreateDirectory(outputDirectory);
        File.WriteAllText(Path.Combine(outputDirectory, "peers.md"), md.ToString());

        var plot = new ScottPlot.Plot();
        var colors = new[] { ScottPlot.Colors.SteelBlue, ScottPlot.Colors.DarkRed, ScottPlot.Colors.DarkOrange, ScottPlot.Colors.SeaGreen };
        var bars = new List<ScottPlot.Bar>();
        for (var i = 0; i < order.Count; i++)
        {
            for (var s = 0; s < Systems.Length; s++)
            {
                if (Systems[s] == "erlang" ? values.ContainsKey(("erlang", Base(order[i], values))) : Relative(Systems[s], order[i]) is not null)
                    bars.Add(new ScottPlot.Bar { Position = i * (Systems.Length + 1) + s, Value = Systems[s] == "erlang" ? 1 : Relative(Systems[s], order[i])!.Value, FillColor = colors[s] });
            }
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(order.Select((_, i) => i * (Systems.Length + 1) + 1.5).ToArray(), order.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 170;
        plot.Axes.Left.Label.Text = "relative to Erlang (higher is better)";
        plot.Title("Ergo.Gen, Erlang, Akka.NET, Proto.Actor");
        for (var s = 0; s < Systems.Length; s++)
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = Systems[s], FillColor = colors[s] });
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.Axes.Margins(bottom: 0);
        plot.SavePng(Path.Combine(outputDirectory, "peers.png"), 1100, 600);
    }

    // A variant (dist.small.erl_to_ergo) is compared with its Erlang-only base (dist.small).
    private static string Base(string scenario, Dictionary<(string, string), double> values)
    {
        var b = scenario;
        while (!values.ContainsKey(("erlang", b)) && b.LastIndexOf('.') > b.IndexOf('.'))
            b = b[..b.LastIndexOf('.')];
        return b;
    }
}
