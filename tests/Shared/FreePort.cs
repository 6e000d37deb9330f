using System.Net;
using System.Net.Sockets;

namespace Ergo.Gen.Testing;

/// <summary>
/// A port nothing listens on now, for nodes that a test gives fixed ports (no EPMD). Taken below the kernel's
/// ephemeral range (<c>ip_local_port_range</c>), never from it: a port the kernel handed out and took back could be
/// given again, as the source port of any connection made meanwhile (to EPMD, to another node) or to a listener on
/// port 0, before the node listens on it. Each test process walks its own stretch of that band (by its process id),
/// and hands out no port twice.
/// </summary>
internal static class FreePort
{
    private static readonly (int Low, int Size) Band = FindBand();
    private static int s_next = Environment.ProcessId * 7919 % Band.Size;

    public static int Next()
    {
        for (var tries = 0; tries < Band.Size; tries++)
        {
            var port = Band.Low + (int)((uint)Interlocked.Increment(ref s_next) % (uint)Band.Size);
            if (IsFree(port))
                return port;
        }
        throw new InvalidOperationException($"no free port in {Band.Low}-{Band.Low + Band.Size - 1}");
    }

    // The ports from 24400 up to the ephemeral range (below them: the private EPMDs' fixed ports, 24370-24379), or
    // those above the range when it starts too low for that.
    private static (int Low, int Size) FindBand()
    {
        var (low, high) = (32768, 60999);
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            (low, high) = (int.Parse(parts[0]), int.Parse(parts[1]));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
        }
        const int floor = 24_400;
        return low >= floor + 1_000 ? (floor, low - floor) : (high + 1, 65_535 - high);
    }

    private static bool IsFree(int port)
    {
        // The nodes listen on every interface.
        var listener = new TcpListener(IPAddress.Any, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }
}
