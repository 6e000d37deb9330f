using System.ComponentModel;
using Ergo.Gen.Etf;

namespace Ergo.Gen;

/// <summary>Reads one value straight from ETF.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate T ElementReader<out T>(ref EtfReader reader);

/// <summary>
/// Lists read straight from ETF for generated TryRead: the elements in one pass, with no term tree. A list of
/// small integers may come as a STRING_EXT (Erlang writes [1,2,3] so); it is read for integer elements only.
/// Anything else that is not a proper list of the elements throws <see cref="EtfDecodeException"/>, which TryRead
/// turns into "not this type".
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TermReaders
{
    public static readonly ElementReader<int> Int32 = static (ref EtfReader r) => r.ReadInt32();
    public static readonly ElementReader<long> Int64 = static (ref EtfReader r) => r.ReadInt64();
    public static readonly ElementReader<bool> Boolean = static (ref EtfReader r) => r.ReadBoolean();
    public static readonly ElementReader<double> Double = static (ref EtfReader r) => r.ReadDouble();
    public static readonly ElementReader<string> String = static (ref EtfReader r) => r.ReadString();

    public static int[] ReadInt32s(ref EtfReader reader) => Read(ref reader, Int32, static c => c);

    public static long[] ReadInt64s(ref EtfReader reader) => Read(ref reader, Int64, static c => c);

    public static T[] Read<T>(ref EtfReader reader, ElementReader<T> read) => Read(ref reader, read, null);

    private static T[] Read<T>(ref EtfReader reader, ElementReader<T> read, Func<char, T>? fromByte)
    {
        if (fromByte is not null && reader.PeekTag() == EtfTag.String)
        {
            // STRING_EXT: bytes 0..255, one per element.
            var text = reader.ReadString();
            var bytes = TermConvert.NewArray<T>(text.Length);
            for (var i = 0; i < text.Length; i++)
                bytes[i] = fromByte(text[i]);
            return bytes;
        }
        var count = reader.ReadListHeader();
        var items = TermConvert.NewArray<T>(count);
        for (var i = 0; i < count; i++)
            items[i] = read(ref reader);
        if (count > 0)
            reader.ReadNil();
        return items;
    }
}
