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

        public static string? Problem(string expression)
        {
            var parts = expression.Split(new[] { ' ', '\t' }, System.StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length is not (5 or 6))
                return $"it has {parts.Length} fields; cron has five (minute hour day month weekday), or six with seconds first";
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
