using Ergo.Gen.Distribution.Transport;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Distribution.Protocol;

/// <summary>
/// A message written straight into a connection's frame by its own writer, with no term tree. It is encoded while
/// it is being queued (<see cref="OutgoingQueue{T}.TryAddNow"/>) and never kept, so one instance per thread serves.
/// </summary>
internal abstract class DirectPayload
{
    public abstract void WriteTo(ref EtfWriter writer);

    /// <summary>The alias an ALIAS_SEND goes to, for a payload sent to one.</summary>
    public virtual void WriteAlias(ref EtfWriter writer) => throw new InvalidOperationException("this payload goes to a pid");
}

/// <summary>A gen_server reply, <c>{Tag, Reply}</c>, with the reply written by its generated writer.</summary>
internal sealed class ReplyPayload<T> : DirectPayload
{
    [ThreadStatic] private static ReplyPayload<T>? t_spare;

    private Behaviours.ReplyTag _tag;
    private T? _value;
    private TermWriter<T>? _write;

    public static ReplyPayload<T> Rent(in Behaviours.ReplyTag tag, T value, TermWriter<T> write)
    {
        var payload = t_spare ?? new ReplyPayload<T>();
        t_spare = null;
        (payload._tag, payload._value, payload._write) = (tag, value, write);
        return payload;
    }

    /// <summary>Back for the next reply on this thread, holding nothing of this one.</summary>
    public void Return()
    {
        (_tag, _value, _write) = (default, default, null);
        t_spare = this;
    }

    public override void WriteTo(ref EtfWriter writer)
    {
        writer.WriteTupleHeader(2);
        _tag.WriteTo(ref writer);
        _write!(ref writer, _value!);
    }

    public override void WriteAlias(ref EtfWriter writer) => _tag.WriteAlias(ref writer);
}
