using System.Net;

namespace Ergo.Gen.Distribution;

/// <summary>
/// Accepted connections still in their handshake. Bounded node-wide and per address; when a bound is reached, the
/// oldest connection that has not sent a byte yet makes room (it is cancelled), so a flood of silent sockets cannot
/// lock out a peer that speaks at once, even from the same address. Only when every pending connection has spoken
/// is a new one refused.
/// </summary>
internal sealed class PendingAccepts(int max, int maxPerAddress)
{
    internal sealed class Entry(IPAddress? address, CancellationTokenSource cancel)
    {
        public IPAddress? Address { get; } = address;

        public CancellationTokenSource Cancel { get; } = cancel;

        public long Since { get; } = Environment.TickCount64;

        public volatile bool Spoke;
    }

    private readonly List<Entry> _entries = [];

    public int Count
    {
        get
        {
            lock (_entries)
                return _entries.Count;
        }
    }

    /// <summary>Admits a new connection, cancelling a silent one to make room if it must; null if it is refused.</summary>
    public Entry? TryAdmit(IPAddress? address, CancellationTokenSource cancel, out Entry? evicted)
    {
        evicted = null;
        lock (_entries)
        {
            var fromAddress = address is null ? 0 : _entries.Count(e => address.Equals(e.Address));
            var full = _entries.Count >= max;
            var addressFull = fromAddress >= maxPerAddress;
            if (full || addressFull)
            {
                // Make room from the same address when that is the bound reached, else from anyone.
                evicted = _entries.Where(e => !e.Spoke && (!addressFull || address!.Equals(e.Address))).MinBy(e => e.Since);
                if (evicted is null)
                    return null;
                _entries.Remove(evicted);
            }
            var entry = new Entry(address, cancel);
            _entries.Add(entry);
            return entry;
        }
    }

    public void Remove(Entry entry)
    {
        lock (_entries)
            _entries.Remove(entry);
    }
}
