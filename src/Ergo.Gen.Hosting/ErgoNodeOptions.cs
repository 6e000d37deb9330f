namespace Ergo.Gen.Hosting;

/// <summary>
/// The node's settings as they appear in configuration (section <c>Ergo</c> by default), e.g. in appsettings.json:
/// <c>{ "Ergo": { "Name": "svc@127.0.0.1", "Cookie": "secret", "Port": 0, "Tls": { "CertificateFile": "..." } } }</c>.
/// </summary>
public sealed class ErgoNodeOptions
{
    public string Name { get; set; } = "node@127.0.0.1";

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

/// <summary>The TLS part of <see cref="ErgoNodeOptions"/>.</summary>
public sealed class ErgoTlsOptions
{
    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }

    public string? TrustedCaFile { get; set; }

    public bool RequireClientCertificate { get; set; }
}
