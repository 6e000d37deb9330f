using System.Linq;
using Microsoft.CodeAnalysis;

namespace Ergo.Gen.Generators.Model
{
    /// <summary>
    /// Which .NET types have an ETF form. Compiled into the generator and the analyzers alike, so EG0005 fires
    /// exactly where the generator would have nothing to write.
    /// </summary>
    internal static class TermTypeRules
    {
        public const string TermAttribute = "Ergo.Gen.TermAttribute";

        /// <summary>The types TermConvert converts both ways.</summary>
        public static bool IsConvertible(ITypeSymbol type)
        {
            switch (type.SpecialType)
            {
                case SpecialType.System_Int32:
                case SpecialType.System_Int64:
                case SpecialType.System_Int16:
                case SpecialType.System_Byte:
                case SpecialType.System_UInt32:
                case SpecialType.System_UInt16:
                case SpecialType.System_UInt64:
                case SpecialType.System_Double:
                case SpecialType.System_Single:
                case SpecialType.System_Boolean:
                case SpecialType.System_String:
                case SpecialType.System_SByte:
                case SpecialType.System_Char:
                case SpecialType.System_Decimal:
                case SpecialType.System_DateTime:
                    return true;
            }
            if (type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte })
                return true;
            var name = type.ToDisplayString();
            return name is "System.Numerics.BigInteger" or "Ergo.Gen.Etf.Term" or "Ergo.Gen.Etf.Atom" or "Ergo.Gen.Etf.Pid" or "Ergo.Gen.Etf.Reference"
                or "System.ReadOnlyMemory<byte>" or "System.DateTimeOffset" or "System.Guid" or "System.Half" or "System.TimeSpan";
        }

        /// <summary>A type implementing ITermCodec&lt;itself&gt;: it converts itself.</summary>
        public static bool HasOwnCodec(ITypeSymbol type) =>
            type.AllInterfaces.Any(i => i.OriginalDefinition.ToDisplayString() == "Ergo.Gen.ITermCodec<TSelf>"
                && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], type));

        public static bool IsTermType(ITypeSymbol type) => type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == TermAttribute);

        /// <summary>"list" for List&lt;T&gt;, "set" for sets, "array" for arrays and read-only list interfaces, null for anything else.</summary>
        public static string? CollectionKind(ITypeSymbol type, out ITypeSymbol? element)
        {
            element = null;
            if (type is IArrayTypeSymbol { ElementType.SpecialType: not SpecialType.System_Byte } array)
            {
                element = array.ElementType;
                return "array";
            }
            if (type is INamedTypeSymbol { IsGenericType: true } g && g.TypeArguments.Length == 1)
            {
                var kind = g.OriginalDefinition.ToDisplayString() switch
                {
                    "System.Collections.Generic.List<T>" => "list",
                    "System.Collections.Generic.IReadOnlyList<T>" or "System.Collections.Generic.IList<T>" or "System.Collections.Generic.ICollection<T>"
                        or "System.Collections.Generic.IEnumerable<T>" or "System.Collections.Generic.IReadOnlyCollection<T>" => "array",
                    "System.Collections.Generic.HashSet<T>" or "System.Collections.Generic.ISet<T>" or "System.Collections.Generic.IReadOnlySet<T>" => "set",
                    _ => null,
                };
                if (kind is not null)
                    element = g.TypeArguments[0];
                return kind;
            }
            return null;
        }

        /// <summary>Key and value types of Dictionary/IDictionary/IReadOnlyDictionary, or false.</summary>
        public static bool IsDictionary(ITypeSymbol type, out ITypeSymbol? key, out ITypeSymbol? value)
        {
            key = value = null;
            if (type is not INamedTypeSymbol { IsGenericType: true } g || g.TypeArguments.Length != 2)
                return false;
            if (g.OriginalDefinition.ToDisplayString() is not ("System.Collections.Generic.Dictionary<TKey, TValue>"
                or "System.Collections.Generic.IDictionary<TKey, TValue>" or "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>"))
                return false;
            key = g.TypeArguments[0];
            value = g.TypeArguments[1];
            return true;
        }

        /// <summary>Convertible, an enum, a [Term] type, a nullable of one, or a collection or dictionary of those.</summary>
        public static bool IsMarshallable(ITypeSymbol type)
        {
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } n)
                type = n.TypeArguments[0];
            if (IsDictionary(type, out var key, out var value))
                return IsMarshallable(key!) && IsMarshallable(value!);
            if (CollectionKind(type, out var element) is not null)
                return IsMarshallable(element!);
            return IsConvertible(type) || type.TypeKind == TypeKind.Enum || IsTermType(type) || HasOwnCodec(type);
        }
    }
}
