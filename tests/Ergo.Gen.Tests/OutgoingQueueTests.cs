using System.Buffers;
using System.Buffers.Binary;
using CommunityToolkit.HighPerformance.Buffers;
using Ergo.Gen.Distribution.Transport;
using Ergo.Gen.Distribution.Transport.Reactor;

namespace Ergo.Gen.Tests;

/// <summary>The hand-over between senders and a connection's write loop, without a socket in the way.</summary>
public sealed class OutgoingQueueTests
{
    // Each message is its number as four bytes, so what the write loop takes can be read back. Without
    // writers, a queue sees only its own direct writes.
    private static OutgoingQueue<int> NewQueue(Action? encoded = null, Func<long>? clock = null, DirectWriters? writers = null,
        Func<IWriteAfterRun, bool>? writeAfterRun = null, Func<IWriteAfterRun, bool>? holdDeferred = null) =>
        new((in int n, IBufferWriter<byte> output) =>
        {
            encoded?.Invoke();
            BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), n);
            output.Advance(4);
        }, clock, writers, writeAfterRun, holdDeferred);

    // Opens the queue with its direct writes recorded, one list of numbers per write; the write loop then finds
    // nothing and waits (the task returned).
    private static ValueTask<bool> OpenRecording(OutgoingQueue<int> q, List<List<int>> writes)
    {
        q.Open();
        q.EnableDirectWrites(bytes => { writes.Add(Numbers(bytes)); return bytes.Length; });
        Assert.False(q.TryTake(out _, out _));
        return q.WaitAsync(CancellationToken.None);
    }

    private static List<int> Numbers(ReadOnlySpan<byte> bytes)
    {
        var numbers = new List<int>();
        for (var at = 0; at + 4 <= bytes.Length; at += 4)
            numbers.Add(BinaryPrimitives.ReadInt32BigEndian(bytes[at..]));
        return numbers;
    }

    [Fact]
    public async Task A_message_that_finds_the_loop_idle_after_a_quiet_spell_is_written_by_its_sender_and_close_ones_are_batched()
    {
        long now = 0;
        var q = NewQueue(clock: () => now);
        var writes = new List<List<int>>();
        var wait = OpenRecording(q, writes);

        q.Add(1);
        Assert.Equal([[1]], writes);
        Assert.False(wait.IsCompleted);

        // Right after a write: the loop's, batched.
        q.Add(2);
        q.Add(3);
        Assert.True(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(q.TryTake(out var batch, out var offset));
        Assert.Equal(0, offset);
        Assert.Equal([2, 3], Numbers(batch));
        q.Release(batch);
        Assert.False(q.TryTake(out _, out _));

        // Quiet again: the sender writes.
        now += OutgoingQueue<int>.DirectGap;
        q.Add(4);
        Assert.Equal([[1], [4]], writes);
        Assert.False(q.TryTake(out _, out _));
    }

    [Fact]
    public async Task A_deferred_message_goes_in_one_write_with_the_next_send_or_when_its_flush_comes()
    {
        long now = 0;
        var q = NewQueue(clock: () => now);
        var writes = new List<List<int>>();
        var wait = OpenRecording(q, writes);

        // The loop idle: the first deferred message asks for a flush, the next does not ask again; neither is written.
        Assert.True(q.AddDeferred(1));
        Assert.False(q.AddDeferred(2));
        Assert.Empty(writes);
        Assert.False(wait.IsCompleted);

        // The next send carries them, in one write.
        q.Add(3);
        Assert.Equal([[1, 2, 3]], writes);

        // Nothing follows: the flush hands it to the loop.
        now += OutgoingQueue<int>.DirectGap;
        q.FlushDeferred();
        Assert.True(q.AddDeferred(4));
        Assert.False(wait.IsCompleted);
        q.FlushDeferred();
        Assert.True(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(q.TryTake(out var batch, out _));
        Assert.Equal([4], Numbers(batch));
        Assert.Single(writes);
    }

    [Fact]
    public async Task The_first_message_after_the_connection_read_something_is_written_by_its_sender_however_soon_after_the_last_write()
    {
        long now = 0;
        var q = NewQueue(clock: () => now, writers: new DirectWriters());
        var writes = new List<List<int>>();
        var wait = OpenRecording(q, writes);

        // A reply, then the peer's next request at once (within the gap of that write, by the thread that made it):
        // the next reply is written by its sender all the same.
        q.Add(1);
        q.Received();
        q.Add(2);
        Assert.Equal([[1], [2]], writes);
        Assert.False(wait.IsCompleted);

        // Only the first: a second message before anything else comes in is batched as before.
        q.Add(3);
        Assert.True(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(q.TryTake(out var batch, out _));
        Assert.Equal([3], Numbers(batch));
        Assert.Equal([[1], [2]], writes);
    }

    [Fact]
    public async Task On_a_reactor_thread_messages_soon_after_a_write_wait_for_the_end_of_the_batch_and_go_in_one_write()
    {
        long now = 0;
        var putOff = new List<IWriteAfterRun>();
        var q = NewQueue(clock: () => now, writers: new DirectWriters(), writeAfterRun: queue => { putOff.Add(queue); return true; });
        var writes = new List<List<int>>();
        var wait = OpenRecording(q, writes);

        q.Add(1);
        q.Add(2);
        q.Add(3);
        Assert.Equal([[1]], writes);
        Assert.Equal([q], putOff);
        q.WriteAfterRun();
        Assert.Equal([[1], [2, 3]], writes);
        Assert.False(wait.IsCompleted);

        // A deferred message needs no flush of its own there: the loop writes it at the end of the batch.
        putOff.Clear();
        Assert.False(q.AddDeferred(6));
        Assert.Equal([q], putOff);
        q.WriteAfterRun();
        Assert.Equal([[1], [2, 3], [6]], writes);
        Assert.False(wait.IsCompleted);

        // A sender that keeps going is not held to the batch's end: past a batch's worth, the write loop takes over.
        putOff.Clear();
        q.Add(4);
        Assert.Equal([q], putOff);
        for (var i = 0; i < OutgoingQueue<int>.BatchBytes / 4; i++)
            q.Add(5);
        Assert.True(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        q.WriteAfterRun();
        Assert.Equal(3, writes.Count);
        Assert.True(q.TryTake(out var batch, out _));
        Assert.Equal(4, Numbers(batch)[0]);
        Assert.Equal(1 + OutgoingQueue<int>.BatchBytes / 4, Numbers(batch).Count);
    }

    [Fact]
    public void On_a_reactor_thread_a_held_demonitor_goes_with_the_next_message_or_is_flushed_by_the_loop()
    {
        var held = new List<IWriteAfterRun>();
        var q = NewQueue(clock: () => 0, writers: new DirectWriters(), holdDeferred: queue => { held.Add(queue); return true; });
        var writes = new List<List<int>>();
        var wait = OpenRecording(q, writes);

        // Held, not written and no flush asked for: the next message carries it.
        Assert.False(q.AddDeferred(7, hold: true));
        Assert.Equal([q], held);
        Assert.True(q.IsHeld);
        Assert.Empty(writes);
        q.Add(8);
        Assert.Equal([[7, 8]], writes);
        Assert.False(q.IsHeld);
        // The loop's flush at the hold's end finds it gone.
        q.FlushHeld();
        Assert.Equal([[7, 8]], writes);

        // Another deferred message while one is held goes with it, under the same hold; when nothing follows, the
        // loop writes them itself.
        held.Clear();
        Assert.False(q.AddDeferred(9, hold: true));
        Assert.False(q.AddDeferred(10, hold: true));
        Assert.Equal([q], held);
        q.FlushHeld();
        Assert.Equal([[7, 8], [9, 10]], writes);
        Assert.False(q.IsHeld);
        Assert.False(wait.IsCompleted);
    }

    [Fact]
    public void A_deferred_message_that_no_loop_holds_asks_for_a_flush_as_before()
    {
        var q = NewQueue(clock: () => 0, writers: new DirectWriters(), holdDeferred: _ => false);
        var writes = new List<List<int>>();
        _ = OpenRecording(q, writes);

        Assert.True(q.AddDeferred(7, hold: true));
        Assert.False(q.IsHeld);
        // Until that flush, further deferred messages wait with it.
        Assert.False(q.AddDeferred(8, hold: true));
        Assert.Empty(writes);
    }

    [Fact]
    public async Task Without_direct_writes_what_a_reactor_thread_put_off_goes_to_the_write_loop_at_the_end_of_the_batch()
    {
        // As on a TLS connection: no direct writes, so the write loop writes everything.
        var putOff = new List<IWriteAfterRun>();
        var q = NewQueue(clock: () => 0, writers: new DirectWriters(), writeAfterRun: queue => { putOff.Add(queue); return true; });
        q.Open();
        Assert.False(q.TryTake(out _, out _));
        var wait = q.WaitAsync(CancellationToken.None);

        Assert.False(q.AddDeferred(1));
        Assert.Equal([q], putOff);
        Assert.False(wait.IsCompleted);
        q.WriteAfterRun();
        Assert.True(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(q.TryTake(out var batch, out _));
        Assert.Equal([1], Numbers(batch));
    }

    [Fact]
    public void A_message_big_enough_for_a_write_of_its_own_is_written_by_its_sender_right_after_another_write()
    {
        // Each message is as many bytes as its number.
        var q = new OutgoingQueue<int>((in int size, IBufferWriter<byte> output) =>
        {
            output.GetSpan(size)[..size].Fill(1);
            output.Advance(size);
        }, clock: () => 0);
        var writes = new List<int>();
        q.Open();
        q.EnableDirectWrites(bytes => { writes.Add(bytes.Length); return bytes.Length; });
        Assert.False(q.TryTake(out _, out _));
        q.Add(100);
        q.Add(OutgoingQueue<int>.DirectWorthBytes);
        Assert.Equal([100, OutgoingQueue<int>.DirectWorthBytes], writes);
        // A small one that soon after is the loop's.
        q.Add(100);
        Assert.Equal(2, writes.Count);
        Assert.True(q.TryTake(out var batch, out _));
        Assert.Equal(100, batch.WrittenCount);
    }

    [Fact]
    public async Task A_thread_that_just_wrote_to_one_connection_leaves_its_small_messages_to_the_others_to_their_loops()
    {
        long now = 0;
        var writers = new DirectWriters();
        var queues = Enumerable.Range(0, 3).Select(_ => NewQueue(clock: () => now, writers: writers)).ToArray();
        var direct = new List<(int Queue, int Message)>();
        var waits = new ValueTask<bool>[queues.Length];
        for (var i = 0; i < queues.Length; i++)
        {
            var queue = i;
            queues[i].Open();
            queues[i].EnableDirectWrites(bytes => { direct.AddRange(Numbers(bytes).Select(n => (queue, n))); return bytes.Length; });
            Assert.False(queues[i].TryTake(out _, out _));
            waits[i] = queues[i].WaitAsync(CancellationToken.None);
        }

        // One message to each connection in turn, as a broadcast sends: only the first is written by the sender.
        for (var i = 0; i < queues.Length; i++)
            queues[i].Add(10 + i);
        Assert.Equal([(0, 10)], direct);
        for (var i = 1; i < queues.Length; i++)
        {
            Assert.True(await waits[i].AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.True(queues[i].TryTake(out var batch, out _));
            Assert.Equal([10 + i], Numbers(batch));
            queues[i].Release(batch);
            Assert.False(queues[i].TryTake(out _, out _));
        }

        // A quiet spell later the thread writes itself again.
        now += OutgoingQueue<int>.DirectGap;
        queues[2].Add(20);
        Assert.Equal([(0, 10), (2, 20)], direct);
    }

    [Fact]
    public async Task What_a_direct_write_could_not_send_is_written_by_the_loop_first()
    {
        var q = NewQueue();
        var taken = 0;
        q.Open();
        q.EnableDirectWrites(bytes => taken = 2);
        Assert.False(q.TryTake(out _, out _));
        var wait = q.WaitAsync(CancellationToken.None);
        q.Add(0x01020304);
        Assert.Equal(2, taken);
        Assert.True(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        q.Add(5);
        Assert.True(q.TryTake(out var rest, out var offset));
        Assert.Equal(2, offset);
        Assert.Equal(new byte[] { 3, 4 }, rest.WrittenSpan[offset..].ToArray());
        q.Release(rest);
        Assert.True(q.TryTake(out var next, out _));
        Assert.Equal([5], Numbers(next));
    }

    private static List<int> Numbers(ArrayPoolBufferWriter<byte> batch)
    {
        var numbers = new List<int>();
        for (var at = 0; at < batch.WrittenCount; at += 4)
            numbers.Add(BinaryPrimitives.ReadInt32BigEndian(batch.WrittenSpan[at..]));
        return numbers;
    }

    [Fact]
    public void Messages_before_the_handshake_go_first_and_in_order()
    {
        var q = NewQueue();
        q.Add(1);
        q.Add(2);
        q.Open();
        q.Add(3);
        Assert.True(q.TryTake(out var batch, out _));
        // 1 and 2 waited unencoded; 3 queued behind them rather than jumping ahead.
        Assert.Equal([1, 2, 3], Numbers(batch));
    }

    [Fact]
    public async Task A_message_added_after_the_loop_found_nothing_wakes_it_and_is_not_in_the_batch_being_written()
    {
        var q = NewQueue();
        q.Open();
        Assert.False(q.TryTake(out _, out _));
        var wait = q.WaitAsync(CancellationToken.None);
        Assert.False(wait.IsCompleted);
        q.Add(7);
        Assert.True(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));

        Assert.True(q.TryTake(out var writing, out _));
        // While the loop writes, senders fill the other buffer; the batch in hand does not change.
        q.Add(8);
        Assert.Equal([7], Numbers(writing));
        q.Release(writing);
        Assert.True(q.TryTake(out var next, out _));
        Assert.Equal([8], Numbers(next));
        q.Release(next);
        Assert.False(q.TryTake(out _, out _));
    }

    [Fact]
    public void Beyond_the_byte_limit_messages_wait_unencoded_and_keep_their_order()
    {
        var encoded = 0;
        var q = NewQueue(() => encoded++);
        q.Open();
        var total = OutgoingQueue<int>.MaxQueuedBytes / 4 + 100_000;
        for (var i = 0; i < total; i++)
            q.Add(i);
        Assert.Equal(OutgoingQueue<int>.MaxQueuedBytes / 4, encoded);

        var seen = new List<int>();
        while (q.TryTake(out var batch, out _))
        {
            seen.AddRange(Numbers(batch));
            q.Release(batch);
        }
        Assert.Equal(Enumerable.Range(0, total), seen);
        Assert.True(q.BacklogCapacity <= 4096, $"the drained backlog kept room for {q.BacklogCapacity}");
    }

    [Fact]
    public void After_close_messages_are_dropped_and_nothing_throws()
    {
        var q = NewQueue();
        q.Open();
        q.Add(1);
        q.Close();
        q.Add(2);
        q.Close();
    }

    [Fact]
    public async Task Concurrent_senders_lose_and_reorder_nothing_while_the_loop_drains_idles_and_wakes()
    {
        const int senders = 4, perSender = 200_000;
        var q = new OutgoingQueue<(int Sender, int Seq)>((in (int Sender, int Seq) m, IBufferWriter<byte> output) =>
        {
            var span = output.GetSpan(8);
            BinaryPrimitives.WriteInt32BigEndian(span, m.Sender);
            BinaryPrimitives.WriteInt32BigEndian(span[4..], m.Seq);
            output.Advance(8);
        });
        q.Open();
        var next = new int[senders];
        var received = 0;
        var loop = Task.Run(async () =>
        {
            while (received < senders * perSender)
            {
                if (!q.TryTake(out var batch, out _))
                {
                    await q.WaitAsync(CancellationToken.None);
                    continue;
                }
                for (var at = 0; at < batch.WrittenCount; at += 8)
                {
                    var sender = BinaryPrimitives.ReadInt32BigEndian(batch.WrittenSpan[at..]);
                    var seq = BinaryPrimitives.ReadInt32BigEndian(batch.WrittenSpan[(at + 4)..]);
                    Assert.Equal(next[sender], seq);
                    next[sender]++;
                    received++;
                }
                q.Release(batch);
            }
        });
        var sending = Enumerable.Range(0, senders).Select(s => Task.Run(() =>
        {
            for (var i = 0; i < perSender; i++)
            {
                q.Add((s, i));
                // Pauses let the loop catch up and go idle, so adds race with it finding nothing.
                if (i % 64 == 0)
                    Thread.Yield();
            }
        })).ToArray();
        await Task.WhenAll(sending).WaitAsync(TimeSpan.FromSeconds(60));
        await loop.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(next, n => Assert.Equal(perSender, n));
    }
}
