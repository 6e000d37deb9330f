using System.Diagnostics;

namespace Ergo.Gen.Timers;

/// <summary>
/// A hashed timing wheel: scheduling and cancelling are O(1) under one short lock, so every call can carry
/// a timeout without a System.Threading.Timer each. One background thread advances it every tick and fires
/// what is due (firing only enqueues messages, so it never blocks).
/// </summary>
internal sealed class TimerWheel : IDisposable
{
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(2);
    private const int Slots = 1024;

    private readonly TimerEntry?[] _slots = new TimerEntry?[Slots];
    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Thread _thread;
    private long _currentTick;
    private volatile bool _disposed;
    private int _count;

    public TimerWheel(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public int Count => Volatile.Read(ref _count);

    private long NowTicks => _clock.ElapsedTicks * 1000 / Stopwatch.Frequency / (long)Tick.TotalMilliseconds;

    public void Schedule(TimerEntry entry, TimeSpan delay)
    {
        var ticks = Math.Max(1, (long)Math.Ceiling(delay.TotalMilliseconds / Tick.TotalMilliseconds));
        lock (_gate)
        {
            if (entry.Slot >= 0)
                throw new InvalidOperationException("timer is already scheduled");
            entry.Generation++;
            entry.Deadline = Math.Max(NowTicks, _currentTick) + ticks;
            var slot = (int)(entry.Deadline % Slots);
            entry.Slot = slot;
            entry.Next = _slots[slot];
            entry.Prev = null;
            if (entry.Next is not null)
                entry.Next.Prev = entry;
            _slots[slot] = entry;
            _count++;
        }
    }

    /// <summary>True if the timer was pending and will now never fire.</summary>
    public bool Cancel(TimerEntry entry)
    {
        lock (_gate)
        {
            if (entry.Slot < 0)
                return false;
            Unlink(entry);
            return true;
        }
    }

    private void Unlink(TimerEntry entry)
    {
        if (entry.Prev is not null)
            entry.Prev.Next = entry.Next;
        else
            _slots[entry.Slot] = entry.Next;
        if (entry.Next is not null)
            entry.Next.Prev = entry.Prev;
        entry.Prev = entry.Next = null;
        entry.Slot = -1;
        _count--;
    }

    private void Loop()
    {
        var due = new List<(TimerEntry Entry, int Generation)>();
        while (!_disposed)
        {
            Thread.Sleep(Tick);
            var now = NowTicks;
            lock (_gate)
            {
                // Walk every slot passed since the last tick; entries a full turn or more away stay put.
                for (var t = _currentTick + 1; t <= now && t <= _currentTick + Slots; t++)
                {
                    var slot = (int)(t % Slots);
                    for (var e = _slots[slot]; e is not null;)
                    {
                        var next = e.Next;
                        if (e.Deadline <= now)
                        {
                            due.Add((e, e.Generation));
                            Unlink(e);
                        }
                        e = next;
                    }
                }
                _currentTick = now;
            }
            foreach (var (e, generation) in due)
            {
                try
                {
                    e.Fire(generation);
                }
                catch
                {
                    // A timer's action only enqueues; a failure there must not stop every other timer.
                }
            }
            due.Clear();
        }
    }

    public void Dispose() => _disposed = true;
}

/// <summary>Something the wheel fires once, unless cancelled first.</summary>
internal abstract class TimerEntry
{
    internal TimerEntry? Prev, Next;
    internal long Deadline;
    internal int Slot = -1;

    /// <summary>Counts schedulings, so an entry reused after it was taken for firing can tell a stale firing apart.</summary>
    internal int Generation;

    public abstract void Fire(int generation);
}
