using System.Collections.Concurrent;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Distribution.Transport;

/// <summary>
/// Static proxy routes between Ergo.Gen nodes: A reaches C through B. Every node runs a registered
/// <c>ergo_proxy</c> that is an end of tunnels (A and C) or relays them (B). The messages are ordinary
/// distribution messages to that name: <c>{ergo_proxy, open, Id, Origin, Target}</c> (the relay adds itself as a
/// sixth element when it passes the open on),
/// <c>{ergo_proxy, data, Id, FromNode, Bytes}</c>, <c>{ergo_proxy, close, Id, FromNode}</c>. An Erlang node never
/// sees one unless a route names it as a relay, and then it only drops them.
/// </summary>
internal sealed class ProxyRouter
{
    public static readonly Atom Name = Atom.Of("ergo_proxy");
    private static readonly Atom Open = Atom.Of("open"), Data = Atom.Of("data"), Close = Atom.Of("close");

    private readonly DistributionService _dist;
    private readonly ConcurrentDictionary<Reference, TunnelStream> _ends = new();
    private readonly ConcurrentDictionary<Reference, (Atom Origin, Atom Target)> _relays = new();

    public ProxyRouter(DistributionService dist) => _dist = dist;

    private Node Node => _dist.Node;

    /// <summary>For tests: every chunk this node relays for others (to show it only ever sees ciphertext).</summary>
    internal Action<byte[]>? RelayTap { get; set; }

    /// <summary>Opens a tunnel to <paramref name="target"/> through <paramref name="via"/>.</summary>
    public TunnelStream OpenTunnel(Atom via, Atom target)
    {
        var tunnel = NewEnd(Node.MakeRef(), via, target);
        Node.Send(Name, via, new Etf.Tuple(Name, Open, tunnel.Id, Node.Name, target));
        return tunnel;
    }

    private TunnelStream NewEnd(Reference id, Atom via, Atom peer)
    {
        var tunnel = new TunnelStream(id, via, peer,
            (t, bytes) => Node.Send(Name, t.Via, new Etf.Tuple(Name, Data, t.Id, Node.Name, new Binary(bytes))),
            t =>
            {
                if (_ends.TryRemove(t.Id, out _))
                    Node.Send(Name, t.Via, new Etf.Tuple(Name, Close, t.Id, Node.Name));
            });
        _ends[id] = tunnel;
        return tunnel;
    }

    /// <summary>A message to <c>ergo_proxy</c>.</summary>
    public void Handle(object message)
    {
        if (message is not Etf.Tuple { Arity: >= 4 } t || t[0] != Name || t[2] is not Reference id || t[3] is not Atom from)
            return;
        if (t[1] == Open && t.Arity is 5 or 6 && t[4] is Atom target)
            OnOpen(id, from, target, t.Arity == 6 ? t[5] as Atom : null);
        else if (t[1] == Data && t.Arity == 5 && t[4] is Binary bytes)
            OnData(id, from, bytes.Data);
        else if (t[1] == Close)
            OnClose(id, from);
    }

    private void OnOpen(Reference id, Atom origin, Atom target, Atom? relay)
    {
        if (ReferenceEquals(target, Node.Name))
        {
            if (relay is null)
                return;
            // This node is the far end. Whatever comes through the tunnel still has to pass TLS and the cookie.
            var tunnel = NewEnd(id, relay, origin);
            var via = relay;
            ServicesLog.TunnelOpened(_dist.Logger, origin, via);
            _ = _dist.AcceptTunnelAsync(tunnel);
            return;
        }
        if (ReferenceEquals(origin, target) || relay is not null)
            return;
        if (!_dist.Options.AllowProxyRelay)
        {
            ServicesLog.RelayRefused(_dist.Logger, origin, target);
            Node.Send(Name, origin, new Etf.Tuple(Name, Close, id, Node.Name));
            return;
        }
        _relays[id] = (origin, target);
        ServicesLog.TunnelRelayed(_dist.Logger, origin, target);
        Node.Send(Name, target, new Etf.Tuple(Name, Open, id, origin, target, Node.Name));
    }

    private void OnData(Reference id, Atom from, byte[] bytes)
    {
        if (_ends.TryGetValue(id, out var end))
        {
            end.Deliver(bytes);
            return;
        }
        if (_relays.TryGetValue(id, out var route))
        {
            RelayTap?.Invoke(bytes);
            var next = ReferenceEquals(from, route.Origin) ? route.Target : route.Origin;
            Node.Send(Name, next, new Etf.Tuple(Name, Data, id, from, new Binary(bytes)));
        }
    }

    private void OnClose(Reference id, Atom from)
    {
        if (_ends.TryRemove(id, out var end))
        {
            end.RemoteClosed();
            return;
        }
        if (_relays.TryRemove(id, out var route))
        {
            var next = ReferenceEquals(from, route.Origin) ? route.Target : route.Origin;
            Node.Send(Name, next, new Etf.Tuple(Name, Close, id, Node.Name));
        }
    }

    /// <summary>A connection went down: tunnels through that node end, and relays for it tell the other side.</summary>
    public void OnNodeDown(Atom node)
    {
        foreach (var (id, end) in _ends)
        {
            if (ReferenceEquals(end.Via, node) && _ends.TryRemove(id, out _))
                end.RemoteClosed();
        }
        foreach (var (id, route) in _relays)
        {
            if ((ReferenceEquals(route.Origin, node) || ReferenceEquals(route.Target, node)) && _relays.TryRemove(id, out _))
            {
                var other = ReferenceEquals(route.Origin, node) ? route.Target : route.Origin;
                Node.Send(Name, other, new Etf.Tuple(Name, Close, id, Node.Name));
            }
        }
    }
}
