using Ergo.Gen.Observability;
using Microsoft.Extensions.Time.Testing;

namespace Ergo.Gen.Tests;

public sealed class PeerLogLimitTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void One_peer_gets_a_few_lines_a_window_then_one_line_that_counts_the_rest()
    {
        var limit = new PeerLogLimit(linesPerWindow: 5, window: TimeSpan.FromMinutes(1), time: _clock);
        var written = Enumerable.Range(0, 1_000_000).Count(i => limit.Allow("10.0.0.1", out _));
        Assert.Equal(5, written);

        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(limit.Allow("10.0.0.1", out _));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limit.Allow("10.0.0.1", out var more));
        Assert.Equal(" (999996 more from this peer since, not logged)", more);
        Assert.True(limit.Allow("10.0.0.1", out more));
        Assert.Equal("", more);
    }

    [Fact]
    public void A_noisy_peer_does_not_use_up_another_peers_lines()
    {
        var limit = new PeerLogLimit(linesPerWindow: 3, time: _clock);
        for (var i = 0; i < 100; i++)
            limit.Allow("noisy", out _);
        Assert.True(limit.Allow("quiet", out var more));
        Assert.Equal("", more);
    }

    [Fact]
    public void Memory_is_bounded_however_many_peers_there_are()
    {
        var limit = new PeerLogLimit(linesPerWindow: 1, maxPeers: 100, time: _clock);
        var written = 0;
        for (var i = 0; i < 100_000; i++)
            written += limit.Allow($"peer{i}", out _) ? 1 : 0;
        Assert.InRange(limit.Tracked, 1, 101);
        // The first hundred have their own line; every peer after them shares one.
        Assert.Equal(101, written);

        // Once a window has passed, quiet peers are forgotten and new ones get their own budget again.
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(limit.Allow("late", out _));
        Assert.True(limit.Allow("later", out _));
    }
}
