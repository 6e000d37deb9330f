using Ergo.Gen.Distribution.Protocol;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// <c>{'$gen_consumer', {Producer, Tag}, [Event...]}</c> written straight into the connection's frame: no list or
/// tuple is built for a batch of events to another node. The events are converted to terms before (a conversion
/// that throws must not leave half a frame behind), into a buffer this thread keeps.
/// </summary>
internal sealed class EventsPayload : DirectPayload
{
    [ThreadStatic] private static EventsPayload? t_spare;

    private Term[] _events = new Term[64];
    private int _count;
    private Pid? _producer;
    private Term? _tag;

    public static EventsPayload Rent(Pid producer, Term tag)
    {
        var payload = t_spare ?? new EventsPayload();
        t_spare = null;
        (payload._producer, payload._tag, payload._count) = (producer, tag, 0);
        return payload;
    }

    public void Add(Term @event)
    {
        if (_count == _events.Length)
            Array.Resize(ref _events, _events.Length * 2);
        _events[_count++] = @event;
    }

    /// <summary>The batch as a term, for when the connection cannot take it at once.</summary>
    public Term ToTerm() => StageProtocol.ToConsumer(_producer!, _tag!, new List(_events.AsSpan(0, _count).ToArray()));

    /// <summary>Back for the next batch on this thread, holding no event of this one.</summary>
    public void Return()
    {
        Array.Clear(_events, 0, _count);
        (_producer, _tag, _count) = (null, null, 0);
        t_spare = this;
    }

    public override void WriteTo(ref EtfWriter writer)
    {
        writer.WriteTupleHeader(3);
        writer.WriteAtom(StageProtocol.GenConsumer);
        writer.WriteTupleHeader(2);
        writer.WritePid(_producer!);
        writer.WriteTerm(_tag!);
        if (_count > 0)
        {
            writer.WriteListHeader(_count);
            for (var i = 0; i < _count; i++)
                writer.WriteTerm(_events[i]);
        }
        writer.WriteNil();
    }
}
