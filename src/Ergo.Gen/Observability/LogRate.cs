namespace Ergo.Gen.Observability;

/// <summary>
/// At most <paramref name="perSecond"/> lines of one kind a second from one source (a server, a connection, a
/// listener): a peer that sends the same unwanted thing in a loop must not flood the log. The next line written
/// says how many were left out. Thread-safe.
/// </summary>
internal sealed class LogRate(int perSecond = 10)
{
    private readonly Lock _lock = new();
    private long _windowStart = Environment.TickCount64;
    private int _written;
    private int _suppressed;

    /// <summary>True if this line may be written; <paramref name="more"/> is then "" or " (N more since, not
    /// logged)", for the end of the line.</summary>
    public bool Allow(out string more)
    {
        lock (_lock)
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
                more = "";
                return false;
            }
            _written++;
            more = _suppressed > 0 ? $" ({_suppressed} more since, not logged)" : "";
            _suppressed = 0;
            return true;
        }
    }
}
