using Ergo.Gen.Generators.Model;

namespace Ergo.Gen.Generators
{
    /// <summary>The generated expressions that turn a <see cref="TypedValue"/> into a term and back, for every emitter.</summary>
    internal static class TermExpressions
    {
        private const string Convert = "global::Ergo.Gen.TermConvert";
        private const string Codec = "global::Ergo.Gen.Generated.TermCodec";

        /// <summary>A condition that is true when <paramref name="term"/> reads as the value, declaring <paramref name="target"/>.</summary>
        public static string Decode(TypedValue value, string term, string target) => value.IsTerm
            ? $"{term} is {value.TypeName} {target}"
            : value.Kind switch
            {
                ValueKind.TermType or ValueKind.Enum => $"{Codec}.TryFromTerm({term}, out {value.TypeName} {target})",
                ValueKind.Custom => $"{Convert}.TryDecode<{value.TypeName}>({term}, out {value.TypeName} {target})",
                _ => $"{Convert}.TryFromTerm({term}, out {value.TypeName} {target})",
            };

        /// <summary>The term of <paramref name="expression"/>.</summary>
        public static string Encode(TypedValue value, string expression) => value.Kind switch
        {
            ValueKind.TermType or ValueKind.Enum => $"{Codec}.ToTerm({expression})",
            ValueKind.Custom => $"{Convert}.Encode<{value.TypeName}>({expression})",
            _ => $"{Convert}.ToTerm({expression})",
        };
    }
}
