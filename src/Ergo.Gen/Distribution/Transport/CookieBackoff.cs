using System.Collections.Concurrent;
using System.Net;

namespace Ergo.Gen.Distribution.Transport;

/// <summary>
/// Slows down cookie guessing: after a few wrong cookies from one address, each further failure from it is held
/// open before it is closed, twice as long each time (up to a cap). The wait falls on the failing handshake only,
/// never on the next one: an honest node on the same host connects at once. A right cookie, or a quiet minute,
/// clears the record.
/// </summary>
internal sealed class CookieBackoff
{
    private const int FreeAttempts = 3;
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Forget = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<IPAddress, (int Failures, long LastMs)> _failures = new();

    /// <summary>Counts a wrong cookie from <paramref name="address"/>: the failures so far, and how long to hold this one.</summary>
    public (int Failures, TimeSpan Wait) Failed(IPAddress? address)
    {
        if (address is null)
            return (0, TimeSpan.Zero);
        var now = Environment.TickCount64;
        var failures = _failures.AddOrUpdate(address, _ => (1, now),
            (_, r) => (now - r.LastMs > Forget.TotalMilliseconds ? 1 : r.Failures + 1, now)).Failures;
        if (failures <= FreeAttempts)
            return (failures, TimeSpan.Zero);
        var wait = First * Math.Pow(2, Math.Min(failures - FreeAttempts - 1, 10));
        return (failures, wait < Cap ? wait : Cap);
    }

    public void Succeeded(IPAddress? address)
    {
        if (address is not null)
            _failures.TryRemove(address, out _);
    }
}
