using Ergo.Gen;
using Ergo.Gen.Etf;

namespace Demo;

// A server nested in a partial type, and a generic one: the generated code re-opens every containing type.
public static partial class Shop
{
    [Term] public sealed record Price(string Sku);

    [GenServer(Name = "catalog")]
    public partial class Catalog
    {
        [Call] long Handle(Price p) => 1;
    }

    internal partial class Inner<TKey> where TKey : notnull
    {
        [GenServer]
        public partial class Cache<TValue>
        {
            private TValue? _last;

            [Call] TValue? Handle(TValue v) => _last = v;
            [Cast] void Forget(Atom _) => _last = default;
        }
    }
}
