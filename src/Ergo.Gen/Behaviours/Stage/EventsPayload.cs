using Ergo.Gen.Distribution.Protocol;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// <c>{'$gen_consumer', {Producer, Tag}, [Event...]}</c> written straight into the connection's frame: no list or
/// tuple is built for a batch of events to another node, and typed events are written by their generated writer
/// with no term per event. A stage without a writer converts its events to terms first (a conversion that throws
/// must not leave half a frame behind); they then travel as <c>EventsPayload&lt;Term&gt;</c>.
/// </summary>
internal sealed class EventsPayload<T> : DirectPayload
{
    [ThreadStatic] private static EventsPayload<T>? t_spare;

    private T[] _events = new T[64];
    private int _count;
    private Pid? _producer;
    private Term? _tag;
    private TermWriter<T>? _write;

    public static EventsPayload<T> Rent(Pid producer, Term tag, TermWriter<T> write)
    {
        var payload = t_spare ?? new EventsPayload<T>();
        t_spare = null;
        (payload._producer, payload._tag, payload._write, payload._count) = (producer, tag, write, 0);
        return payload;
    }

    public void Add(T @event)
    {
        if (_count == _events.Length)
            Array.Resize(ref _events, _events.Length * 2);
        _events[_count++] = @event;
    }

    public void Add(ReadOnlySpan<T> events)
    {
        if (_count + events.Length > _events.Length)
            Array.Resize(ref _events, Math.Max(_events.Length * 2, _count + events.Length));
        events.CopyTo(_events.AsSpan(_count));
        _count += events.Length;
    }

    /// <summary>The batch as a term, for when the connection cannot take it at once.</summary>
    public Term ToTerm(Func<T, Term> toTerm)
    {
        var terms = new Term[_count];
        for (var i = 0; i < _count; i++)
            terms[i] = toTerm(_events[i]);
        return StageProtocol.ToConsumer(_producer!, _tag!, new List(terms));
    }

    /// <summary>Back for the next batch on this thread, holding no event of this one.</summary>
    public void Return()
    {
        if (System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>())
            Array.Clear(_events, 0, _count);
        (_producer, _tag, _write, _count) = (null, null, null, 0);
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
                _write!(ref writer, _events[i]);
        }
        writer.WriteNil();
    }
}
