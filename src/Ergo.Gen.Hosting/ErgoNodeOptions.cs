using System.Net;
using Ergo.Gen.Cluster;
using Ergo.Gen.Distribution;

namespace Ergo.Gen.Hosting;

/// <summary>
/// The node's settings as they appear in configuration (section <c>Ergo</c> by default), e.g. in appsettings.json:
/// <c>{ "Ergo": { "Name": "svc@127.0.0.1", "Cookie": "secret", "Port": 0, "Tls": { "CertificateFile": "..." } } }</c>,
/// or in environment variables (<c>Ergo__Name</c>, <c>Ergo__Cookie</c>, <c>Ergo__Cluster__Dns</c>).
/// </summary>
public sealed class ErgoNodeOptions
{
    /// <summary><c>name@host</c>, or a name alone, which gets this machine's host as <c>erl</c> gives it.</summary>
    public string Name { get; set; } = "node@127.0.0.1";

    /// <summary><c>LongNames</c> (erl -name) or <c>ShortNames</c> (erl -sname); unset takes it from the name.</summary>
    public NameDomain? NameDomain { get; set; }

    /// <summary>The one address to listen on (kernel's inet_dist_use_interface); unset listens on every interface.</summary>
    public string? ListenAddress { get; set; }

    /// <summary>"MIN-MAX": the ports to listen on when <see cref="Port"/> is 0 (inet_dist_listen_min/max).</summary>
    public string? PortRange { get; set; }

    /// <summary>Distribution over IPv6 (erl -proto_dist inet6_tcp).</summary>
    public bool Inet6 { get; set; }

    /// <summary>The address the embedded EPMD listens on besides loopback (ERL_EPMD_ADDRESS); unset is every interface.</summary>
    public string? EpmdAddress { get; set; }

    /// <summary>Erlang's net_ticktime, in seconds.</summary>
    public int NetTickTimeSeconds { get; set; } = 60;

    /// <summary>Members to stay connected to; unset connects on first use only.</summary>
    public ErgoClusterOptions? Cluster { get; set; }

    /// <summary>Joins a cluster (distribution, EPMD); false runs a node of this process only.</summary>
    public bool Distributed { get; set; } = true;

    /// <summary>Null reads <c>~/.erlang.cookie</c>, as erl does.</summary>
    public string? Cookie { get; set; }

    public int Port { get; set; }

    public bool UseEpmd { get; set; } = true;

    public int EpmdPort { get; set; } = 4369;

    public bool Hidden { get; set; }

    /// <summary>Distribution over TLS; with no certificate file, a self-signed certificate is made at start.</summary>
    public ErgoTlsOptions? Tls { get; set; }
}

/// <summary>The cluster membership part of <see cref="ErgoNodeOptions"/>: one or more discovery strategies.</summary>
public sealed class ErgoClusterOptions
{
    /// <summary>A static list of node names.</summary>
    public string[] Nodes { get; set; } = [];

    /// <summary><c>ALIVE@DNSNAME</c>: every address of DNSNAME is a node ALIVE@address (a Kubernetes headless service).</summary>
    public string? Dns { get; set; }

    /// <summary>Hosts whose EPMD lists the members.</summary>
    public string[] EpmdHosts { get; set; } = [];

    public int PollIntervalSeconds { get; set; } = 5;
}

/// <summary>The TLS part of <see cref="ErgoNodeOptions"/>.</summary>
public sealed class ErgoTlsOptions
{
    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }

    public string? TrustedCaFile { get; set; }

    public bool RequireClientCertificate { get; set; }
}

internal static class ErgoNodeOptionsMapping
{
    /// <summary>The distribution options a node starts with, from the configured settings.</summary>
    public static DistributionOptions ToDistributionOptions(this ErgoNodeOptions o)
    {
        var strategies = new List<IDiscoveryStrategy>();
        if (o.Cluster is { } cluster)
        {
            if (cluster.Nodes.Length > 0)
                strategies.Add(new StaticDiscovery(cluster.Nodes));
            if (cluster.Dns is { } dns)
                strategies.Add(DnsDiscovery.Parse(dns, o.Inet6));
            if (cluster.EpmdHosts.Length > 0)
                strategies.Add(new EpmdDiscovery(cluster.EpmdHosts, o.EpmdPort, o.Inet6));
        }
        var poll = TimeSpan.FromSeconds(o.Cluster?.PollIntervalSeconds ?? 5);
        return new DistributionOptions
        {
            Cookie = o.Cookie,
            Port = o.Port,
            PortRange = o.PortRange is { } range ? Distribution.PortRange.Parse(range) : null,
            ListenAddress = o.ListenAddress is { } listen ? IPAddress.Parse(listen) : null,
            Inet6 = o.Inet6,
            NameDomain = o.NameDomain,
            UseEpmd = o.UseEpmd,
            EpmdPort = o.EpmdPort,
            EpmdAddress = o.EpmdAddress is { } epmd ? IPAddress.Parse(epmd) : null,
            Hidden = o.Hidden,
            NetTickTime = TimeSpan.FromSeconds(o.NetTickTimeSeconds),
            Cluster = strategies.Count > 0 ? new ClusterOptions { Strategies = strategies, PollInterval = poll } : null,
            Tls = o.Tls is { } tls
                ? new DistributionTlsOptions { CertificateFile = tls.CertificateFile, KeyFile = tls.KeyFile, TrustedCaFile = tls.TrustedCaFile, RequireClientCertificate = tls.RequireClientCertificate }
                : null,
        };
    }
}
