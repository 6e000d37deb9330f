using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace Ergo.Gen.Etf;

/// <summary>
/// The process-wide atom table. Lookups by UTF-8 bytes are lock-free and allocation-free; only a new atom
/// takes the lock. Like Erlang's, the table is bounded, so a peer cannot grow it without limit.
/// </summary>
internal static class AtomTable
{
    private sealed class Entry(Atom atom, Entry? next)
    {
        public readonly Atom Atom = atom;
        public readonly Entry? Next = next;
    }

    /// <summary>Erlang's default atom table size.</summary>
    public const int MaxAtoms = 1_048_576;

    private static readonly object Gate = new();
    private static Entry?[] s_buckets = new Entry?[4096];
    private static int s_count;

    public static int Count => Volatile.Read(ref s_count);

    public static Atom Intern(string name)
    {
        var utf8 = Encoding.UTF8.GetBytes(name);
        if (CountChars(utf8) > 255)
            throw new ArgumentException("atom names are limited to 255 characters", nameof(name));
        return TryIntern(utf8, out var atom) ? atom : throw new InvalidOperationException("atom table is full");
    }

    /// <summary>Finds or adds the atom with these UTF-8 bytes; the caller has validated the bytes.</summary>
    public static bool TryIntern(ReadOnlySpan<byte> utf8, out Atom atom)
    {
        var hash = HashOf(utf8);
        var buckets = Volatile.Read(ref s_buckets);
        if (Find(buckets, utf8, hash) is { } found)
        {
            atom = found;
            return true;
        }
        return TryAdd(utf8, hash, out atom);
    }

    /// <summary>Finds an existing atom without adding; used before validating unknown bytes.</summary>
    public static Atom? Lookup(ReadOnlySpan<byte> utf8) => Find(Volatile.Read(ref s_buckets), utf8, HashOf(utf8));

    private static Atom? Find(Entry?[] buckets, ReadOnlySpan<byte> utf8, int hash)
    {
        for (var e = Volatile.Read(ref buckets[hash & (buckets.Length - 1)]); e is not null; e = e.Next)
        {
            if (e.Atom.Hash == hash && utf8.SequenceEqual(e.Atom.Utf8))
                return e.Atom;
        }
        return null;
    }

    private static bool TryAdd(ReadOnlySpan<byte> utf8, int hash, out Atom atom)
    {
        lock (Gate)
        {
            var buckets = s_buckets;
            if (Find(buckets, utf8, hash) is { } raced)
            {
                atom = raced;
                return true;
            }
            if (s_count >= MaxAtoms)
            {
                atom = null!;
                return false;
            }
            if (s_count >= buckets.Length)
                buckets = Grow(buckets);
            var bytes = utf8.ToArray();
            atom = new Atom(Encoding.UTF8.GetString(bytes), bytes, hash);
            ref var head = ref buckets[hash & (buckets.Length - 1)];
            Volatile.Write(ref head, new Entry(atom, head));
            Volatile.Write(ref s_count, s_count + 1);
            return true;
        }
    }

    // Readers may hold the old array; it stays valid because entries are immutable and never removed.
    private static Entry?[] Grow(Entry?[] old)
    {
        var grown = new Entry?[old.Length * 2];
        foreach (var head in old)
        {
            for (var e = head; e is not null; e = e.Next)
            {
                ref var slot = ref grown[e.Atom.Hash & (grown.Length - 1)];
                slot = new Entry(e.Atom, slot);
            }
        }
        Volatile.Write(ref s_buckets, grown);
        return grown;
    }

    // FNV-style over 8-byte words: atoms are short, and the decoder hashes every atom it reads.
    private static int HashOf(ReadOnlySpan<byte> utf8)
    {
        var h = 14695981039346656037UL ^ (ulong)utf8.Length;
        while (utf8.Length >= 8)
        {
            h = (h ^ MemoryMarshal.Read<ulong>(utf8)) * 1099511628211UL;
            utf8 = utf8[8..];
        }
        foreach (var b in utf8)
            h = (h ^ b) * 1099511628211UL;
        // Multiplying only carries bits upward, so the low bits (bucket and atom cache slot) would depend on the
        // first bytes alone ("node_1@host", "node_2@host" would share them): a final mix spreads every byte.
        h = (h ^ (h >> 33)) * 0xFF51AFD7ED558CCDUL;
        h = (h ^ (h >> 33)) * 0xC4CEB9FE1A85EC53UL;
        return (int)(h ^ (h >> 33));
    }

    /// <summary>Code points in valid UTF-8: every byte that is not a continuation byte starts one.</summary>
    public static int CountChars(ReadOnlySpan<byte> utf8)
    {
        var n = 0;
        foreach (var b in utf8)
        {
            if ((b & 0xC0) != 0x80)
                n++;
        }
        return n;
    }

    public static bool IsValidUtf8(ReadOnlySpan<byte> utf8) => Utf8.IsValid(utf8);
}
