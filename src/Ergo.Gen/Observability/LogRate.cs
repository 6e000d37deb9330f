namespace Ergo.Gen.Observability;

/// <summary>
/// At most <paramref name="perSecond"/> lines of one kind a second from one source (a server, a connection):
/// a peer that sends the same unwanted message in a loop must not flood the log. The next line written says how
/// many were left out. Used by one thread at a time (the owning process), or under a lock.
/// </summary>
internal sealed class LogRate(int perSecond = 10)
{
    private long _windowStart = Environment.TickCount64;
    private int _written;
    private int _suppressed;

    /// <summary>True if this line may be written; <paramref name="suppressed"/> is how many were left out before it.</summary>
    public bool Allow(out int suppressed)
    {
        var now = Environment.TickCount64;
        if (now - _windowStart >= 1000)
        {
            _windowStart = now;
            _written = 0;
        }
        if (_written >= perSecond)
        {
            _suppressed++;
            suppressed = 0;
            return false;
        }
        _written++;
        suppressed = _suppressed;
        _suppressed = 0;
        return true;
    }
}
