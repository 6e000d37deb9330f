using Ergo.Gen.Generators.Helpers;

namespace Ergo.Gen.Generators.Model
{
    /// <summary>How a value of a field is converted.</summary>
    internal enum ValueKind
    {
        /// <summary>A type TermConvert has overloads for (numbers, text, bool, byte[], atoms, pids, terms...).</summary>
        Primitive,
        /// <summary>An enum, written as the snake_case atom of its member.</summary>
        Enum,
        /// <summary>Another [Term] type, through its generated codec.</summary>
        TermType,
        /// <summary>A type with no ETF form; reported as EG0005, and the generated code says so.</summary>
        Unsupported,
        /// <summary>A type that implements ITermCodec&lt;itself&gt;.</summary>
        Custom,
    }

    /// <summary>A field's value: its type, how it converts, whether it may be null, whether it is a list of such values.</summary>
    internal sealed record ValueSpec(string TypeName, ValueKind Kind, bool Nullable, string? CollectionKind)
    {
        /// <summary>For a dictionary (CollectionKind "map"): how its keys convert; the spec itself describes the values.</summary>
        public ValueSpec? Key { get; init; }

        /// <summary>A string written as a charlist ([Charlist]).</summary>
        public bool Charlist { get; init; }
    }

    internal sealed record FieldSpec(string Name, ValueSpec Value);

    /// <summary>One [Term] type: its tag and fields, and how to construct it.</summary>
    internal sealed record TermTypeSpec(
        string FullName,
        string Tag,
        EquatableArray<FieldSpec> Fields,
        bool Positional,
        bool IsValueType,
        bool AsMap,
        bool AsProplist);

    /// <summary>An enum used by some [Term] field: its members and their atoms.</summary>
    internal sealed record EnumSpec(string FullName, EquatableArray<string> Members);
}
