namespace Ergo.Gen.Etf;

/// <summary>
/// The pids read lately, one per slot: a process that calls or sends to this node again and again is read as the
/// same <see cref="Pid"/> each time, not as a new object per message. Pids never change, so sharing one is safe;
/// a slot simply holds whichever pid hashed to it last.
/// </summary>
internal static class PidCache
{
    private const int Slots = 4096;
    private static readonly Pid?[] s_slots = new Pid?[Slots];

    public static Pid Get(Atom node, uint id, uint serial, uint creation)
    {
        var index = (int)((id * 0x9E3779B1u ^ serial * 0x85EBCA77u ^ creation ^ (uint)node.Hash) & (Slots - 1));
        var cached = Volatile.Read(ref s_slots[index]);
        if (cached is not null && cached.Id == id && cached.Serial == serial && cached.Creation == creation && ReferenceEquals(cached.Node, node))
            return cached;
        var pid = new Pid(node, id, serial, creation);
        Volatile.Write(ref s_slots[index], pid);
        return pid;
    }
}
