using Ergo.Gen.Processes;

namespace Ergo.Gen.Tests;

/// <summary>
/// Queue nodes freed by a receiver on one thread come back to a sender on another: counted by the runtime per
/// thread (not timed), with a dedicated thread on each side so nothing else shares their pools, and alone in the
/// process, so no other test takes the chains of nodes parked between them.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class MailboxTests
{
    private const int Batch = 500;

    [Fact]
    public void A_sender_on_another_thread_than_its_receiver_allocates_no_queue_nodes_in_steady_state()
    {
        var mailbox = new Mailbox();
        var message = new object();
        using var sent = new SemaphoreSlim(0);
        using var drained = new SemaphoreSlim(0);
        long senderBytes = 0, receiverBytes = 0;
        var mismatches = 0;
        const int warmUp = 100, measured = 200;

        var sender = new Thread(() =>
        {
            long before = 0;
            for (var round = 0; round < warmUp + measured; round++)
            {
                if (round == warmUp)
                    before = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < Batch; i++)
                    mailbox.Enqueue(message, isMarked: (i & 1) == 0);
                sent.Release();
                drained.Wait();
            }
            senderBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        var receiver = new Thread(() =>
        {
            long before = 0;
            for (var round = 0; round < warmUp + measured; round++)
            {
                if (round == warmUp)
                    before = GC.GetAllocatedBytesForCurrentThread();
                sent.Wait();
                // Plain checks: xunit's asserts allocate, and this thread's allocations are measured.
                for (var i = 0; i < Batch; i++)
                {
                    if (!mailbox.TryDequeue(out var item, out var isCast) || item != message || isCast != ((i & 1) == 0))
                        mismatches++;
                }
                if (mailbox.TryDequeue(out _, out _))
                    mismatches++;
                drained.Release();
            }
            receiverBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        sender.Start();
        receiver.Start();
        Assert.True(sender.Join(TimeSpan.FromSeconds(60)) && receiver.Join(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, mismatches);

        // A node is 40 bytes: one allocated per message would be 40 bytes per message. Allow a trace, far below
        // one node per hundred.
        var perMessage = senderBytes / (double)(measured * Batch);
        Assert.True(perMessage < 0.4, $"sender allocated {perMessage:F2} bytes per message");
        Assert.True(receiverBytes / (double)(measured * Batch) < 0.4, $"receiver allocated {receiverBytes} bytes");
    }

    [Fact]
    public void Messages_come_out_in_the_order_they_went_in_across_threads()
    {
        var mailbox = new Mailbox();
        const int count = 200_000;
        var senders = Enumerable.Range(0, 2).Select(s => new Thread(() =>
        {
            for (var i = 0; i < count; i++)
                mailbox.Enqueue((s, i));
        })).ToArray();
        foreach (var t in senders)
            t.Start();
        var next = new int[2];
        var received = 0;
        var spins = new SpinWait();
        while (received < 2 * count)
        {
            if (!mailbox.TryDequeue(out var item, out _))
            {
                spins.SpinOnce();
                continue;
            }
            var (s, i) = ((int, int))item;
            Assert.Equal(next[s], i);
            next[s]++;
            received++;
        }
        foreach (var t in senders)
            Assert.True(t.Join(TimeSpan.FromSeconds(30)));
        Assert.False(mailbox.HasPending);
    }
}
