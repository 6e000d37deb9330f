namespace Ergo.Gen.Generators.Helpers
{
    internal static class Naming
    {
        /// <summary>snake_case: the runtime's own implementation, compiled in here too.</summary>
        public static string SnakeCase(string name) => Ergo.Gen.Shared.SnakeCaseName.Of(name);

        /// <summary>A fully qualified type name as users read it in a message, without <c>global::</c>.</summary>
        public static string Display(string fullyQualified) => fullyQualified.Replace("global::", "");

        /// <summary>A C# string literal.</summary>
        public static string Literal(string text) => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true);

        /// <summary>PascalCase from an atom's text (<c>price_changed</c> → <c>PriceChanged</c>), for generated member names.</summary>
        public static string Pascal(string name)
        {
            var result = new System.Text.StringBuilder(name.Length);
            var upper = true;
            foreach (var c in name)
            {
                if (!char.IsLetterOrDigit(c))
                {
                    upper = true;
                    continue;
                }
                if (result.Length == 0 && char.IsDigit(c))
                    result.Append('_');
                result.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
            return result.Length == 0 ? "_" : result.ToString();
        }

        /// <summary>An identifier made from a fully qualified name, for generated members and hint names.</summary>
        public static string Identifier(string fullyQualified) =>
            Display(fullyQualified).Replace('.', '_').Replace('<', '_').Replace('>', '_').Replace(',', '_').Replace(' ', '_');
    }
}
