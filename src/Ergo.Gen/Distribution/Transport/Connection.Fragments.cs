using System.Buffers;
using System.Buffers.Binary;
using CommunityToolkit.HighPerformance.Buffers;
using Ergo.Gen.Distribution.Protocol;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Distribution.Transport;

// Frames with a distribution header (erl_ext_dist, "Distribution Header"): with FRAGMENTS negotiated, Erlang
// sends every message this way, and large ones in pieces of about 64 KiB that may interleave with others.
internal sealed partial class Connection
{
    private const byte DistHeader = 68, DistFragHeader = 69, DistFragCont = 70;

    /// <summary>Messages above this size go out in fragments when the peer accepts them (OTP uses 64 KiB).</summary>
    internal const int FragmentSize = 64 * 1024;

    // Sequences still being assembled: bounded, so a peer cannot make us hold unbounded partial messages.
    private const int MaxOpenSequences = 1024;

    // A sequence's atom cache references come in its first fragment and hold for the whole message.
    private readonly Dictionary<ulong, (ArrayPoolBufferWriter<byte> Data, ulong NextFragment, Atom[] AtomRefs)> _assembling = [];
    private long _sequence;

    // Both halves of the atom cache, used only when DIST_HDR_ATOM_CACHE was agreed: the reading half by the read
    // loop, the writing half under the outgoing queue's lock.
    private readonly DistAtomCacheReader _inAtoms = new();
    private readonly DistAtomCacheWriter _outAtoms = new();

    private void HandleHeaderFrame(ReadOnlySpan<byte> frame)
    {
        switch (frame[1])
        {
            case DistHeader:
                HandleBody(ReadAtomCache(frame[2..]), _inAtoms.Refs);
                break;
            case DistFragHeader:
            {
                if (frame.Length < 2 + 16 + 1)
                    throw new DistributionProtocolException("short fragment header");
                var sequence = BinaryPrimitives.ReadUInt64BigEndian(frame[2..]);
                var fragments = BinaryPrimitives.ReadUInt64BigEndian(frame[10..]);
                var data = ReadAtomCache(frame[18..]);
                if (fragments == 0)
                    throw new DistributionProtocolException("fragment id 0");
                if (fragments == 1)
                {
                    HandleBody(data, _inAtoms.Refs);
                    break;
                }
                if (_assembling.ContainsKey(sequence) || _assembling.Count >= MaxOpenSequences)
                    throw new DistributionProtocolException($"fragment sequence {sequence} cannot be opened");
                var buffer = new ArrayPoolBufferWriter<byte>(FrameBufferPool.Instance, Math.Max(data.Length * 2, 1024));
                buffer.Write(data);
                _assembling[sequence] = (buffer, fragments - 1, _inAtoms.Refs.ToArray());
                break;
            }
            case DistFragCont:
            {
                if (frame.Length < 2 + 16)
                    throw new DistributionProtocolException("short fragment continuation");
                var sequence = BinaryPrimitives.ReadUInt64BigEndian(frame[2..]);
                var fragment = BinaryPrimitives.ReadUInt64BigEndian(frame[10..]);
                if (!_assembling.TryGetValue(sequence, out var open) || open.NextFragment != fragment)
                    throw new DistributionProtocolException($"fragment {fragment} of sequence {sequence} out of order");
                if (open.Data.WrittenCount + (long)(frame.Length - 18) > _dist.Options.MaxFrameBytes)
                    throw new DistributionProtocolException($"fragmented message exceeds {_dist.Options.MaxFrameBytes} bytes");
                open.Data.Write(frame[18..]);
                if (fragment > 1)
                {
                    _assembling[sequence] = (open.Data, fragment - 1, open.AtomRefs);
                    break;
                }
                _assembling.Remove(sequence);
                using (open.Data)
                    HandleBody(open.Data.WrittenSpan, open.AtomRefs);
                break;
            }
            default:
                throw new DistributionProtocolException($"unknown distribution header {frame[1]}");
        }
    }

    /// <summary>Reads a header's atom cache part into <see cref="_inAtoms"/> and returns what follows it.</summary>
    private ReadOnlySpan<byte> ReadAtomCache(ReadOnlySpan<byte> header)
    {
        if (header.Length < 1)
            throw new DistributionProtocolException("distribution header without its atom cache count");
        if (header[0] != 0 && (Flags & DistFlags.DistHdrAtomCache) == 0)
            throw new DistributionProtocolException("atom cache references in a header, but the atom cache was not negotiated");
        try
        {
            return header[_inAtoms.Read(header, _decodeOptions)..];
        }
        catch (EtfDecodeException e)
        {
            throw new DistributionProtocolException($"malformed atom cache header: {e.Message}");
        }
    }

    /// <summary>A control message and optional payload, encoded without version bytes, after a header that made
    /// <paramref name="atomRefs"/>.</summary>
    private void HandleBody(ReadOnlySpan<byte> body, ReadOnlySpan<Atom> atomRefs)
    {
        if (TryFastSend(body, versioned: false, atomRefs))
            return;
        Etf.Tuple control;
        Term? payload = null;
        try
        {
            var reader = new EtfReader(body, _decodeOptions, atomRefs);
            control = reader.ReadTerm() as Etf.Tuple ?? throw new DistributionProtocolException("control message is not a tuple");
            if (!reader.IsAtEnd)
                payload = EtfCodec.DecodeUnversioned(body[reader.Position..], _decodeOptions, atomRefs);
        }
        catch (EtfDecodeException e) when (e.ExceedsLimit)
        {
            DropOverLimit(e);
            return;
        }
        catch (EtfDecodeException e)
        {
            throw new DistributionProtocolException($"malformed term: {e.Message}");
        }
        Dispatch(control, payload);
    }

    /// <summary>
    /// The hot path: SEND and SEND_SENDER are parsed field by field and routed by pid number, so nothing is
    /// allocated but the message itself. False for every other control message.
    /// </summary>
    private bool TryFastSend(ReadOnlySpan<byte> control, bool versioned, ReadOnlySpan<Atom> atomRefs = default)
    {
        var regSend = control.Length >= 4 && control[0] == EtfTag.SmallTuple && control[1] == 4 && control[2] == EtfTag.SmallInteger
            && control[3] == ControlTag.RegSend;
        if (!regSend && (control.Length < 4 || control[0] != EtfTag.SmallTuple || control[1] != 3 || control[2] != EtfTag.SmallInteger
            || control[3] is not (ControlTag.Send or ControlTag.SendSender)))
            return false;
        try
        {
            var reader = new EtfReader(control[4..], _decodeOptions, atomRefs);
            Processes.Process? target;
            Pid? to = null;
            if (regSend)
            {
                // {REG_SEND, From, Unused, ToName}
                reader.ReadPid(out _, out _, out _, out _);
                reader.ReadAtom();
                target = Node.Registry.Whereis(reader.ReadAtom());
            }
            else
            {
                if (control[3] == ControlTag.SendSender)
                    reader.ReadPid(out _, out _, out _, out _);
                else
                    reader.ReadAtom();
                reader.ReadPid(out var node, out var id, out var serial, out var creation);
                target = ReferenceEquals(node, Node.Name) && creation == Node.Creation ? Node.Processes.Lookup(id, serial) : null;
                if (MayBeTaggedReply(control[(4 + reader.Position)..], versioned))
                    to = new Pid(node, id, serial, creation);
            }
            var rest = control[(4 + reader.Position)..];
            // A generated server decodes the bytes itself, straight into its handler's type.
            if (to is null && target is Behaviours.GenServer { WantsRawMessages: true } && Processes.RawMessage.TryRent(rest, versioned, _decodeOptions, atomRefs) is { } raw)
            {
                target.EnqueueBatched(raw, _wake);
                return true;
            }
            Term payload;
            if (versioned)
            {
                payload = EtfCodec.Decode(rest, _decodeOptions);
            }
            else if (rest.Length > 0 && rest[0] != EtfTag.Compressed)
            {
                // The reader is already there: the payload follows the control message in the same span.
                payload = reader.ReadTerm();
                reader.EnsureAtEnd();
            }
            else
            {
                // Between Ergo.Gen nodes the payload may come compressed (see DistFlags.ErgoCompression).
                payload = EtfCodec.DecodeUnversioned(rest, _decodeOptions, atomRefs);
            }
            if (to is not null && Behaviours.PendingCall.TryCompleteFromMailbox(Node, to, payload))
                return true;
            target?.EnqueueBatched(payload, _wake);
            return true;
        }
        catch (EtfDecodeException e) when (e.ExceedsLimit)
        {
            DropOverLimit(e);
            return true;
        }
        catch (EtfDecodeException e)
        {
            throw new DistributionProtocolException($"malformed send: {e.Message}");
        }
    }

    // {[...], _}: the shape of a call reply sent to the caller's pid (see PendingCall.TryCompleteFromMailbox); only such
    // messages pay for the check.
    private static bool MayBeTaggedReply(ReadOnlySpan<byte> payload, bool versioned)
    {
        if (versioned)
            payload = payload.IsEmpty ? payload : payload[1..];
        return payload.Length >= 3 && payload[0] == EtfTag.SmallTuple && payload[1] == 2 && payload[2] == EtfTag.List;
    }

    /// <summary>Writes a message too large for one frame as fragments (the control message sits in the first).</summary>
    private void WriteFragments(IBufferWriter<byte> output, ReadOnlySpan<byte> body, DistAtomCacheWriter? atoms)
    {
        var sequence = (ulong)Interlocked.Increment(ref _sequence);
        var count = (ulong)((body.Length + FragmentSize - 1) / FragmentSize);
        for (var fragment = count; fragment >= 1; fragment--)
        {
            var chunk = body[..Math.Min(FragmentSize, body.Length)];
            body = body[chunk.Length..];
            var first = fragment == count;
            var cacheLength = first ? atoms?.HeaderLength ?? 1 : 0;
            var head = output.GetSpan(4 + 2 + 16);
            BinaryPrimitives.WriteUInt32BigEndian(head, (uint)(2 + 16 + cacheLength + chunk.Length));
            head[4] = EtfTag.Version;
            head[5] = first ? DistFragHeader : DistFragCont;
            BinaryPrimitives.WriteUInt64BigEndian(head[6..], sequence);
            BinaryPrimitives.WriteUInt64BigEndian(head[14..], fragment);
            output.Advance(4 + 2 + 16);
            if (first)
                WriteAtomCache(output, atoms);
            output.Write(chunk);
        }
    }

    /// <summary>A header's atom cache part: this message's references, or none without the cache.</summary>
    private static void WriteAtomCache(IBufferWriter<byte> output, DistAtomCacheWriter? atoms)
    {
        if (atoms is not null)
        {
            atoms.WriteHeader(output);
            return;
        }
        output.GetSpan(1)[0] = 0;
        output.Advance(1);
    }

    private void ReleaseFragments()
    {
        foreach (var (_, (data, _, _)) in _assembling)
            data.Dispose();
        _assembling.Clear();
    }
}
