using System.Collections.Concurrent;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Processes;

/// <summary>
/// Live processes by pid number: chunked arrays, so a lookup is two indexings and a spawn takes no lock in
/// the common case. Numbers are reused oldest-first with a new serial, as Erlang does, so a stale pid never
/// reaches a new process.
/// </summary>
internal sealed class ProcessTable
{
    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;
    // Erlang pids carry 28 significant bits of number; staying inside them keeps every peer happy.
    private const uint MaxNumber = (1u << 28) - 1;

    private readonly Process?[]?[] _chunks = new Process?[]?[(MaxNumber >> ChunkBits) + 1];
    private readonly uint[]?[] _serials = new uint[]?[(MaxNumber >> ChunkBits) + 1];
    private readonly ConcurrentQueue<uint> _free = new();
    private readonly object _grow = new();
    private int _next = 0;
    private int _count;
    // ConcurrentQueue.Count is not cheap; spawns read this one instead.
    private int _freeCount;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Reserves a number and the serial that goes with it.</summary>
    public (uint Number, uint Serial) Reserve()
    {
        uint number;
        // Reuse only once enough numbers are free that a just-freed one is not handed out again at once.
        if (Volatile.Read(ref _freeCount) > 1024 && _free.TryDequeue(out var reused))
        {
            Interlocked.Decrement(ref _freeCount);
            number = reused;
        }
        else
        {
            var n = Interlocked.Increment(ref _next);
            if ((uint)n > MaxNumber)
            {
                if (!_free.TryDequeue(out number))
                    throw new InvalidOperationException("process table is full");
                Interlocked.Decrement(ref _freeCount);
            }
            else
            {
                number = (uint)n;
            }
        }
        EnsureChunk(number);
        return (number, _serials[number >> ChunkBits]![number & (ChunkSize - 1)]);
    }

    public void Insert(uint number, Process process)
    {
        Volatile.Write(ref _chunks[number >> ChunkBits]![number & (ChunkSize - 1)], process);
        Interlocked.Increment(ref _count);
    }

    public Process? Lookup(Pid pid) => Lookup(pid.Id, pid.Serial);

    public Process? Lookup(uint number, uint serial)
    {
        if (number > MaxNumber)
            return null;
        var chunk = Volatile.Read(ref _chunks[number >> ChunkBits]);
        var process = chunk is null ? null : Volatile.Read(ref chunk[number & (ChunkSize - 1)]);
        return process is not null && process.Self.Serial == serial ? process : null;
    }

    public void Remove(Process process)
    {
        var number = process.Self.Id;
        ref var slot = ref _chunks[number >> ChunkBits]![number & (ChunkSize - 1)];
        if (Interlocked.CompareExchange(ref slot, null, process) != process)
            return;
        _serials[number >> ChunkBits]![number & (ChunkSize - 1)]++;
        Interlocked.Decrement(ref _count);
        _free.Enqueue(number);
        Interlocked.Increment(ref _freeCount);
    }

    /// <summary>A snapshot of the live processes.</summary>
    public List<Process> Snapshot()
    {
        var all = new List<Process>(Count);
        foreach (var chunk in _chunks)
        {
            if (chunk is null)
                continue;
            foreach (var p in chunk)
            {
                if (p is not null)
                    all.Add(p);
            }
        }
        return all;
    }

    private void EnsureChunk(uint number)
    {
        var index = number >> ChunkBits;
        if (Volatile.Read(ref _chunks[index]) is not null)
            return;
        lock (_grow)
        {
            if (_chunks[index] is not null)
                return;
            _serials[index] = new uint[ChunkSize];
            Volatile.Write(ref _chunks[index], new Process?[ChunkSize]);
        }
    }
}
