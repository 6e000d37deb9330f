using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Ergo.Gen.Benchmarks;

/// <summary>
/// A peer node written by hand for allocation rows: it accepts our node's connection, completes the handshake and
/// then reads and drops every byte. What we send to it costs our node what it costs on a real connection, and a
/// reader that does nothing else keeps the connection's queue empty, so no buffer grows under the measurement.
/// </summary>
internal sealed class DrainPeer : IDisposable
{
    // OTP 25's mandatory flags, aliases, and a published node.
    private const ulong Flags = 0x1 | 0x4 | 0x10 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x20000 | 0x40000
        | 0x1000000 | (1UL << 35);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _cookie;

    public DrainPeer(string name, string cookie)
    {
        Name = name;
        _cookie = cookie;
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string Name { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task ServeAsync()
    {
        using var client = await _listener.AcceptTcpClientAsync();
        var s = client.GetStream();
        if ((await Testing.HandshakeFrames.ReceiveAsync(s))[0] != 'N')
            throw new InvalidOperationException("expected a version 6 send_name");
        await Testing.HandshakeFrames.SendAsync(s, "sok"u8.ToArray());
        var name = Encoding.ASCII.GetBytes(Name);
        var challenge = new byte[1 + 8 + 4 + 4 + 2 + name.Length];
        challenge[0] = (byte)'N';
        BinaryPrimitives.WriteUInt64BigEndian(challenge.AsSpan(1), Flags);
        BinaryPrimitives.WriteUInt32BigEndian(challenge.AsSpan(9), 42);
        BinaryPrimitives.WriteUInt32BigEndian(challenge.AsSpan(13), 1);
        BinaryPrimitives.WriteUInt16BigEndian(challenge.AsSpan(17), (ushort)name.Length);
        name.CopyTo(challenge, 19);
        await Testing.HandshakeFrames.SendAsync(s, challenge);
        var reply = await Testing.HandshakeFrames.ReceiveAsync(s);
        var theirs = BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(1));
        await Testing.HandshakeFrames.SendAsync(s, [(byte)'a', .. MD5.HashData(Encoding.ASCII.GetBytes(_cookie + theirs.ToString(CultureInfo.InvariantCulture)))]);
        var drain = new byte[256 * 1024];
        while (await s.ReadAsync(drain) > 0)
        {
        }
    }

    public void Dispose() => _listener.Stop();
}
