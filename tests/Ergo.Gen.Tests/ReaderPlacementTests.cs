using Ergo.Gen.Distribution.Transport;

namespace Ergo.Gen.Tests;

/// <summary>When a connection's read loop moves to a thread of its own and back (windows of 100 ms of traffic).</summary>
public sealed class ReaderPlacementTests
{
    private static void NextWindow() => Thread.Sleep(120);

    [Fact]
    public void A_streaming_window_moves_the_reader_and_three_quiet_ones_bring_it_back()
    {
        var slots = new ReaderPlacement.Slots(1);
        var placement = new ReaderPlacement(always: false, slots);
        Assert.False(placement.ShouldMove(5_000, 0)); // not yet a stream's worth, and the window is still open
        Assert.True(placement.ShouldMove(50_000, 0)); // a stream's worth within the window: no need to wait for its end
        Assert.Equal(1, slots.Taken);
        placement.MoveToOwnThread(null!, "test"); // the awaitable is made, not awaited
        Assert.True(placement.OnOwnThread);

        long frames = 50_000, sent = 0;
        NextWindow();
        Assert.False(placement.ShouldMove(frames + 100_000, 0)); // frames that took longer than a window are no stream
        frames += 100_000;
        for (var quiet = 2; quiet <= 3; quiet++)
        {
            NextWindow();
            // As many frames out as in: request/response, not a stream.
            frames += 20_000;
            sent += 20_000;
            Assert.Equal(quiet == 3, placement.ShouldMove(frames, sent));
        }
    }

    [Fact]
    public void No_move_when_the_node_has_no_reader_thread_to_lend_and_a_released_one_is_lent_again()
    {
        var slots = new ReaderPlacement.Slots(1);
        var first = new ReaderPlacement(always: false, slots);
        var second = new ReaderPlacement(always: false, slots);
        Assert.True(first.ShouldMove(50_000, 0));
        first.MoveToOwnThread(null!, "test");
        Assert.False(second.ShouldMove(50_000, 0));

        first.Release(); // its connection ended
        Assert.Equal(0, slots.Taken);
        Assert.True(second.ShouldMove(100_000, 0));
    }

    [Fact]
    public void Always_moves_at_once_without_a_slot_and_never_back()
    {
        var slots = new ReaderPlacement.Slots(0);
        var placement = new ReaderPlacement(always: true, slots);
        Assert.True(placement.ShouldMove(0, 0));
        placement.MoveToOwnThread(null!, "test");
        NextWindow();
        Assert.False(placement.ShouldMove(10, 10));
        Assert.Equal(0, slots.Taken);
    }
}
