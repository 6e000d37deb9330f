using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Distribution.Protocol;

/// <summary>What the acceptor decides when a name arrives (dist_util's mark_pending).</summary>
internal enum PendingDecision
{
    Ok,
    /// <summary>We were connecting to them too and they win: take this connection, drop ours.</summary>
    OkSimultaneous,
    /// <summary>We were connecting to them too and we win: refuse this one.</summary>
    Nok,
    /// <summary>A connection to that node is already up; ask the peer whether it is stale.</summary>
    Alive,
}

internal sealed record HandshakeResult(Atom PeerName, DistFlags Flags, uint PeerCreation, int Version)
{
    /// <summary>Initiator asking for a name (<see cref="HandshakeContext.AskName"/>): the name and creation the peer gave us.</summary>
    public (string Name, uint Creation)? Named { get; init; }
}

/// <summary>The parts of the node the handshake needs.</summary>
internal sealed record HandshakeContext(string NodeName, uint Creation, DistFlags Offered, string Cookie, Func<string, PendingDecision> MarkPending)
{
    /// <summary>Initiator: asked "alive?" by a peer that has a connection up with us: true if we still want this one.</summary>
    public Func<bool> StillConnecting { get; init; } = () => true;

    /// <summary>Acceptor: the peer says its old connection is stale. It is replaced only once this handshake has
    /// passed the challenge: a peer without the cookie must not be able to close anyone's connection.</summary>
    public Action<string> AliveConfirmed { get; init; } = _ => { };

    /// <summary>Initiator: the handshake version to open with (5 only for peers that announce nothing newer).</summary>
    public int Version { get; init; } = 6;

    /// <summary>Bytes of each handshake message's length: 2 over TCP; 4 over TLS, as OTP's inet_tls_dist frames it.</summary>
    public int FrameHeader { get; init; } = 2;

    /// <summary>Initiator without a name (Erlang's undefined@Host): <see cref="NodeName"/> is only our host, we send
    /// NAME_ME in place of PUBLISHED, and the peer's 'named:' status gives us our name and creation.</summary>
    public bool AskName { get; init; }
}

/// <summary>
/// The distribution handshake (erl_dist_protocol; OTP's dist_util.erl): version 6 (HANDSHAKE_23) both ways,
/// version 5 accepted from older peers. Messages carry a 2-byte length (4 over TLS). Every failure is a
/// <see cref="HandshakeException"/> naming what went wrong; the caller logs it and closes the socket.
/// </summary>
internal static class Handshake
{
    private const int MaxMessage = 4096;

    public static async Task<HandshakeResult> ConnectAsync(Stream s, HandshakeContext me, Atom peer, CancellationToken ct)
    {
        if (me.AskName)
        {
            if (me.Version < 6)
                throw new HandshakeException($"{peer} speaks only handshake version 5, which cannot name a nameless node");
            me = me with { Offered = (me.Offered & ~DistFlags.Published) | DistFlags.NameMe, Creation = 0 };
        }
        await SendAsync(s, me.FrameHeader, me.Version >= 6 ? SendName(me) : SendNameV5(me), ct).ConfigureAwait(false);
        var status = await ReceiveAsync(s, me.FrameHeader, ct).ConfigureAwait(false);
        if (status.Length == 0 || status[0] != 's')
            throw new HandshakeException($"expected a status from {peer}, got {Describe(status)}");
        var text = Encoding.ASCII.GetString(status, 1, status.Length - 1);
        (string Name, uint Creation)? named = null;
        if (text.StartsWith("named:", StringComparison.Ordinal))
        {
            if (!me.AskName)
                throw new HandshakeException($"{peer} gave us a name we did not ask for");
            named = ReadNamed(status, peer, me.NodeName);
            text = "ok";
        }
        else if (me.AskName)
        {
            throw new HandshakeException($"{peer} did not name us: status '{text}'");
        }
        switch (text)
        {
            case "ok":
            case "ok_simultaneous":
                break;
            case "alive":
                // They have a connection up with us. If ours is already up too (their connection reached us first),
                // this attempt is redundant; otherwise theirs is stale.
                if (!me.StillConnecting())
                {
                    await SendAsync(s, me.FrameHeader, [(byte)'s', .. "false"u8], ct).ConfigureAwait(false);
                    throw new HandshakeException($"{peer} is already connected", simultaneousLoss: true);
                }
                await SendAsync(s, me.FrameHeader, [(byte)'s', .. "true"u8], ct).ConfigureAwait(false);
                break;
            case "nok":
                throw new HandshakeException($"{peer} is connecting to us at the same time and wins", simultaneousLoss: true);
            case "not_allowed":
                throw new HandshakeException($"{peer} does not allow us to connect (flags or allow list)");
            default:
                throw new HandshakeException($"{peer} answered status '{text}'");
        }

        var challenge = await ReceiveAsync(s, me.FrameHeader, ct).ConfigureAwait(false);
        DistFlags theirFlags;
        uint theirChallenge, theirCreation = 0;
        string theirName;
        int version;
        if (challenge.Length >= 19 && challenge[0] == 'N')
        {
            theirFlags = (DistFlags)BinaryPrimitives.ReadUInt64BigEndian(challenge.AsSpan(1));
            theirChallenge = BinaryPrimitives.ReadUInt32BigEndian(challenge.AsSpan(9));
            theirCreation = BinaryPrimitives.ReadUInt32BigEndian(challenge.AsSpan(13));
            var nameLength = BinaryPrimitives.ReadUInt16BigEndian(challenge.AsSpan(17));
            if (19 + nameLength > challenge.Length)
                throw new HandshakeException("challenge name runs past the message");
            theirName = Encoding.UTF8.GetString(challenge, 19, nameLength);
            version = 6;
        }
        else if (challenge.Length >= 11 && challenge[0] == 'n')
        {
            theirFlags = (DistFlags)BinaryPrimitives.ReadUInt32BigEndian(challenge.AsSpan(3));
            theirChallenge = BinaryPrimitives.ReadUInt32BigEndian(challenge.AsSpan(7));
            theirName = Encoding.UTF8.GetString(challenge, 11, challenge.Length - 11);
            version = 5;
        }
        else
        {
            throw new HandshakeException($"expected a challenge from {peer}, got {Describe(challenge)}");
        }
        if (theirName != peer.Name)
            throw new HandshakeException($"connected to {peer} but it calls itself {theirName}");
        theirFlags = DistFlagSets.Expand(theirFlags);
        RequireFlags(peer.Name, theirFlags);

        var ourChallenge = NewChallenge();
        var reply = new byte[1 + 4 + 16];
        reply[0] = (byte)'r';
        BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(1), ourChallenge);
        Digest(theirChallenge, me.Cookie).CopyTo(reply, 5);
        await SendAsync(s, me.FrameHeader, reply, ct).ConfigureAwait(false);

        var ack = await ReceiveAsync(s, me.FrameHeader, ct).ConfigureAwait(false);
        if (ack.Length != 17 || ack[0] != 'a')
            throw new HandshakeException($"expected a challenge ack from {peer}, got {Describe(ack)} (wrong cookie?)");
        if (!CryptographicOperations.FixedTimeEquals(ack.AsSpan(1), Digest(ourChallenge, me.Cookie)))
            throw new HandshakeException($"{peer} answered our challenge with a wrong digest: the cookies differ", wrongCookie: true);
        // The peer keeps NAME_ME in its flags when it agrees to name us (dist_util checks the same before setnode).
        if (named is not null && (theirFlags & DistFlags.NameMe) == 0)
            throw new HandshakeException($"{peer} named us but did not confirm it with NAME_ME");
        return new HandshakeResult(peer, me.Offered & theirFlags, theirCreation, version) { Named = named };
    }

    /// <summary>'s', "named:", Nlen:u16, Name, Creation:u32: our name must be on the host we gave.</summary>
    private static (string Name, uint Creation) ReadNamed(byte[] status, Atom peer, string ourHost)
    {
        if (status.Length < 1 + 6 + 2)
            throw new HandshakeException($"{peer} sent a short 'named:' status");
        var length = BinaryPrimitives.ReadUInt16BigEndian(status.AsSpan(7));
        if (status.Length != 9 + length + 4)
            throw new HandshakeException($"{peer} sent a 'named:' status of the wrong length");
        var name = Encoding.UTF8.GetString(status, 9, length);
        if (!IsNodeName(name) || name.StartsWith("undefined@", StringComparison.Ordinal) || !name.EndsWith("@" + ourHost, StringComparison.Ordinal))
            throw new HandshakeException($"{peer} named us '{name}', which is not a node name on our host {ourHost}");
        return (name, BinaryPrimitives.ReadUInt32BigEndian(status.AsSpan(9 + length)));
    }

    public static async Task<HandshakeResult> AcceptAsync(Stream s, HandshakeContext me, CancellationToken ct)
    {
        var name = await ReceiveAsync(s, me.FrameHeader, ct).ConfigureAwait(false);
        DistFlags theirFlags;
        uint theirCreation = 0;
        string theirName;
        int version;
        if (name.Length >= 15 && name[0] == 'N')
        {
            theirFlags = (DistFlags)BinaryPrimitives.ReadUInt64BigEndian(name.AsSpan(1));
            theirCreation = BinaryPrimitives.ReadUInt32BigEndian(name.AsSpan(9));
            var nameLength = BinaryPrimitives.ReadUInt16BigEndian(name.AsSpan(13));
            if (15 + nameLength > name.Length)
                throw new HandshakeException("send_name: name runs past the message");
            theirName = PeerName(name.AsSpan(15, nameLength));
            version = 6;
        }
        else if (name.Length >= 8 && name[0] == 'n')
        {
            theirFlags = (DistFlags)BinaryPrimitives.ReadUInt32BigEndian(name.AsSpan(3));
            theirName = PeerName(name.AsSpan(7));
            version = 5;
        }
        else
        {
            throw new HandshakeException($"expected send_name, got {Describe(name)}");
        }
        // A node started as undefined@Host sends only its host and NAME_ME: we name it (net_kernel does the same,
        // a random base-36 name on that host) and tell it its name and creation in the 'named:' status.
        var dynamic = version == 6 && (theirFlags & DistFlags.NameMe) != 0;
        if (dynamic)
        {
            if (theirName.Length == 0 || theirName.Contains('@') || theirName.Length > 200)
                throw new HandshakeException($"a peer asking for a name sent '{theirName}', not a host");
            theirName = DynamicName(theirName);
            theirCreation = (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue);
        }
        if (!IsNodeName(theirName))
            throw new HandshakeException($"peer name '{theirName}' is not name@host");
        if (theirName == me.NodeName)
        {
            // dist_util refuses a peer that uses our own name the same way.
            await SendAsync(s, me.FrameHeader, [(byte)'s', .. "nok"u8], ct).ConfigureAwait(false);
            throw new HandshakeException($"a peer claims this node's own name {theirName}");
        }
        theirFlags = DistFlagSets.Expand(theirFlags);
        try
        {
            RequireFlags(theirName, theirFlags);
        }
        catch (HandshakeException)
        {
            await SendAsync(s, me.FrameHeader, [(byte)'s', .. "not_allowed"u8], ct).ConfigureAwait(false);
            throw;
        }

        var decision = me.MarkPending(theirName);
        if (dynamic)
        {
            // A fresh random name has no connection to be simultaneous with.
            if (decision != PendingDecision.Ok)
                throw new HandshakeException($"the name {theirName} made for a nameless peer is taken");
            await SendAsync(s, me.FrameHeader, Named(theirName, theirCreation), ct).ConfigureAwait(false);
        }
        else switch (decision)
        {
            case PendingDecision.Ok:
                await SendAsync(s, me.FrameHeader, [(byte)'s', .. "ok"u8], ct).ConfigureAwait(false);
                break;
            case PendingDecision.OkSimultaneous:
                await SendAsync(s, me.FrameHeader, [(byte)'s', .. "ok_simultaneous"u8], ct).ConfigureAwait(false);
                break;
            case PendingDecision.Nok:
                await SendAsync(s, me.FrameHeader, [(byte)'s', .. "nok"u8], ct).ConfigureAwait(false);
                throw new HandshakeException($"simultaneous connect with {theirName}: ours wins") { OursKept = true };
            case PendingDecision.Alive:
                await SendAsync(s, me.FrameHeader, [(byte)'s', .. "alive"u8], ct).ConfigureAwait(false);
                var answer = await ReceiveAsync(s, me.FrameHeader, ct).ConfigureAwait(false);
                if (!answer.AsSpan().SequenceEqual("strue"u8))
                    throw new HandshakeException($"{theirName} keeps its existing connection");
                me.AliveConfirmed(theirName);
                break;
        }

        // To a nameless peer we answer with NAME_ME in place of PUBLISHED (as dist_util does): the connection is
        // hidden, and the peer takes the name only if the flags both sides keep still say NAME_ME.
        var offered = dynamic ? (me.Offered & ~DistFlags.Published) | DistFlags.NameMe : me.Offered;
        var ourChallenge = NewChallenge();
        var ourName = Encoding.UTF8.GetBytes(me.NodeName);
        byte[] challenge;
        if (version == 6)
        {
            challenge = new byte[1 + 8 + 4 + 4 + 2 + ourName.Length];
            challenge[0] = (byte)'N';
            BinaryPrimitives.WriteUInt64BigEndian(challenge.AsSpan(1), (ulong)offered);
            BinaryPrimitives.WriteUInt32BigEndian(challenge.AsSpan(9), ourChallenge);
            BinaryPrimitives.WriteUInt32BigEndian(challenge.AsSpan(13), me.Creation);
            BinaryPrimitives.WriteUInt16BigEndian(challenge.AsSpan(17), (ushort)ourName.Length);
            ourName.CopyTo(challenge, 19);
        }
        else
        {
            challenge = new byte[1 + 2 + 4 + 4 + ourName.Length];
            challenge[0] = (byte)'n';
            BinaryPrimitives.WriteUInt16BigEndian(challenge.AsSpan(1), 5);
            BinaryPrimitives.WriteUInt32BigEndian(challenge.AsSpan(3), (uint)offered);
            BinaryPrimitives.WriteUInt32BigEndian(challenge.AsSpan(7), ourChallenge);
            ourName.CopyTo(challenge, 11);
        }
        await SendAsync(s, me.FrameHeader, challenge, ct).ConfigureAwait(false);

        var reply = await ReceiveAsync(s, me.FrameHeader, ct).ConfigureAwait(false);
        if (reply.Length != 21 || reply[0] != 'r')
            throw new HandshakeException($"expected a challenge reply from {theirName}, got {Describe(reply)}");
        if (!CryptographicOperations.FixedTimeEquals(reply.AsSpan(5), Digest(ourChallenge, me.Cookie)))
            throw new HandshakeException($"{theirName} has the wrong cookie", wrongCookie: true);
        var theirChallenge = BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(1));
        await SendAsync(s, me.FrameHeader, [(byte)'a', .. Digest(theirChallenge, me.Cookie)], ct).ConfigureAwait(false);
        // Only now, authenticated, does the peer's name become an atom: atoms are never freed.
        return new HandshakeResult(Atom.Of(theirName), offered & theirFlags, theirCreation, version);
    }

    private static byte[] SendName(HandshakeContext me)
    {
        var name = Encoding.UTF8.GetBytes(me.NodeName);
        var m = new byte[1 + 8 + 4 + 2 + name.Length];
        m[0] = (byte)'N';
        BinaryPrimitives.WriteUInt64BigEndian(m.AsSpan(1), (ulong)me.Offered);
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(9), me.Creation);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(13), (ushort)name.Length);
        name.CopyTo(m, 15);
        return m;
    }

    /// <summary>Version 5's send_name: 'n', Version=5, 32-bit flags, name.</summary>
    private static byte[] SendNameV5(HandshakeContext me)
    {
        var name = Encoding.UTF8.GetBytes(me.NodeName);
        var m = new byte[1 + 2 + 4 + name.Length];
        m[0] = (byte)'n';
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(1), 5);
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(3), (uint)me.Offered);
        name.CopyTo(m, 7);
        return m;
    }

    /// <summary>A name for a peer that has none: 64 random bits in base 36, at the host it gave.</summary>
    private static string DynamicName(string host)
    {
        Span<byte> bits = stackalloc byte[8];
        RandomNumberGenerator.Fill(bits);
        var n = BinaryPrimitives.ReadUInt64BigEndian(bits);
        var digits = new StringBuilder();
        do
        {
            digits.Insert(0, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(int)(n % 36)]);
            n /= 36;
        } while (n != 0);
        return digits.Append('@').Append(host).ToString();
    }

    /// <summary>The status that names a nameless peer: 's', "named:", Nlen:u16, Name, Creation:u32.</summary>
    private static byte[] Named(string name, uint creation)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        var m = new byte[1 + 6 + 2 + bytes.Length + 4];
        m[0] = (byte)'s';
        "named:"u8.CopyTo(m.AsSpan(1));
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(7), (ushort)bytes.Length);
        bytes.CopyTo(m, 9);
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(9 + bytes.Length), creation);
        return m;
    }

    private static void RequireFlags(string peer, DistFlags theirs)
    {
        var missing = DistFlagSets.Required & ~theirs;
        if (missing != 0)
            throw new HandshakeException($"{peer} lacks required distribution flags: {missing}");
    }

    /// <summary>MD5 of the cookie followed by the challenge as unsigned decimal text.</summary>
    public static byte[] Digest(uint challenge, string cookie) =>
        MD5.HashData(Encoding.Latin1.GetBytes(cookie + challenge.ToString(CultureInfo.InvariantCulture)));

    private static uint NewChallenge() => (uint)RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue);

    /// <summary>A peer's name as it sent it: valid UTF-8 without control characters (a newline would forge log
    /// lines), else refused; what is refused is logged escaped and cut short.</summary>
    private static string PeerName(ReadOnlySpan<byte> utf8)
    {
        string name;
        try
        {
            name = StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw new HandshakeException($"peer name is not valid UTF-8: {Convert.ToHexString(utf8[..Math.Min(utf8.Length, 64)])}");
        }
        foreach (var c in name)
        {
            if (char.IsControl(c))
                throw new HandshakeException($"peer name has control characters: {Escaped(name)}");
        }
        return name;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Text from a peer, safe for one log line: control characters escaped, at most 100 characters.</summary>
    internal static string Escaped(string text)
    {
        var b = new StringBuilder("'");
        foreach (var c in text.Length > 100 ? text[..100] : text)
            b.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        return b.Append(text.Length > 100 ? "'..." : "'").ToString();
    }

    public static bool IsNodeName(string name)
    {
        var at = name.IndexOf('@');
        return at > 0 && at < name.Length - 1 && name.IndexOf('@', at + 1) < 0 && name.Length <= 255;
    }

    private static async Task SendAsync(Stream s, int header, byte[] message, CancellationToken ct)
    {
        var framed = new byte[header + message.Length];
        if (header == 4)
            BinaryPrimitives.WriteUInt32BigEndian(framed, (uint)message.Length);
        else
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, header);
        await s.WriteAsync(framed, ct).ConfigureAwait(false);
        await s.FlushAsync(ct).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReceiveAsync(Stream s, int header, CancellationToken ct)
    {
        var head = new byte[header];
        try
        {
            await s.ReadExactlyAsync(head, ct).ConfigureAwait(false);
            var length = header == 4 ? BinaryPrimitives.ReadUInt32BigEndian(head) : BinaryPrimitives.ReadUInt16BigEndian(head);
            if (length == 0 || length > MaxMessage)
                throw new HandshakeException($"handshake message of {length} bytes");
            var body = new byte[length];
            await s.ReadExactlyAsync(body, ct).ConfigureAwait(false);
            return body;
        }
        catch (EndOfStreamException)
        {
            throw new HandshakeException("the peer closed the connection during the handshake");
        }
    }

    private static string Describe(byte[] m) => m.Length == 0 ? "nothing" : $"'{(char)m[0]}' ({m.Length} bytes)";
}
