using System.Buffers.Binary;
using System.Text;

namespace Ergo.Gen.Epmd;

/// <summary>The EPMD wire protocol (erl_dist_protocol, "EPMD Protocol"): request tags and the node entry they carry.</summary>
internal static class EpmdProtocol
{
    public const int DefaultPort = 4369;

    public const byte Alive2Request = 120;
    public const byte Alive2Response = 121;
    public const byte Alive2ExtendedResponse = 118;
    public const byte PortPlease2Request = 122;
    public const byte Port2Response = 119;
    public const byte NamesRequest = 110;

    public const byte NodeTypeNormal = 77;
    public const byte ProtocolTcp = 0;
    public const ushort HighestVersion = 6;
    public const ushort LowestVersion = 5;

    /// <summary>Requests are framed by a 2-byte length.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> body)
    {
        var frame = new byte[2 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)body.Length);
        body.CopyTo(frame.AsSpan(2));
        return frame;
    }

    /// <summary>The body shared by ALIVE2_REQ and PORT2_RESP: port, type, protocol, versions, name, extra.</summary>
    public static byte[] NodeEntry(ushort port, string name, ushort highestVersion = HighestVersion)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var entry = new byte[2 + 1 + 1 + 2 + 2 + 2 + nameBytes.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(entry, port);
        entry[2] = NodeTypeNormal;
        entry[3] = ProtocolTcp;
        BinaryPrimitives.WriteUInt16BigEndian(entry.AsSpan(4), highestVersion);
        BinaryPrimitives.WriteUInt16BigEndian(entry.AsSpan(6), LowestVersion);
        BinaryPrimitives.WriteUInt16BigEndian(entry.AsSpan(8), (ushort)nameBytes.Length);
        nameBytes.CopyTo(entry.AsSpan(10));
        return entry;
    }
}

/// <summary>A malformed or refused EPMD exchange.</summary>
public sealed class EpmdException(string message) : ErgoException(message);
