using System.Runtime.InteropServices;

namespace Ergo.Gen.Distribution.Transport.Reactor;

/// <summary>
/// The few Linux system calls the socket reactor and <see cref="DontWaitSend"/> make themselves: epoll, and
/// non-blocking send and receive on one call (<c>MSG_DONTWAIT</c>, which <see cref="System.Net.Sockets.SocketFlags"/>
/// does not offer) without touching the descriptor's blocking mode, which a lent reader thread relies on.
/// </summary>
internal static class LinuxCalls
{
    public const int EpollCtlAdd = 1, EpollCtlDel = 2, EpollCtlMod = 3;
    public const uint EpollIn = 0x001, EpollOut = 0x004, EpollErr = 0x008, EpollHup = 0x010, EpollRdHup = 0x2000, EpollOneShot = 1u << 30, EpollEt = 1u << 31;
    public const int EpollCloexec = 0x80000;

    public const int MsgPeek = 0x02, MsgDontWait = 0x40, MsgNoSignal = 0x4000;
    public const int EINTR = 4, EBADF = 9, EAGAIN = 11;

    public const int FGetFl = 3, FSetFl = 4, ONonBlock = 0x800;

    /// <summary>x86-64 packs <c>struct epoll_event</c> (12 bytes); other 64-bit ABIs align it (16 bytes).</summary>
    public static readonly bool PackedEvents = RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>Whether the reactor can run here: Linux on x86-64 or ARM64.</summary>
    public static bool Supported =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct PackedEvent
    {
        public uint Events;
        public ulong Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct AlignedEvent
    {
        public uint Events;
        public ulong Data;
    }

    [DllImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static extern int EpollCreate(int flags);

    [DllImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static extern int EpollCtl(int epfd, int op, int fd, ref PackedEvent ev);

    [DllImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static extern int EpollCtl(int epfd, int op, int fd, ref AlignedEvent ev);

    [DllImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static extern int EpollWait(int epfd, [Out] PackedEvent[] events, int max, int timeout);

    [DllImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static extern int EpollWait(int epfd, [Out] AlignedEvent[] events, int max, int timeout);

    [DllImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static extern nint Recv(int fd, ref byte buffer, nuint length, int flags);

    [DllImport("libc", EntryPoint = "send", SetLastError = true)]
    public static extern nint Send(int fd, ref byte buffer, nuint length, int flags);

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static extern int Fcntl(int fd, int cmd, int arg);
}
