using System.Collections.Concurrent;
using System.Net;

namespace Ergo.Gen.Distribution;

/// <summary>
/// Slows down cookie guessing: after a few wrong cookies from one address, each new handshake from it waits
/// before it starts, twice as long each time (up to a cap). A right cookie, or a quiet minute, clears the record.
/// Delaying rather than refusing keeps honest peers on the same host able to connect.
/// </summary>
internal sealed class CookieBackoff
{
    private const int FreeAttempts = 3;
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Forget = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<IPAddress, (int Failures, long LastMs)> _failures = new();

    public TimeSpan DelayFor(IPAddress? address)
    {
        if (address is null || !_failures.TryGetValue(address, out var record))
            return TimeSpan.Zero;
        if (Environment.TickCount64 - record.LastMs > Forget.TotalMilliseconds)
        {
            _failures.TryRemove(address, out _);
            return TimeSpan.Zero;
        }
        if (record.Failures < FreeAttempts)
            return TimeSpan.Zero;
        var delay = First * Math.Pow(2, Math.Min(record.Failures - FreeAttempts, 10));
        return delay < Cap ? delay : Cap;
    }

    public int Failed(IPAddress? address) => address is null ? 0
        : _failures.AddOrUpdate(address, _ => (1, Environment.TickCount64), (_, r) => (r.Failures + 1, Environment.TickCount64)).Failures;

    public void Succeeded(IPAddress? address)
    {
        if (address is not null)
            _failures.TryRemove(address, out _);
    }
}
