using System.Net;

namespace Ergo.Gen.Distribution.Transport;

/// <summary>
/// Accepted connections still in their handshake (or, for the embedded EPMD, still before their request). Bounded
/// node-wide and per address; when a bound is reached, the oldest connection that has not sent a byte yet makes
/// room (it is cancelled), so a flood of silent sockets cannot lock out a peer that speaks at once, even from the
/// same address. Only when every pending connection has spoken is a new one refused.
/// </summary>
internal sealed class PendingAccepts(int max, int maxPerAddress)
{
    internal sealed class Entry(IPAddress? address, CancellationToken stopping)
    {
        internal readonly CancellationTokenSource Cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);

        public IPAddress? Address { get; } = address;

        /// <summary>Cancelled when the listener stops, or when this connection is pushed out by a newer one.</summary>
        public CancellationToken Token => Cancel.Token;

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

    /// <summary>Admits a new connection, pushing out a silent one if it must; null if it is refused.</summary>
    public Entry? TryAdmit(IPAddress? address, CancellationToken stopping)
    {
        Entry? evicted = null;
        Entry entry;
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
            entry = new Entry(address, stopping);
            _entries.Add(entry);
        }
        try
        {
            evicted?.Cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished on its own meanwhile.
        }
        return entry;
    }

    /// <summary>No longer counted (it spoke and is served, or holds a registration); its token stays valid.</summary>
    public void Leave(Entry entry)
    {
        lock (_entries)
            _entries.Remove(entry);
    }

    /// <summary>The connection is finished with: no longer counted, and its token released.</summary>
    public void Done(Entry entry)
    {
        Leave(entry);
        entry.Cancel.Dispose();
    }
}
