using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ergo.Gen.Distribution.Transport.Reactor;

namespace Ergo.Gen.Distribution.Transport;

/// <summary>
/// A send that never waits, in one system call, on Linux: <c>send(2)</c> with <c>MSG_DONTWAIT</c>, which
/// <see cref="SocketFlags"/> does not offer (and which takes what fits, where .NET's synchronous send on a socket
/// its engine made non-blocking waits, through the engine, until all of it went). Elsewhere a direct write asks
/// <c>poll(2)</c> first, then sends.
/// </summary>
internal static class DontWaitSend
{
    private const int Flags = LinuxCalls.MsgDontWait | LinuxCalls.MsgNoSignal;

    /// <summary>Linux, with a C library that the runtime finds under the name <c>libc</c>.</summary>
    public static readonly bool Supported = OperatingSystem.IsLinux() && CallsThrough();

    // A send on no descriptor: -1 (EBADF) if the call goes through; an exception if the library cannot be loaded.
    private static bool CallsThrough()
    {
        try
        {
            byte nothing = 0;
            return LinuxCalls.Send(-1, ref nothing, 0, Flags) == -1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The bytes the socket took at once: 0 when it has no room, or is closed.</summary>
    public static int Send(Socket socket, ReadOnlySpan<byte> bytes)
    {
        var handle = socket.SafeHandle;
        var held = false;
        try
        {
            // Held across the call: the descriptor cannot be closed, and its number reused, meanwhile.
            handle.DangerousAddRef(ref held);
            var sent = LinuxCalls.Send((int)handle.DangerousGetHandle(), ref MemoryMarshal.GetReference(bytes), (nuint)bytes.Length, Flags);
            if (sent <= 0)
                return 0;
            SocketReactor.Sent(socket);
            return (int)sent;
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        finally
        {
            if (held)
                handle.DangerousRelease();
        }
    }
}
