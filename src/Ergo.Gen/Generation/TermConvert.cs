using System.Numerics;
using Ergo.Gen.Etf;

namespace Ergo.Gen;

/// <summary>
/// Conversions between .NET values and terms that generated codecs call: one overload per supported type, so
/// the generator only has to name the value. Decoding is lenient where Erlang is (text as binary or charlist).
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static partial class TermConvert
{
    private static readonly Atom UndefinedAtom = Atom.Undefined;

    public static Term ToTerm(int value) => Integer.Of(value);
    public static Term ToTerm(long value) => Integer.Of(value);
    public static Term ToTerm(short value) => Integer.Of(value);
    public static Term ToTerm(byte value) => Integer.Of(value);
    public static Term ToTerm(uint value) => Integer.Of(value);
    public static Term ToTerm(ushort value) => Integer.Of(value);
    public static Term ToTerm(ulong value) => value <= long.MaxValue ? Integer.Of((long)value) : Integer.Of(new BigInteger(value));
    public static Term ToTerm(BigInteger value) => Integer.Of(value);
    public static Term ToTerm(double value) => new Float(value);
    public static Term ToTerm(float value) => new Float(value);
    public static Term ToTerm(bool value) => value ? Atom.True : Atom.False;
    public static Term ToTerm(string? value) => value is null ? UndefinedAtom : Binary.FromUtf8(value);
    public static Term ToTerm(byte[]? value) => value is null ? UndefinedAtom : new Binary(value);
    public static Term ToTerm(ReadOnlyMemory<byte> value) => new Binary(value.ToArray());

    /// <summary>A string as a charlist (Erlang's <c>"text"</c>), for members marked [Charlist].</summary>
    public static Term ToCharlist(string? value) => value is null ? UndefinedAtom : Etf.List.FromString(value);
    public static Term ToTerm(Term? value) => value ?? UndefinedAtom;

    public static bool TryFromTerm(Term term, out int value)
    {
        if (term is Integer { IsSmall: true } i && i.Value is >= int.MinValue and <= int.MaxValue)
        {
            value = (int)i.Value;
            return true;
        }
        value = 0;
        return false;
    }

    public static bool TryFromTerm(Term term, out long value)
    {
        if (term is Integer { IsSmall: true } i)
        {
            value = i.Value;
            return true;
        }
        value = 0;
        return false;
    }

    public static bool TryFromTerm(Term term, out short value)
    {
        var ok = TryFromTerm(term, out long v) && v is >= short.MinValue and <= short.MaxValue;
        value = ok ? (short)v : (short)0;
        return ok;
    }

    public static bool TryFromTerm(Term term, out byte value)
    {
        var ok = TryFromTerm(term, out long v) && v is >= 0 and <= byte.MaxValue;
        value = ok ? (byte)v : (byte)0;
        return ok;
    }

    public static bool TryFromTerm(Term term, out uint value)
    {
        var ok = TryFromTerm(term, out long v) && v is >= 0 and <= uint.MaxValue;
        value = ok ? (uint)v : 0;
        return ok;
    }

    public static bool TryFromTerm(Term term, out ushort value)
    {
        var ok = TryFromTerm(term, out long v) && v is >= 0 and <= ushort.MaxValue;
        value = ok ? (ushort)v : (ushort)0;
        return ok;
    }

    public static bool TryFromTerm(Term term, out ulong value)
    {
        if (term is Integer i && i.BigValue >= 0 && i.BigValue <= ulong.MaxValue)
        {
            value = (ulong)i.BigValue;
            return true;
        }
        value = 0;
        return false;
    }

    public static bool TryFromTerm(Term term, out BigInteger value)
    {
        var ok = term is Integer;
        value = ok ? ((Integer)term).BigValue : default;
        return ok;
    }

    /// <summary>Erlang code often sends 1 where a float is meant; integers are accepted too.</summary>
    public static bool TryFromTerm(Term term, out double value)
    {
        switch (term)
        {
            case Float f:
                value = f.Value;
                return true;
            case Integer i:
                value = (double)i.BigValue;
                return true;
            default:
                value = 0;
                return false;
        }
    }

    public static bool TryFromTerm(Term term, out float value)
    {
        var ok = TryFromTerm(term, out double d);
        value = (float)d;
        return ok;
    }

    public static bool TryFromTerm(Term term, out bool value)
    {
        value = ReferenceEquals(term, Atom.True);
        return value || ReferenceEquals(term, Atom.False);
    }

    /// <summary>Text arrives as a UTF-8 binary (Elixir) or a charlist (Erlang strings); both are accepted.</summary>
    public static bool TryFromTerm(Term term, out string value)
    {
        switch (term)
        {
            case Binary b:
                try
                {
                    value = new System.Text.UTF8Encoding(false, true).GetString(b.Data);
                    return true;
                }
                catch (System.Text.DecoderFallbackException)
                {
                    break;
                }
            case List l when l.TryGetString(out var s):
                value = s;
                return true;
        }
        value = null!;
        return false;
    }

    public static bool TryFromTerm(Term term, out byte[] value)
    {
        var ok = term is Binary;
        value = ok ? ((Binary)term).Data : null!;
        return ok;
    }

    public static bool TryFromTerm(Term term, out ReadOnlyMemory<byte> value)
    {
        var ok = term is Binary;
        value = ok ? ((Binary)term).Data : default;
        return ok;
    }

    /// <summary>A proplist's value for <paramref name="key"/> (the first <c>{Key, Value}</c>), or null.</summary>
    public static Term? Lookup(Term proplist, Atom key)
    {
        if (proplist is not List { IsProper: true } list)
            return null;
        foreach (var e in list.Elements)
        {
            if (e is Etf.Tuple { Arity: 2 } t && ReferenceEquals(t[0], key))
                return t[1];
        }
        return null;
    }

    public static bool TryFromTerm(Term term, out Term value)
    {
        value = term;
        return true;
    }

    public static bool TryFromTerm(Term term, out Atom value)
    {
        value = (term as Atom)!;
        return value is not null;
    }

    public static bool TryFromTerm(Term term, out Pid value)
    {
        value = (term as Pid)!;
        return value is not null;
    }

    public static bool TryFromTerm(Term term, out Reference value)
    {
        value = (term as Reference)!;
        return value is not null;
    }

    private static readonly Atom NilAtom = Atom.Of("nil");

    /// <summary><c>undefined</c>, or Elixir's <c>nil</c>: what a null reads from.</summary>
    public static bool IsUndefined(Term term) => ReferenceEquals(term, UndefinedAtom) || ReferenceEquals(term, NilAtom);

    /// <summary>The key an Elixir struct's module is under in its map.</summary>
    public static Atom StructKey { get; } = Atom.Of("__struct__");

    /// <summary>A value of a type that converts itself (a partial [Term] type, or one written by hand).</summary>
    public static Term Encode<T>(T value) where T : ITermCodec<T> => T.ToTerm(value);

    public static bool TryDecode<T>(Term term, out T value) where T : ITermCodec<T> => T.TryFromTerm(term, out value);

    /// <summary>An array of n elements, for generated code (new T[n] is spelled inside out for jagged element types).</summary>
    public static T[] NewArray<T>(int length) => length == 0 ? [] : new T[length];

    public static Term Undefined => UndefinedAtom;

    /// <summary>A list term from converted elements.</summary>
    public static Term List(Term[] elements) => elements.Length == 0 ? Etf.List.Nil : new List(elements);

    /// <summary>The elements of a proper list (a charlist counts), or false.</summary>
    public static bool TryList(Term term, out Term[] elements)
    {
        if (term is List { IsProper: true } l)
        {
            elements = l.Elements;
            return true;
        }
        elements = [];
        return false;
    }

    /// <summary>snake_case of a .NET name, as tags and enum atoms are spelled.</summary>
    public static string SnakeCase(string name) => Shared.SnakeCaseName.Of(name);
}
