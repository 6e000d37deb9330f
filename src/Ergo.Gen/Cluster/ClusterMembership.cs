using Ergo.Gen.Etf;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Cluster;

/// <summary>
/// The members a node keeps itself connected to (see <see cref="ClusterOptions"/>), and the events of their
/// changes. One loop per node: it wakes at each poll, and at once when a member's connection goes down.
/// </summary>
public sealed class ClusterMembership : IAsyncDisposable
{
    private sealed class Member
    {
        public bool Up;
        public TimeSpan Backoff;
        public DateTime NextTry;

        /// <summary>Records the member as connected or not, retrying at once and from the shortest wait once it is
        /// lost; true when that is a change (a Joined or Lost to raise).</summary>
        public bool Set(bool up)
        {
            if (Up == up)
                return false;
            Up = up;
            Backoff = TimeSpan.Zero;
            NextTry = DateTime.UtcNow;
            return true;
        }
    }

    private readonly Node _node;
    private readonly ClusterOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<Atom, Member> _members = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Task _loop;

    internal ClusterMembership(Node node, ClusterOptions options, ILogger logger)
    {
        _node = node;
        _options = options;
        _logger = logger;
        node.NodeStatusChanged += OnNodeStatus;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Discovered, joined, lost and removed members, raised on the membership loop (keep handlers short).</summary>
    public event Action<MembershipChange>? Changed;

    /// <summary>The members found by the strategies, and whether each is connected now.</summary>
    public IReadOnlyDictionary<Atom, bool> Members
    {
        get
        {
            lock (_members)
                return _members.ToDictionary(m => m.Key, m => m.Value.Up);
        }
    }

    private void OnNodeStatus(Atom node, bool up)
    {
        MembershipChange? change = null;
        lock (_members)
        {
            if (_members.TryGetValue(node, out var member) && member.Set(up))
                change = new MembershipChange(node, up ? MembershipChangeKind.Joined : MembershipChangeKind.Lost);
        }
        if (change is null)
            return;
        Raise(change);
        if (!up)
            _wake.Release();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await PollAsync().ConfigureAwait(false);
                await _wake.WaitAsync(NextWait(), _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                ClusterLog.PollFailed(_logger, e.Message);
                await Task.Delay(_options.PollInterval, _stop.Token).ConfigureAwait(false);
            }
        }
    }

    private TimeSpan NextWait()
    {
        var wait = _options.PollInterval;
        lock (_members)
        {
            foreach (var member in _members.Values)
            {
                if (!member.Up && member.NextTry - DateTime.UtcNow is var due && due < wait)
                    wait = due < TimeSpan.Zero ? TimeSpan.Zero : due;
            }
        }
        return wait;
    }

    private async Task PollAsync()
    {
        var wanted = new HashSet<Atom>();
        foreach (var strategy in _options.Strategies)
        {
            foreach (var node in await strategy.DiscoverAsync(_stop.Token).ConfigureAwait(false))
            {
                if (!ReferenceEquals(node, _node.Name))
                    wanted.Add(node);
            }
        }
        var connected = _node.ConnectedNodes().ToHashSet();
        var changes = new List<MembershipChange>();
        var toTry = new List<Atom>();
        lock (_members)
        {
            foreach (var gone in _members.Keys.Where(n => !wanted.Contains(n)).ToList())
            {
                _members.Remove(gone);
                changes.Add(new MembershipChange(gone, MembershipChangeKind.Removed));
            }
            var now = DateTime.UtcNow;
            foreach (var node in wanted)
            {
                if (!_members.TryGetValue(node, out var member))
                {
                    _members[node] = member = new Member { NextTry = now };
                    changes.Add(new MembershipChange(node, MembershipChangeKind.Discovered));
                }
                if (connected.Contains(node))
                {
                    if (member.Set(true))
                        changes.Add(new MembershipChange(node, MembershipChangeKind.Joined));
                }
                else if (member.NextTry <= now)
                {
                    toTry.Add(node);
                }
            }
        }
        foreach (var change in changes)
            Raise(change);
        // Connects run side by side: one unreachable member must not hold up the others for its timeout.
        await Task.WhenAll(toTry.Select(TryConnectAsync)).ConfigureAwait(false);
    }

    private async Task TryConnectAsync(Atom node)
    {
        var ok = await _node.ConnectAsync(node, _stop.Token).ConfigureAwait(false);
        MembershipChange? change = null;
        lock (_members)
        {
            if (!_members.TryGetValue(node, out var member))
                return;
            if (ok)
            {
                if (member.Set(true))
                    change = new MembershipChange(node, MembershipChangeKind.Joined);
            }
            else
            {
                member.Backoff = member.Backoff == TimeSpan.Zero ? _options.MinBackoff
                    : TimeSpan.FromTicks(Math.Min(member.Backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                member.NextTry = DateTime.UtcNow + member.Backoff;
                ClusterLog.NotReached(_logger, node, (int)member.Backoff.TotalMilliseconds);
            }
        }
        if (change is not null)
            Raise(change);
    }

    private void Raise(MembershipChange change)
    {
        ClusterLog.Changed(_logger, change.Node, change.Kind);
        try
        {
            Changed?.Invoke(change);
        }
        catch (Exception e)
        {
            ClusterLog.HandlerFailed(_logger, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _node.NodeStatusChanged -= OnNodeStatus;
        _stop.Cancel();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
