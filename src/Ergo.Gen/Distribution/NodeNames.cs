using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Ergo.Gen.Distribution;

/// <summary>
/// Node names as <c>net_kernel</c> makes and checks them: the host a name without one gets, which name domain
/// a name belongs to, and which peers a node may connect to (<c>inet_tcp_dist:splitnode</c>).
/// </summary>
public static partial class NodeNames
{
    /// <summary>
    /// The full name and name domain for <paramref name="name"/>. A name without a host gets this machine's, as
    /// <c>erl</c> does: its short host name for short names, its fully qualified name for long names. Without a
    /// domain given, a dotted host or an address means long names, another host short names, and no host long
    /// names (as <c>-name</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one Erlang would accept in that domain.</exception>
    public static (string Name, NameDomain Domain) Complete(string name, NameDomain? domain)
    {
        var at = name.IndexOf('@');
        var alive = at < 0 ? name : name[..at];
        if (!ValidAlive().IsMatch(alive) && alive != "undefined")
            throw new ArgumentException($"'{alive}' is not a valid node name: letters, digits, '_' and '-' only (as erl)", nameof(name));
        if (at < 0)
        {
            var chosen = domain ?? NameDomain.LongNames;
            return ($"{alive}@{LocalHost(chosen)}", chosen);
        }
        var host = name[(at + 1)..];
        if (host.Length == 0 || host.Contains('@') || name.Length > 255 || host.Any(c => c <= ' ' || c == 127))
            throw new ArgumentException($"'{name}' is not a node name (name@host)", nameof(name));
        var inferred = domain ?? (IsFullyQualified(host) ? NameDomain.LongNames : NameDomain.ShortNames);
        if (inferred == NameDomain.ShortNames && host.Contains('.'))
            throw new ArgumentException($"'{name}' cannot be a short name: its host has dots (as erl -sname refuses it)", nameof(name));
        return (name, inferred);
    }

    /// <summary>Why this node may not connect to <paramref name="peer"/>, or null: long names need a dotted host or
    /// an address, short names a host without dots (Erlang's connecting side refuses the same).</summary>
    public static string? Refusal(string peer, NameDomain domain)
    {
        var at = peer.IndexOf('@');
        if (at <= 0 || at == peer.Length - 1)
            return $"'{peer}' is not a node name (name@host)";
        var host = peer[(at + 1)..];
        return domain switch
        {
            NameDomain.LongNames when !IsFullyQualified(host) =>
                $"this node uses long names and the host '{host}' of {peer} is not fully qualified (a short-named node?)",
            NameDomain.ShortNames when host.Contains('.') =>
                $"this node uses short names and the host '{host}' of {peer} has dots (a long-named node?)",
            _ => null,
        };
    }

    /// <summary>The name's alive part, what EPMD knows a node by.</summary>
    public static string AliveOf(string node) => node[..node.IndexOf('@')];

    /// <summary>The name's host part, resolved to reach the node.</summary>
    public static string HostOf(string node) => node[(node.IndexOf('@') + 1)..];

    private static bool IsFullyQualified(string host) => host.Contains('.') || IPAddress.TryParse(host, out _);

    private static string LocalHost(NameDomain domain)
    {
        var host = Dns.GetHostName();
        if (domain == NameDomain.ShortNames)
            return host.Split('.')[0];
        if (host.Contains('.'))
            return host;
        string? qualified = null;
        try
        {
            qualified = Dns.GetHostEntry(host).HostName;
        }
        catch (SocketException)
        {
        }
        return qualified is not null && qualified.Contains('.') ? qualified
            : throw new ArgumentException($"cannot make a long node name: the host name '{host}' has no domain (give name@host.domain, name@IP, or use short names)");
    }

    [GeneratedRegex("^[0-9A-Za-z_\\-]+$")]
    private static partial Regex ValidAlive();
}
