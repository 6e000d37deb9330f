using Ergo.Gen.Generators.Helpers;
using Ergo.Gen.Generators.Model;

namespace Ergo.Gen.Generators
{
    /// <summary>The generated code that writes a <see cref="ValueSpec"/> (or a <see cref="TypedValue"/>) as a term
    /// and reads it back, nested collections included. Shared by every emitter.</summary>
    internal static class ValueCode
    {
        public const string Etf = "global::Ergo.Gen.Etf";
        public const string Convert = "global::Ergo.Gen.TermConvert";
        public const string Codec = "global::Ergo.Gen.Generated.TermCodec";
        private const string Enumerable = "global::System.Linq.Enumerable";

        /// <summary>The term of a stage event, saga value or event payload (a <see cref="TypedValue"/>).</summary>
        public static string Encode(TypedValue value, string expression) => EncodeCall(value.Kind ?? ValueKind.Primitive, value.TypeName, expression);

        /// <summary>A condition that is true when <paramref name="term"/> reads as the typed value, declaring <paramref name="target"/>.</summary>
        public static string Decode(TypedValue value, string term, string target) =>
            value.IsTerm ? $"{term} is {value.TypeName} {target}" : DecodeCall(value.Kind ?? ValueKind.Primitive, value.TypeName, term, target);

        // One value that is not a collection, by how it converts: a generated codec, its own, or TermConvert's.
        private static string EncodeCall(ValueKind kind, string typeName, string expression, bool charlist = false) => kind switch
        {
            ValueKind.TermType or ValueKind.Enum => $"{Codec}.ToTerm({expression})",
            ValueKind.Custom => $"{Convert}.Encode<{typeName}>({expression})",
            _ when charlist => $"{Convert}.ToCharlist({expression})",
            _ => $"{Convert}.ToTerm({expression})",
        };

        private static string DecodeCall(ValueKind kind, string typeName, string source, string target) => kind switch
        {
            ValueKind.TermType or ValueKind.Enum => $"{Codec}.TryFromTerm({source}, out {typeName} {target})",
            ValueKind.Custom => $"{Convert}.TryDecode<{typeName}>({source}, out {typeName} {target})",
            _ => $"{Convert}.TryFromTerm({source}, out {typeName} {target})",
        };

        /// <summary>The writer (a <c>TermWriter&lt;T&gt;</c>) that writes a typed value straight to ETF: a [Term] type's
        /// own, or one for a plain value; null when it has none.</summary>
        public static string? Writer(TypedValue value)
        {
            if (value.Kind == ValueKind.TermType)
                return $"{Codec}.Writer_{Naming.Identifier(value.TypeName)}";
            return value.Kind == ValueKind.Primitive && Plain(value.TypeName) is { } plain ? $"global::Ergo.Gen.TermWriters.{plain}" : null;
        }

        /// <summary>Statements that read a typed value straight from ETF into <paramref name="target"/> and return
        /// whether they did (a plain value's reader throws EtfDecodeException instead); null when it has none.</summary>
        public static string[]? Reader(TypedValue value, string reader, string target)
        {
            if (value.Kind is ValueKind.TermType or ValueKind.Enum)
                return new[] { $"return {Codec}.TryRead(ref {reader}, out {target});" };
            return value.Kind == ValueKind.Primitive && Plain(value.TypeName) is { } plain && plain != "Atom"
                ? new[] { $"{target} = global::Ergo.Gen.TermReaders.{plain}(ref {reader});", "return true;" }
                : null;
        }

        /// <summary>The name of TermWriters' and TermReaders' member for a plain value's type.</summary>
        public static string? Plain(string typeName) => typeName switch
        {
            "int" => "Int32",
            "long" => "Int64",
            "bool" => "Boolean",
            "double" => "Double",
            "string" => "String",
            Etf + ".Atom" => "Atom",
            _ => null,
        };

        /// <summary>The expression that turns <paramref name="expression"/> into a Term.</summary>
        public static string Write(ValueSpec value, string expression, int depth = 0)
        {
            string written;
            if (value.Collection == CollectionKind.Map)
            {
                var kv = $"kv{depth}";
                var pair = $"new global::System.Collections.Generic.KeyValuePair<{Etf}.Term, {Etf}.Term>({Write(value.Key!, kv + ".Key", depth + 1)}, {Write(value.Element!, kv + ".Value", depth + 1)})";
                written = $"new {Etf}.Map({Enumerable}.ToArray({Enumerable}.Select({expression}, {kv} => {pair})))";
            }
            else if (value.Collection != CollectionKind.None)
            {
                var x = $"x{depth}";
                written = $"{Convert}.List({Enumerable}.ToArray({Enumerable}.Select({expression}, {x} => {Write(value.Element!, x, depth + 1)})))";
            }
            else
            {
                var inner = value.Nullable && value.IsValueType ? expression + ".Value" : expression;
                written = EncodeCall(value.Kind, value.TypeName, inner, value.Charlist);
                // TermConvert writes a null string, binary or term as undefined itself.
                if (value.Kind == ValueKind.Primitive && !value.IsValueType)
                    return written;
            }
            return value.Nullable ? $"({expression} is null ? {Convert}.Undefined : {written})" : written;
        }

        /// <summary>Statements that decode <paramref name="source"/> into a new local <paramref name="target"/>, or run
        /// <paramref name="fail"/> (which leaves the method).</summary>
        public static void Read(SourceWriter w, ValueSpec value, string source, string target, string fail = "return false;")
        {
            if (value.Collection == CollectionKind.None)
            {
                if (value.Nullable)
                {
                    w.Line($"{value.TypeName}? {target};");
                    w.Open($"if ({Convert}.IsUndefined({source}))").Line($"{target} = null;").Close();
                    w.Open($"else if ({DecodeCall(value.Kind, value.TypeName, source, target + "_v")})").Line($"{target} = {target}_v;").Close();
                    w.Line("else");
                    w.Line("    " + fail);
                    return;
                }
                w.Line($"if (!{DecodeCall(value.Kind, value.TypeName, source, target)})");
                w.Line("    " + fail);
                return;
            }
            w.Line($"{Parser.Full(value)} {target};");
            if (value.Nullable)
                w.Open($"if ({Convert}.IsUndefined({source}))").Line($"{target} = null;").Close().Open("else");
            else
                w.Line("{").Indent();
            if (value.Collection == CollectionKind.Map)
            {
                w.Line($"if ({source} is not {Etf}.Map {target}_map)");
                w.Line("    " + fail);
                w.Line($"var {target}_all = new {value.TypeName}({target}_map.Count);");
                w.Open($"foreach (var {target}_pair in {target}_map.Pairs)");
                Read(w, value.Key!, $"{target}_pair.Key", $"{target}_k", fail);
                Read(w, value.Element!, $"{target}_pair.Value", $"{target}_v", fail);
                w.Line($"{target}_all[{target}_k] = {target}_v;");
                w.Close();
                w.Line($"{target} = {target}_all;");
            }
            else
            {
                var element = Parser.Full(value.Element!);
                w.Line($"if (!{Convert}.TryList({source}, out var {target}_items))");
                w.Line("    " + fail);
                w.Line(value.Collection switch
                {
                    CollectionKind.List => $"var {target}_all = new {value.TypeName}({target}_items.Length);",
                    CollectionKind.Set => $"var {target}_all = new {value.TypeName}();",
                    // Through a generic helper: new T[n] is spelled inside out for jagged and nullable element types.
                    _ => $"var {target}_all = {Convert}.NewArray<{element}>({target}_items.Length);",
                });
                w.Open($"for (var {target}_i = 0; {target}_i < {target}_items.Length; {target}_i++)");
                Read(w, value.Element!, $"{target}_items[{target}_i]", $"{target}_e", fail);
                w.Line(value.Collection == CollectionKind.Array ? $"{target}_all[{target}_i] = {target}_e;" : $"{target}_all.Add({target}_e);");
                w.Close();
                w.Line($"{target} = {target}_all;");
            }
            w.Close();
        }
    }
}
