namespace Ergo.Gen.Distribution.Transport;

/// <summary>The wait after a failed accept (no descriptors left, say), doubling from 10 ms to 1 s: a listener that
/// cannot accept must not spin a core and flood the log while it waits for descriptors to come back.</summary>
internal static class AcceptBackoff
{
    public static readonly TimeSpan Start = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(1);

    /// <summary>Waits <paramref name="current"/> and returns the next wait.</summary>
    public static async Task<TimeSpan> WaitAsync(TimeSpan current, CancellationToken ct)
    {
        try
        {
            await Task.Delay(current, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        return current * 2 < Max ? current * 2 : Max;
    }
}
