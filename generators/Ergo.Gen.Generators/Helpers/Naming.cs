using System.Text;

namespace Ergo.Gen.Generators.Helpers
{
    internal static class Naming
    {
        /// <summary>snake_case, as TermConvert.SnakeCase spells it at run time (kept in step by a test).</summary>
        public static string SnakeCase(string name)
        {
            var sb = new StringBuilder(name.Length + 4);
            for (var i = 0; i < name.Length; i++)
            {
                var c = name[i];
                if (char.IsUpper(c))
                {
                    if (i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                        sb.Append('_');
                    sb.Append(char.ToLowerInvariant(c));
                }
                else
                {
                    sb.Append(c);
                }
            }
            return sb.ToString();
        }

        /// <summary>A C# string literal.</summary>
        public static string Literal(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

        /// <summary>An identifier made from a fully qualified name, for generated members and hint names.</summary>
        public static string Identifier(string fullyQualified) =>
            fullyQualified.Replace("global::", "").Replace('.', '_').Replace('<', '_').Replace('>', '_').Replace(',', '_').Replace(' ', '_');
    }
}
