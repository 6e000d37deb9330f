namespace Ergo.Gen.Generators.Helpers
{
    internal static class Naming
    {
        /// <summary>snake_case: the runtime's own implementation, compiled in here too.</summary>
        public static string SnakeCase(string name) => Ergo.Gen.Shared.SnakeCaseName.Of(name);

        /// <summary>A C# string literal.</summary>
        public static string Literal(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

        /// <summary>An identifier made from a fully qualified name, for generated members and hint names.</summary>
        public static string Identifier(string fullyQualified) =>
            fullyQualified.Replace("global::", "").Replace('.', '_').Replace('<', '_').Replace('>', '_').Replace(',', '_').Replace(' ', '_');
    }
}
