using System.Linq;
using Microsoft.CodeAnalysis;

namespace Ergo.Gen.Generators.Model
{
    /// <summary>
    /// Which .NET types have an ETF form, decided against the compilation's own symbols. Compiled into the generator
    /// and the analyzers alike (linked source), so they never disagree.
    /// </summary>
    internal static class TermTypeRules
    {
        /// <summary>The types TermConvert converts both ways.</summary>
        public static bool IsConvertible(ITypeSymbol type, KnownSymbols known)
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
            if (type is INamedTypeSymbol { IsGenericType: true } g)
                return KnownSymbols.Same(g.OriginalDefinition, known.ReadOnlyMemory) && g.TypeArguments[0].SpecialType == SpecialType.System_Byte;
            return KnownSymbols.Same(type, known.Term) || KnownSymbols.Same(type, known.Atom) || KnownSymbols.Same(type, known.Pid)
                || KnownSymbols.Same(type, known.Reference) || KnownSymbols.Same(type, known.BigInteger) || KnownSymbols.Same(type, known.DateTimeOffset)
                || KnownSymbols.Same(type, known.Guid) || KnownSymbols.Same(type, known.Half) || KnownSymbols.Same(type, known.TimeSpan);
        }

        /// <summary>A type implementing ITermCodec&lt;itself&gt;: it converts itself.</summary>
        public static bool HasOwnCodec(ITypeSymbol type, KnownSymbols known) =>
            type.AllInterfaces.Any(i => KnownSymbols.Same(i.OriginalDefinition, known.TermCodec) && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], type));

        public static bool IsTermType(ITypeSymbol type, KnownSymbols known) => known.Has(type, known.TermAttribute);

        /// <summary>"list" for List&lt;T&gt;, "set" for sets, "array" for arrays and read-only list interfaces, null for anything else.</summary>
        public static string? CollectionKind(ITypeSymbol type, KnownSymbols known, out ITypeSymbol? element)
        {
            element = null;
            if (type is IArrayTypeSymbol { ElementType.SpecialType: not SpecialType.System_Byte, Rank: 1 } array)
            {
                element = array.ElementType;
                return "array";
            }
            if (type is not INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } g)
                return null;
            var definition = g.OriginalDefinition;
            var kind = KnownSymbols.Same(definition, known.List) ? "list"
                : known.Sets.Contains(definition) ? "set"
                : known.Lists.Contains(definition) ? "array"
                : null;
            if (kind is not null)
                element = g.TypeArguments[0];
            return kind;
        }

        /// <summary>Key and value types of Dictionary/IDictionary/IReadOnlyDictionary, or false.</summary>
        public static bool IsDictionary(ITypeSymbol type, KnownSymbols known, out ITypeSymbol? key, out ITypeSymbol? value)
        {
            key = value = null;
            if (type is not INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 2 } g || !known.Dictionaries.Contains(g.OriginalDefinition))
                return false;
            key = g.TypeArguments[0];
            value = g.TypeArguments[1];
            return true;
        }

        /// <summary>Convertible, an enum, a [Term] type, a nullable of one, or a collection or dictionary of those.</summary>
        public static bool IsMarshallable(ITypeSymbol type, KnownSymbols known)
        {
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } n)
                type = n.TypeArguments[0];
            if (IsDictionary(type, known, out var key, out var value))
                return IsMarshallable(key!, known) && IsMarshallable(value!, known);
            if (CollectionKind(type, known, out var element) is not null)
                return IsMarshallable(element!, known);
            return IsConvertible(type, known) || type.TypeKind == TypeKind.Enum || IsTermType(type, known) || HasOwnCodec(type, known);
        }
    }
}
