using System.Linq;
using Ergo.Gen.Generators.Helpers;
using Ergo.Gen.Generators.Model;
using static Ergo.Gen.Generators.ValueCode;

namespace Ergo.Gen.Generators
{
    /// <summary>[Term] types and their enums into codecs: ToTerm, TryFromTerm and TryRead (straight from ETF bytes)
    /// in the assembly's internal TermCodec class, and for a partial type the same as its own public ITermCodec.</summary>
    internal static class TermCodecEmitter
    {
        public static string TermCodec(TermTypeSpec spec)
        {
            var w = Emit.Header();
            var tag = "Tag_" + Naming.Identifier(spec.FullName);
            var display = Naming.Display(spec.FullName);
            w.Open("namespace Ergo.Gen.Generated");
            w.Open("internal static partial class TermCodec");
            if (spec.Rejected)
            {
                // The diagnostic says what to mend; meanwhile everything that uses the type still compiles.
                w.Line($"/// <summary>{display} has no codec until its Ergo.Gen diagnostics are mended: it converts to nothing.</summary>");
                w.Line($"public static {Etf}.Term ToTerm({spec.FullName} value) => throw new global::System.InvalidOperationException({Naming.Literal(display + " cannot be written as a term; see its Ergo.Gen diagnostics")});");
                w.Line();
                w.Open($"public static bool TryFromTerm({Etf}.Term term, out {spec.FullName} value)").Line("value = default!;").Line("return false;").Close();
                w.Line();
                w.Open($"public static bool TryRead(ref {Etf}.EtfReader reader, out {spec.FullName} value)").Line("value = default!;").Line("return false;").Close();
                w.Line();
                w.Line($"public static readonly global::Ergo.Gen.TermWriter<{spec.FullName}> Writer_{Naming.Identifier(spec.FullName)} = Write;");
                w.Line();
                w.Line($"public static void Write(ref {Etf}.EtfWriter writer, {spec.FullName} value) => ToTerm(value).WriteTo(ref writer);");
                w.Close().Close();
                EmitOwnCodec(w, spec);
                return w.ToString();
            }
            w.Line($"private static readonly {Etf}.Atom {tag} = {Etf}.Atom.Of({Naming.Literal(spec.Tag)});");
            if (spec.ElixirStruct is { } module)
                w.Line($"private static readonly {Etf}.Atom Struct_{Naming.Identifier(spec.FullName)} = {Etf}.Atom.Of({Naming.Literal(module)});");
            w.Line();

            // ToTerm
            w.Line(spec.AsMap ? $"/// <summary>{display} as a map with atom keys{(spec.ElixirStruct is null ? "" : ", an Elixir struct")}.</summary>"
                : spec.AsProplist ? $"/// <summary>{display} as a proplist.</summary>"
                : spec.Fields.Count == 0 ? $"/// <summary>{display} as the atom {spec.Tag}.</summary>"
                : $"/// <summary>{display} as the term {{{spec.Tag}, ...}}.</summary>");
            w.Open($"public static {Etf}.Term ToTerm({spec.FullName} value)");
            if (spec.AsMap)
            {
                var pairs = spec.Fields.Select(f => $"new global::System.Collections.Generic.KeyValuePair<{Etf}.Term, {Etf}.Term>({KeyName(spec, f)}, {Write(f.Value, "value." + f.Name)})").ToList();
                if (spec.ElixirStruct is not null)
                    pairs.Insert(0, $"new global::System.Collections.Generic.KeyValuePair<{Etf}.Term, {Etf}.Term>({Convert}.StructKey, Struct_{Naming.Identifier(spec.FullName)})");
                w.Line($"return new {Etf}.Map({string.Join(", ", pairs)});");
            }
            else if (spec.AsProplist)
            {
                var pairs = spec.Fields.Select(f => $"new {Etf}.Tuple({KeyName(spec, f)}, {Write(f.Value, "value." + f.Name)})");
                w.Line($"return {Convert}.List(new {Etf}.Term[] {{ {string.Join(", ", pairs)} }});");
            }
            else if (spec.Fields.Count == 0)
            {
                w.Line($"return {tag};");
            }
            else
            {
                var elements = string.Join(", ", new[] { tag }.Concat(spec.Fields.Select(f => Write(f.Value, "value." + f.Name))));
                w.Line($"return new {Etf}.Tuple({elements});");
            }
            w.Close();
            w.Line();

            // TryFromTerm
            w.Open($"public static bool TryFromTerm({Etf}.Term term, out {spec.FullName} value)");
            w.Line("value = default!;");
            if (spec.AsMap || spec.AsProplist)
            {
                w.Line(spec.AsMap ? $"if (term is not {Etf}.Map m)" : $"if (term is not {Etf}.List {{ IsProper: true }})");
                w.Line("    return false;");
                if (spec.ElixirStruct is not null)
                {
                    // An Elixir struct of another module is another type; a plain map (no __struct__) is accepted.
                    w.Line($"if (m[{Convert}.StructKey] is {{ }} module && !ReferenceEquals(module, Struct_{Naming.Identifier(spec.FullName)}))");
                    w.Line("    return false;");
                }
                for (var i = 0; i < spec.Fields.Count; i++)
                {
                    // A missing key reads as undefined: nullable members take it, the others refuse the term.
                    var lookup = spec.AsMap ? $"m[{KeyName(spec, spec.Fields[i])}]" : $"{Convert}.Lookup(term, {KeyName(spec, spec.Fields[i])})";
                    w.Line($"var v{i} = {lookup} ?? {Convert}.Undefined;");
                    Read(w, spec.Fields[i].Value, $"v{i}", $"f{i}");
                }
                Construct(w, spec);
            }
            else if (spec.Fields.Count == 0)
            {
                w.Line($"if (!ReferenceEquals(term, {tag}))");
                w.Line("    return false;");
                w.Line($"value = new {spec.FullName}();");
                w.Line("return true;");
            }
            else
            {
                w.Line($"if (term is not {Etf}.Tuple {{ Arity: {spec.Fields.Count + 1} }} t || !ReferenceEquals(t[0], {tag}))");
                w.Line("    return false;");
                for (var i = 0; i < spec.Fields.Count; i++)
                    Read(w, spec.Fields[i].Value, $"t[{i + 1}]", $"f{i}");
                Construct(w, spec);
            }
            w.Close();
            w.Line();
            EmitWrite(w, spec, tag);
            EmitExplain(w, spec, tag);
            EmitTryRead(w, spec, tag);
            if (spec.AsMap || spec.AsProplist)
            {
                w.Line();
                foreach (var f in spec.Fields)
                    w.Line($"private static readonly {Etf}.Atom {KeyName(spec, f)} = {Etf}.Atom.Of({Naming.Literal(Naming.SnakeCase(f.Name))});");
            }
            w.Close().Close();
            EmitOwnCodec(w, spec);
            return w.ToString();
        }

        /// <summary>
        /// Write: the value straight to ETF (what a reply to another node is written with), no term tree. Simple fields
        /// are written directly, [Term] fields by their own Write; others (collections, nullables, enums...) through a
        /// term for that field only. A map or proplist goes through its term.
        /// </summary>
        private static void EmitWrite(SourceWriter w, TermTypeSpec spec, string tag)
        {
            var id = Naming.Identifier(spec.FullName);
            w.Line($"/// <summary>{Naming.Display(spec.FullName)} written straight to ETF.</summary>");
            w.Line($"public static readonly global::Ergo.Gen.TermWriter<{spec.FullName}> Writer_{id} = Write;");
            w.Line();
            w.Open($"public static void Write(ref {Etf}.EtfWriter writer, {spec.FullName} value)");
            if (spec.AsMap || spec.AsProplist)
            {
                w.Line("ToTerm(value).WriteTo(ref writer);");
                w.Close();
                w.Line();
                return;
            }
            if (spec.Fields.Count == 0)
            {
                w.Line($"writer.WriteAtom({tag});");
                w.Close();
                w.Line();
                return;
            }
            w.Line($"writer.WriteTupleHeader({spec.Fields.Count + 1});");
            w.Line($"writer.WriteAtom({tag});");
            foreach (var f in spec.Fields)
            {
                var v = f.Value;
                var member = "value." + f.Name;
                var direct = v.Nullable || v.Collection != CollectionKind.None || v.Charlist ? null : v.Kind switch
                {
                    ValueKind.TermType => $"Write(ref writer, {member});",
                    ValueKind.Primitive => v.TypeName switch
                    {
                        "int" or "long" or "short" or "byte" or "uint" or "ushort" or "sbyte" => $"writer.WriteInt64({member});",
                        "double" or "float" => $"writer.WriteDouble({member});",
                        "bool" => $"writer.WriteBoolean({member});",
                        "ulong" => $"writer.WriteUInt64({member});",
                        "global::System.Numerics.BigInteger" => $"writer.WriteBigInteger({member});",
                        // As TermConvert writes it: a null (not annotated, yet null) is undefined.
                        "string" => $"if ({member} is null) writer.WriteAtom({Etf}.Atom.Undefined); else writer.WriteUtf8Binary({member});",
                        $"{Etf}.Atom" => $"writer.WriteAtom({member});",
                        _ => null,
                    },
                    _ => null,
                };
                w.Line(direct ?? $"{Write(v, member)}.WriteTo(ref writer);");
            }
            w.Close();
            w.Line();
        }

        /// <summary>A partial [Term] type implements ITermCodec&lt;itself&gt; with the same codec: public, so other
        /// assemblies (whose generated code cannot see this one's internal TermCodec) can use it.</summary>
        private static void EmitOwnCodec(SourceWriter w, TermTypeSpec spec)
        {
            if (spec.Shell is not { } shell)
                return;
            w.Line();
            var depth = Shells.Open(w, shell, $"global::Ergo.Gen.ITermCodec<{spec.FullName}>");
            w.Line(Emit.Plumbing);
            w.Line($"static {Etf}.Term global::Ergo.Gen.ITermCodec<{spec.FullName}>.ToTerm({spec.FullName} value) => {Codec}.ToTerm(value);");
            w.Line();
            w.Line(Emit.Plumbing);
            w.Line($"static bool global::Ergo.Gen.ITermCodec<{spec.FullName}>.TryFromTerm({Etf}.Term term, out {spec.FullName} value) => {Codec}.TryFromTerm(term, out value);");
            Shells.Close(w, depth);
        }

        /// <summary>
        /// Explain: why a term is not this type, naming the field that does not read and what it was (for the log
        /// line of a request no handler could take); null when the term is not even shaped like this type.
        /// </summary>
        private static void EmitExplain(SourceWriter w, TermTypeSpec spec, string tag)
        {
            var display = Naming.Display(spec.FullName);
            w.Line($"/// <summary>Why <paramref name=\"term\"/> does not read as {display}: the first field that does not; null when it is not shaped like one at all.</summary>");
            w.Open($"public static string? Explain({Etf}.Term term, out {spec.FullName} value)");
            w.Line("value = default!;");
            if (spec.AsMap || spec.AsProplist || spec.Fields.Count == 0)
            {
                w.Line("return TryFromTerm(term, out value) ? \"\" : null;");
                w.Close();
                w.Line();
                return;
            }
            w.Line($"if (term is not {Etf}.Tuple {{ Arity: {spec.Fields.Count + 1} }} t || !ReferenceEquals(t[0], {tag}))");
            w.Line("    return null;");
            for (var i = 0; i < spec.Fields.Count; i++)
            {
                var f = spec.Fields[i];
                var why = $"return \"field {f.Name} ({Naming.Display(Parser.Full(f.Value))}) cannot be read from \" + t[{i + 1}].ToString(200, 8);";
                Read(w, f.Value, $"t[{i + 1}]", $"f{i}", why);
            }
            var args = Enumerable.Range(0, spec.Fields.Count).Select(i => $"f{i}");
            w.Line(spec.Positional ? $"value = new {spec.FullName}({string.Join(", ", args)});"
                : $"value = new {spec.FullName} {{ {string.Join(", ", spec.Fields.Select((f, i) => $"{f.Name} = f{i}"))} }};");
            w.Line("return \"\";");
            w.Close();
            w.Line();
        }

        /// <summary>
        /// TryRead: the type straight from ETF bytes, field by field (what generated dispatch uses for messages from
        /// other nodes). Simple fields are read directly; the others (collections, maps, nullables, enums...) through
        /// a term for that field only. On any mismatch the reader is put back where it was.
        /// </summary>
        private static void EmitTryRead(SourceWriter w, TermTypeSpec spec, string tag)
        {
            var core = $"TryReadCore_{Naming.Identifier(spec.FullName)}";
            w.Line($"/// <summary>{Naming.Display(spec.FullName)} read straight from ETF, without a term tree; false (the reader unmoved) when it is not one.</summary>");
            w.Open($"public static bool TryRead(ref {Etf}.EtfReader reader, out {spec.FullName} value)");
            w.Line("var start = reader;");
            w.Open("try");
            w.Line($"if ({core}(ref reader, out value))");
            w.Line("    return true;");
            w.Close();
            w.Open($"catch ({Etf}.EtfDecodeException)");
            w.Close();
            w.Line("reader = start;");
            w.Line("value = default!;");
            w.Line("return false;");
            w.Close();
            w.Line();
            w.Open($"private static bool {core}(ref {Etf}.EtfReader reader, out {spec.FullName} value)");
            w.Line("value = default!;");
            if (spec.AsMap || spec.AsProplist)
            {
                // Keys come in any order: read the one term and decode it as usual.
                w.Line("return TryFromTerm(reader.ReadTerm(), out value);");
                w.Close();
                return;
            }
            if (spec.Fields.Count == 0)
            {
                w.Line($"if (!ReferenceEquals(reader.ReadAtom(), {tag}))");
                w.Line("    return false;");
                w.Line($"value = new {spec.FullName}();");
                w.Line("return true;");
                w.Close();
                return;
            }
            w.Line($"if (reader.ReadTupleHeader() != {spec.Fields.Count + 1} || !ReferenceEquals(reader.ReadAtom(), {tag}))");
            w.Line("    return false;");
            for (var i = 0; i < spec.Fields.Count; i++)
            {
                var v = spec.Fields[i].Value;
                var direct = v.Nullable || v.Collection != CollectionKind.None || v.Kind != ValueKind.Primitive || v.Charlist ? null : v.TypeName switch
                {
                    "int" => "reader.ReadInt32()",
                    "long" => "reader.ReadInt64()",
                    "bool" => "reader.ReadBoolean()",
                    "string" => "reader.ReadString()",
                    "global::System.Numerics.BigInteger" => "reader.ReadBigInteger()",
                    $"{Etf}.Atom" => "reader.ReadAtom()",
                    $"{Etf}.Pid" => "reader.ReadPid()",
                    $"{Etf}.Reference" => "reader.ReadReference()",
                    $"{Etf}.Term" => "reader.ReadTerm()",
                    _ => null,
                };
                if (direct is not null)
                {
                    w.Line($"var f{i} = {direct};");
                }
                else if (v.Kind == ValueKind.TermType && !v.Nullable && v.Collection == CollectionKind.None)
                {
                    w.Line($"if (!TryRead(ref reader, out {v.TypeName} f{i}))");
                    w.Line("    return false;");
                }
                else if (ListReader(v) is { } items)
                {
                    // A list of plain values: its elements read in one pass, no term tree.
                    w.Line(v.Collection switch
                    {
                        CollectionKind.List => $"var f{i} = new {v.TypeName}({items});",
                        CollectionKind.Set => $"var f{i} = new {v.TypeName}({items});",
                        _ => $"var f{i} = {items};",
                    });
                }
                else
                {
                    w.Line($"var t{i} = reader.ReadTerm();");
                    Read(w, v, $"t{i}", $"f{i}");
                }
            }
            Construct(w, spec);
            w.Close();
        }

        /// <summary>The expression reading a list, array or set of plain values straight from the reader, or null.</summary>
        private static string? ListReader(ValueSpec v)
        {
            if (v.Nullable || v.Collection is not (CollectionKind.List or CollectionKind.Array or CollectionKind.Set)
                || v.Element is not { Kind: ValueKind.Primitive, Nullable: false, Collection: CollectionKind.None, Charlist: false } element)
                return null;
            const string readers = "global::Ergo.Gen.TermReaders";
            return element.TypeName switch
            {
                "int" => $"{readers}.ReadInt32s(ref reader)",
                "long" => $"{readers}.ReadInt64s(ref reader)",
                "bool" => $"{readers}.Read(ref reader, {readers}.Boolean)",
                "double" => $"{readers}.Read(ref reader, {readers}.Double)",
                "string" => $"{readers}.Read(ref reader, {readers}.String)",
                _ => null,
            };
        }

        private static string KeyName(TermTypeSpec spec, FieldSpec field) => $"Key_{Naming.Identifier(spec.FullName)}_{field.Name}";

        private static void Construct(SourceWriter w, TermTypeSpec spec)
        {
            var args = Enumerable.Range(0, spec.Fields.Count).Select(i => $"f{i}");
            if (spec.Positional)
                w.Line($"value = new {spec.FullName}({string.Join(", ", args)});");
            else
                w.Line($"value = new {spec.FullName} {{ {string.Join(", ", spec.Fields.Select((f, i) => $"{f.Name} = f{i}"))} }};");
            w.Line("return true;");
        }

        /// <summary>The TermCodec class's one declaration with attributes (every codec adds a partial of it).</summary>
        public static string TermCodecClass()
        {
            var w = Emit.Header();
            w.Open("namespace Ergo.Gen.Generated");
            w.Line("/// <summary>The codecs generated for this assembly's [Term] types and their enums.</summary>");
            w.Line(Emit.Plumbing);
            w.Line("internal static partial class TermCodec");
            w.Line("{");
            w.Line("}");
            w.Close();
            return w.ToString();
        }

        public static string EnumCodec(EnumSpec spec)
        {
            var w = Emit.Header();
            var id = Naming.Identifier(spec.FullName);
            w.Open("namespace Ergo.Gen.Generated");
            w.Open("internal static partial class TermCodec");
            foreach (var member in spec.Members.Concat(spec.Aliases))
                w.Line($"private static readonly {Etf}.Atom {id}_{member} = {Etf}.Atom.Of({Naming.Literal(Naming.SnakeCase(member))});");
            w.Line();
            // One arm per value (an alias is written as the member declared first with its value).
            w.Open($"public static {Etf}.Term ToTerm({spec.FullName} value) => value switch");
            foreach (var member in spec.Members)
                w.Line($"{spec.FullName}.{member} => {id}_{member},");
            // A value with no member has no atom: it goes as its number, and reads back from it.
            w.Line($"_ => {Etf}.Integer.Of((long)value),");
            w.Close(";");
            w.Line();
            w.Open($"public static bool TryFromTerm({Etf}.Term term, out {spec.FullName} value)");
            foreach (var member in spec.Members.Concat(spec.Aliases))
            {
                w.Open($"if (ReferenceEquals(term, {id}_{member}))").Line($"value = {spec.FullName}.{member};").Line("return true;").Close();
            }
            var range = spec.Underlying == "ulong" ? "number.Value >= 0" : $"number.Value >= {spec.Underlying}.MinValue && number.Value <= {spec.Underlying}.MaxValue";
            w.Open($"if (term is {Etf}.Integer {{ IsSmall: true }} number && {range})");
            w.Line($"value = ({spec.FullName})({spec.Underlying})number.Value;");
            w.Line("return true;");
            w.Close();
            w.Line("value = default;");
            w.Line("return false;");
            w.Close();
            w.Line();
            w.Open($"public static bool TryRead(ref {Etf}.EtfReader reader, out {spec.FullName} value)");
            w.Line("var start = reader;");
            w.Open("try");
            w.Line("if (TryFromTerm(reader.ReadAtom(), out value))");
            w.Line("    return true;");
            w.Close();
            w.Open($"catch ({Etf}.EtfDecodeException)");
            w.Close();
            w.Line("reader = start;");
            w.Line("value = default;");
            w.Line("return false;");
            w.Close().Close().Close();
            return w.ToString();
        }
    }
}
