using System.Buffers.Binary;

namespace Ergo.Gen.Testing;

/// <summary>Handshake messages as a hand-written peer sends and reads them: a 2-byte big-endian length, then the body.</summary>
internal static class HandshakeFrames
{
    public static async Task SendAsync(Stream s, byte[] body)
    {
        var framed = new byte[2 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)body.Length);
        body.CopyTo(framed, 2);
        await s.WriteAsync(framed);
    }

    public static async Task<byte[]> ReceiveAsync(Stream s)
    {
        var head = new byte[2];
        await s.ReadExactlyAsync(head);
        var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(head)];
        await s.ReadExactlyAsync(body);
        return body;
    }
}
