using System.Linq;

namespace Ergo.Gen.Generators
{
    /// <summary>
    /// A [Cron] expression checked at compile time as far as its shape goes: five fields (or six, seconds first), made
    /// of what cron allows, with plain numbers in range. Cronos reads it at run time; what passes here but not there
    /// (rarer forms) fails the server's start with a clear reason.
    /// </summary>
    internal static class CronCheck
    {
        private static readonly (string Name, int Min, int Max)[] Fields =
        {
            ("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7),
        };

        // The macros Cronos reads.
        private static readonly string[] Macros =
        {
            "@every_second", "@every_minute", "@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually",
        };

        public static string? Problem(string expression)
        {
            var trimmed = expression.Trim();
            if (trimmed.StartsWith("@"))
                return Macros.Contains(trimmed.ToLowerInvariant()) ? null : $"'{trimmed}' is not a cron macro ({string.Join(", ", Macros)})";
            var parts = expression.Split((char[]?)null, System.StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length is not (5 or 6))
                return $"it has {parts.Length} field{(parts.Length == 1 ? "" : "s")}; cron has five (minute hour day month weekday), or six with seconds first";
            if (parts.Any(p => p.IndexOf('H') >= 0 && !p.Any(char.IsLower) && p.Length <= 4 && p.StartsWith("H")))
                return "H (a hashed value) needs a seed per schedule, which this runtime does not give";
            var fields = parts.Length == 6 ? new[] { ("second", 0, 59) }.Concat(Fields).ToArray() : Fields;
            for (var i = 0; i < parts.Length; i++)
            {
                var (name, min, max) = fields[i];
                if (parts[i].Any(c => !(char.IsLetterOrDigit(c) || c is '*' or ',' or '-' or '/' or '?' or '#')))
                    return $"the {name} field '{parts[i]}' has a character cron does not use";
                foreach (var number in parts[i].Split(',', '-', '/').Where(p => p.Length > 0 && p.All(char.IsDigit)))
                {
                    if (!int.TryParse(number, out var n) || n < min || n > max)
                        return $"{number} is out of range for the {name} field ({min}-{max})";
                }
            }
            return null;
        }
    }
}
