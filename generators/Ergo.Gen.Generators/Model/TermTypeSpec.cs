using Ergo.Gen.Generators.Helpers;

namespace Ergo.Gen.Generators.Model
{
    /// <summary>How a value of a field is converted.</summary>
    internal enum ValueKind
    {
        /// <summary>A type TermConvert has overloads for (numbers, text, bool, byte[], atoms, pids, terms, dates, Guid...).</summary>
        Primitive,
        /// <summary>An enum, written as the snake_case atom of its member.</summary>
        Enum,
        /// <summary>Another [Term] type of this compilation, through its generated codec.</summary>
        TermType,
        /// <summary>A type with no ETF form; reported as EG0005.</summary>
        Unsupported,
        /// <summary>A type that implements ITermCodec&lt;itself&gt; (by hand, or a [Term] type of another assembly).</summary>
        Custom,
        /// <summary>A collection or dictionary: see <see cref="ValueSpec.Collection"/>.</summary>
        Collection,
    }

    /// <summary>The collection shapes, each written as an Erlang list (a map for <see cref="Map"/>).</summary>
    internal enum CollectionKind { None, List, Array, Set, Map }

    /// <summary>
    /// A value: its type (for a collection, the concrete type built when reading), how it converts, whether it may
    /// be null (written as <c>undefined</c>), and for collections the spec of the elements (and of the keys of a map),
    /// nested as deep as the type is.
    /// </summary>
    internal sealed record ValueSpec(string TypeName, ValueKind Kind, bool Nullable)
    {
        public CollectionKind Collection { get; init; }

        /// <summary>A collection's elements, or a map's values.</summary>
        public ValueSpec? Element { get; init; }

        /// <summary>A map's keys.</summary>
        public ValueSpec? Key { get; init; }

        /// <summary>A string written as a charlist ([Charlist]).</summary>
        public bool Charlist { get; init; }

        /// <summary>A [Term] type of another assembly that was not given a codec of its own there (not partial).</summary>
        public bool ForeignTerm { get; init; }

        /// <summary>A struct: a nullable one is read through <c>.Value</c>.</summary>
        public bool IsValueType { get; init; }
    }

    internal sealed record FieldSpec(string Name, ValueSpec Value);

    /// <summary>One [Term] type: its tag and fields, and how to construct it. A rejected type (<see cref="Rejected"/>)
    /// gets a codec that compiles and refuses every value, so the code that uses it still builds while the
    /// diagnostic says what to mend.</summary>
    internal sealed record TermTypeSpec(
        string FullName,
        string Tag,
        EquatableArray<FieldSpec> Fields,
        bool Positional,
        bool IsValueType,
        bool AsMap,
        bool AsProplist)
    {
        public bool Rejected { get; init; }

        /// <summary>Set for a partial type: it also implements ITermCodec&lt;itself&gt;, public and usable from other assemblies.</summary>
        public TypeShell? Shell { get; init; }

        /// <summary>An Elixir struct's module (<c>Elixir.MyApp.User</c>) written as <c>__struct__</c> of an AsMap type.</summary>
        public string? ElixirStruct { get; init; }
    }

    /// <summary>An enum used by some [Term] field: its members and their atoms, one member per value.</summary>
    internal sealed record EnumSpec(string FullName, EquatableArray<string> Members)
    {
        /// <summary>The enum's underlying type (int, byte, ulong ...).</summary>
        public string Underlying { get; init; } = "int";

        /// <summary>Members that share a value with an earlier one: read from their own atom, written as the earlier's.</summary>
        public EquatableArray<string> Aliases { get; init; }
    }
}
