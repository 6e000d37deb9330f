using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ergo.Gen.Distribution.Transport.Reactor;

/// <summary>
/// One thread that waits in <c>epoll_wait</c> for the distribution sockets, in place of .NET's socket engine. The
/// engine keeps a socket in its epoll set, edge-triggered, from its first asynchronous operation on: every segment
/// that arrives wakes its thread, whether a read waits or not (three wake-ups for the three frames an Erlang
/// <c>gen_server:call</c> sends). Here a socket is in the set only while someone waits on it, one-shot: one wake-up
/// per wait, however many segments arrive. The waiter's continuation runs on the thread pool.
/// </summary>
internal sealed class SocketReactor
{
    private const int MaxEvents = 128;

    /// <summary>Whether a read's continuation runs on the reactor's thread (one wake-up per incoming batch, not two).</summary>
    internal static readonly bool Inline = Environment.GetEnvironmentVariable("ERGO_REACTOR_INLINE") == "1";

    [ThreadStatic] private static bool t_onReactor;

    /// <summary>Whether the calling thread is the reactor's.</summary>
    public static bool OnReactorThread => t_onReactor;

    private static readonly Lazy<SocketReactor?> LazyShared = new(Create);

    private readonly int _epoll;
    private readonly ConcurrentDictionary<ulong, SocketRegistration> _registrations = new();
    private readonly ConcurrentDictionary<Socket, SocketRegistration> _bySocket = new(ReferenceEqualityComparer.Instance);
    private long _nextId;

    private SocketReactor(int epoll)
    {
        _epoll = epoll;
        new Thread(Run) { IsBackground = true, Name = "ergo.gen socket reactor" }.Start();
    }

    /// <summary>The process's reactor; null where it cannot run (not Linux on x86-64 or ARM64), or when
    /// <c>ERGO_SOCKET_ENGINE=dotnet</c> asks for .NET's socket engine instead.</summary>
    public static SocketReactor? Shared => LazyShared.Value;

    private static SocketReactor? Create()
    {
        if (!LinuxCalls.Supported || Environment.GetEnvironmentVariable("ERGO_SOCKET_ENGINE") == "dotnet")
            return null;
        var epoll = LinuxCalls.EpollCreate(LinuxCalls.EpollCloexec);
        return epoll < 0 ? null : new SocketReactor(epoll);
    }

    /// <summary>A connected socket as a stream that owns it: through the reactor where it runs, else a <see cref="NetworkStream"/>.</summary>
    public static Stream OpenStream(Socket socket) =>
        Shared is { } reactor ? new ReactorSocketStream(socket, reactor) : new NetworkStream(socket, ownsSocket: true);

    /// <summary>Connects through the reactor where it runs, else through .NET's socket engine.</summary>
    public static Task ConnectSocketAsync(Socket socket, EndPoint endpoint, CancellationToken ct) =>
        Shared is { } reactor ? reactor.ConnectAsync(socket, endpoint, ct) : socket.ConnectAsync(endpoint, ct).AsTask();

    /// <summary>Registers <paramref name="socket"/> (nothing is waited for yet). Its owner closes the registration
    /// before it disposes the socket, so the descriptor leaves the epoll set before its number can be reused.</summary>
    public SocketRegistration Register(Socket socket)
    {
        var registration = new SocketRegistration(this, socket, (ulong)Interlocked.Increment(ref _nextId));
        _registrations[registration.Id] = registration;
        _bySocket[socket] = registration;
        return registration;
    }

    /// <summary>Disposes a socket that may be registered, taking it out of the reactor first: for the paths that
    /// close a socket without its stream (a failed handshake, a connection taken down).</summary>
    public static void CloseSocket(Socket? socket)
    {
        if (socket is null)
            return;
        if (Shared is { } reactor && reactor._bySocket.TryGetValue(socket, out var registration))
            registration.Close();
        socket.Dispose();
    }

    /// <summary>Connects <paramref name="socket"/> without .NET's socket engine: a non-blocking connect, then a wait
    /// for the socket to become writable. The socket is blocking again afterwards.</summary>
    public async Task ConnectAsync(Socket socket, EndPoint endpoint, CancellationToken ct)
    {
        socket.Blocking = false;
        try
        {
            socket.Connect(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            var registration = Register(socket);
            try
            {
                await registration.WaitWritableAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                registration.Close();
            }
            if (socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is int error && error != 0)
                throw new SocketException(error);
        }
        socket.Blocking = true;
    }

    internal void Forget(SocketRegistration registration)
    {
        _registrations.TryRemove(registration.Id, out _);
        _bySocket.TryRemove(new KeyValuePair<Socket, SocketRegistration>(registration.Socket, registration));
    }

    /// <summary>Adds, rearms or removes a descriptor: <paramref name="interest"/> 0 with <paramref name="added"/>
    /// removes it. Returns the errno on failure, 0 on success.</summary>
    internal int Control(int fd, ulong id, uint interest, bool added)
    {
        var op = interest == 0 ? LinuxCalls.EpollCtlDel : added ? LinuxCalls.EpollCtlMod : LinuxCalls.EpollCtlAdd;
        var events = interest | LinuxCalls.EpollOneShot;
        int result;
        if (LinuxCalls.PackedEvents)
        {
            var e = new LinuxCalls.PackedEvent { Events = events, Data = id };
            result = LinuxCalls.EpollCtl(_epoll, op, fd, ref e);
        }
        else
        {
            var e = new LinuxCalls.AlignedEvent { Events = events, Data = id };
            result = LinuxCalls.EpollCtl(_epoll, op, fd, ref e);
        }
        return result == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    private void Run()
    {
        t_onReactor = true;
        var packed = LinuxCalls.PackedEvents ? new LinuxCalls.PackedEvent[MaxEvents] : null;
        var aligned = packed is null ? new LinuxCalls.AlignedEvent[MaxEvents] : null;
        while (true)
        {
            var n = packed is not null
                ? LinuxCalls.EpollWait(_epoll, packed, MaxEvents, -1)
                : LinuxCalls.EpollWait(_epoll, aligned!, MaxEvents, -1);
            if (n < 0)
            {
                // EINTR only: the other errors mean a bad epoll descriptor or buffer, which cannot happen here.
                continue;
            }
            for (var i = 0; i < n; i++)
            {
                var (events, id) = packed is not null ? (packed[i].Events, packed[i].Data) : (aligned![i].Events, aligned[i].Data);
                if (_registrations.TryGetValue(id, out var registration))
                    registration.Fire(events);
            }
        }
    }
}
