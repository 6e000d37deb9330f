using System.Diagnostics;

namespace Ergo.Gen.Timers;

/// <summary>
/// A hashed timing wheel: scheduling and cancelling are O(1) under one short lock, so every call can carry
/// a timeout without a System.Threading.Timer each. One background thread advances it and fires what is due
/// (firing only enqueues messages, so it never blocks). The thread sleeps until the next slot that holds a timer,
/// not tick by tick: an idle node does not wake hundreds of times a second. A timer due before that wakes it.
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
    // The tick the thread sleeps until (long.MaxValue: no timer, until one is scheduled); under _gate.
    private long _wakeAt = long.MaxValue;
    private volatile bool _disposed;
    private int _count;

    public TimerWheel(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Times the thread has woken to look at the wheel (for tests).</summary>
    public long Wakeups => Interlocked.Read(ref _wakeups);

    private long _wakeups;

    private long NowTicks => _clock.ElapsedTicks * 1000 / Stopwatch.Frequency / (long)Tick.TotalMilliseconds;

    public void Schedule(TimerEntry entry, TimeSpan delay)
    {
        lock (_gate)
        {
            if (entry.Slot >= 0)
                throw new InvalidOperationException("timer is already scheduled");
            entry.Generation++;
            // The first tick that starts at or after the due time: as in Erlang, a timer never fires early.
            var dueMs = _clock.Elapsed.TotalMilliseconds + Math.Max(0, delay.TotalMilliseconds);
            entry.Deadline = Math.Max((long)Math.Ceiling(dueMs / Tick.TotalMilliseconds), _currentTick + 1);
            var slot = (int)(entry.Deadline % Slots);
            entry.Slot = slot;
            entry.Next = _slots[slot];
            entry.Prev = null;
            if (entry.Next is not null)
                entry.Next.Prev = entry;
            _slots[slot] = entry;
            _count++;
            if (entry.Deadline < _wakeAt)
                Monitor.Pulse(_gate);
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
            lock (_gate)
            {
                SleepUntilNextTimer();
                _wakeups++;
                var now = NowTicks;
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

    /// <summary>Waits (releasing the lock) until the first tick after the last one walked whose slot holds a timer, or
    /// until a timer due sooner is scheduled; forever while the wheel is empty.</summary>
    private void SleepUntilNextTimer()
    {
        var next = long.MaxValue;
        if (_count > 0)
        {
            for (var t = _currentTick + 1; t <= _currentTick + Slots; t++)
            {
                if (_slots[(int)(t % Slots)] is not null)
                {
                    next = t;
                    break;
                }
            }
        }
        while (!_disposed)
        {
            var untilMs = Timeout.Infinite;
            if (next != long.MaxValue)
            {
                var left = next * Tick.TotalMilliseconds - _clock.Elapsed.TotalMilliseconds;
                if (left <= 0)
                    return;
                untilMs = (int)Math.Ceiling(left);
            }
            _wakeAt = next;
            var pulsed = Monitor.Wait(_gate, untilMs);
            _wakeAt = long.MaxValue;
            if (pulsed)
                return;
        }
    }

    public void Dispose()
    {
        _disposed = true;
        lock (_gate)
            Monitor.Pulse(_gate);
    }
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
