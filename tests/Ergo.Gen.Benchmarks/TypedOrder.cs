using Ergo.Gen.Etf;

namespace Ergo.Gen.Benchmarks;

/// <summary>
/// The representative message decoded the way generated dispatch code will do it: field by field through
/// EtfReader into user records, with no term tree. Hand-written here until the generators emit it.
/// </summary>
public sealed record Order(long Id, double Price, string Item, string Note, int Qty, string Sku);

public sealed record GenCall(Pid From, Reference Tag, Order Request);

public static class TypedOrderReader
{
    private static readonly Atom GenCallTag = Atom.Of("$gen_call");
    private static readonly Atom OrderTag = Atom.Of("order");
    private static readonly Atom Qty = Atom.Of("qty");
    private static readonly Atom Sku = Atom.Of("sku");

    public static GenCall Read(ReadOnlySpan<byte> data)
    {
        var r = EtfReader.OpenVersioned(data, null, out var inflated);
        using (inflated)
        {
            if (r.ReadTupleHeader() != 3 || r.ReadAtom() != GenCallTag || r.ReadTupleHeader() != 2)
                throw new InvalidDataException("not a $gen_call");
            var from = r.ReadPid();
            if (r.ReadListHeader() != 1)
                throw new InvalidDataException("bad call tag");
            r.ReadAtom();
            var tag = r.ReadReference();
            if (r.ReadTupleHeader() != 6 || r.ReadAtom() != OrderTag)
                throw new InvalidDataException("not an order");
            var id = r.ReadInt64();
            var price = r.ReadDouble();
            var item = r.ReadString();
            var note = r.ReadString();
            int qty = 0;
            string sku = "";
            for (var n = r.ReadMapHeader(); n > 0; n--)
            {
                var key = r.ReadAtom();
                if (key == Qty)
                    qty = r.ReadInt32();
                else if (key == Sku)
                    sku = r.ReadString();
                else
                    r.Skip();
            }
            r.EnsureAtEnd();
            return new GenCall(from, tag, new Order(id, price, item, note, qty, sku));
        }
    }
}
