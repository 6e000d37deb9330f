namespace Ergo.Gen.Observability;

/// <summary>
/// A limit on the lines one remote peer (an address or a node) can make us write: a few in each window, then
/// nothing until the window ends, when the next line says how many were left out. A peer that fails a million
/// handshakes costs a handful of lines a minute, and cannot use up the lines of another peer. Memory is bounded:
/// beyond <paramref name="maxPeers"/> tracked peers, peers not yet seen share one budget. Thread-safe.
/// </summary>
internal sealed class PeerLogLimit(int linesPerWindow = 5, TimeSpan? window = null, int maxPeers = 1024, TimeProvider? time = null)
{
    private sealed class Budget
    {
        public long WindowStart;
        public int Written;
        public long Suppressed;
    }

    private const string Others = "\0others";
    private readonly long _windowTicks = (long)(window ?? TimeSpan.FromMinutes(1)).TotalMilliseconds;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<string, Budget> _peers = [];
    private readonly Lock _lock = new();

    /// <summary>True if a line about <paramref name="peer"/> may be written; <paramref name="more"/> is then "" or
    /// " (N more from this peer since, not logged)", for the end of the line.</summary>
    public bool Allow(string peer, out string more)
    {
        var now = (long)_time.GetElapsedTime(0).TotalMilliseconds;
        lock (_lock)
        {
            var budget = Find(peer, now);
            if (now - budget.WindowStart >= _windowTicks)
            {
                budget.WindowStart = now;
                budget.Written = 0;
            }
            if (budget.Written >= linesPerWindow)
            {
                budget.Suppressed++;
                more = "";
                return false;
            }
            budget.Written++;
            more = budget.Suppressed > 0 ? $" ({budget.Suppressed} more from this peer since, not logged)" : "";
            budget.Suppressed = 0;
            return true;
        }
    }

    /// <summary>The number of peers with a budget of their own (for tests).</summary>
    internal int Tracked
    {
        get
        {
            lock (_lock)
                return _peers.Count;
        }
    }

    private Budget Find(string peer, long now)
    {
        if (_peers.TryGetValue(peer, out var budget))
            return budget;
        if (_peers.Count >= maxPeers)
        {
            // Forget the peers that have been quiet a whole window, and their count with them.
            foreach (var (key, b) in _peers)
            {
                if (key != Others && now - b.WindowStart >= _windowTicks && b.Suppressed == 0)
                    _peers.Remove(key);
            }
            if (_peers.Count >= maxPeers)
                peer = Others;
        }
        if (!_peers.TryGetValue(peer, out budget))
            _peers[peer] = budget = new Budget { WindowStart = now };
        return budget;
    }
}
