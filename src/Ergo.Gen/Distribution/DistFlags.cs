namespace Ergo.Gen.Distribution;

/// <summary>Distribution capability flags (erl_dist_protocol; checked against OTP's dist_util.erl).</summary>
[Flags]
public enum DistFlags : ulong
{
    Published = 0x1,
    AtomCache = 0x2,
    ExtendedReferences = 0x4,
    DistMonitor = 0x8,
    FunTags = 0x10,
    DistMonitorName = 0x20,
    HiddenAtomCache = 0x40,
    NewFunTags = 0x80,
    ExtendedPidsPorts = 0x100,
    ExportPtrTag = 0x200,
    BitBinaries = 0x400,
    NewFloats = 0x800,
    UnicodeIo = 0x1000,
    DistHdrAtomCache = 0x2000,
    SmallAtomTags = 0x4000,
    Utf8Atoms = 0x10000,
    MapTag = 0x20000,
    BigCreation = 0x40000,
    SendSender = 0x80000,
    BigSeqtraceLabels = 0x100000,
    ExitPayload = 0x400000,
    Fragments = 0x800000,
    Handshake23 = 0x1000000,
    UnlinkId = 0x2000000,
    // Bit 26, not 1 << 36 as some documents say (that is LOCAL_EXT).
    Mandatory25Digest = 0x4000000,
    Spawn = 1UL << 32,
    NameMe = 1UL << 33,
    V4NC = 1UL << 34,
    Alias = 1UL << 35,

    /// <summary>Ours, not Erlang's: the peer (an Ergo.Gen node) reads payloads in ETF's compressed form inside the
    /// distribution header. Erlang ignores flags it does not know and cannot read that form there, so messages to
    /// Erlang nodes are never compressed.</summary>
    ErgoCompression = 1UL << 63,

    /// <summary>Ours too: the peer reads a W3C traceparent as the trace token of SEND_TT / REG_SEND_TT, so a call's
    /// span continues on the node that handles it. Never sent to Erlang nodes (they would take it for seq_trace).</summary>
    ErgoTraceContext = 1UL << 62,
}

internal static class DistFlagSets
{
    /// <summary>What OTP 25 refuses to connect without.</summary>
    public const DistFlags Mandatory25 = DistFlags.ExtendedReferences | DistFlags.FunTags | DistFlags.NewFunTags
        | DistFlags.ExtendedPidsPorts | DistFlags.ExportPtrTag | DistFlags.BitBinaries | DistFlags.NewFloats
        | DistFlags.Utf8Atoms | DistFlags.MapTag | DistFlags.BigCreation | DistFlags.Handshake23;

    /// <summary>OTP 26 and later add the new link protocol and 64-bit pid/port numbers.</summary>
    public const DistFlags Mandatory26 = Mandatory25 | DistFlags.UnlinkId | DistFlags.V4NC;

    /// <summary>What we need from a peer: the OTP 25 set (an OTP 25 peer may leave out the OTP 26 additions).</summary>
    public const DistFlags Required = Mandatory25;

    /// <summary>Everything we implement and offer.</summary>
    public const DistFlags Offered = Mandatory26 | DistFlags.Mandatory25Digest | DistFlags.DistMonitor | DistFlags.DistMonitorName
        | DistFlags.UnicodeIo | DistFlags.SmallAtomTags | DistFlags.SendSender | DistFlags.BigSeqtraceLabels
        | DistFlags.ExitPayload | DistFlags.Spawn | DistFlags.Alias | DistFlags.Fragments | DistFlags.ErgoCompression | DistFlags.ErgoTraceContext;

    /// <summary>A peer may send the single MANDATORY_25_DIGEST bit for the whole OTP 25 set.</summary>
    public static DistFlags Expand(DistFlags flags) =>
        (flags & DistFlags.Mandatory25Digest) != 0 ? flags | Mandatory25 : flags;
}
