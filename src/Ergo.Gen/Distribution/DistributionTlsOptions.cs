namespace Ergo.Gen.Distribution;

/// <summary>
/// Distribution over TLS, as Erlang's <c>-proto_dist inet_tls</c>: the TLS handshake comes first on the
/// connection, then the distribution handshake inside it (EPMD stays plain). Without a certificate, the node makes
/// a self-signed one at start and says so in its log.
/// </summary>
public sealed record DistributionTlsOptions
{
    /// <summary>PEM certificate of this node (Erlang's <c>certfile</c>); with <see cref="KeyFile"/>. An Erlang peer that
    /// verifies it also checks the host of the node name against its DNS names (<c>DNS:127.0.0.1</c> for
    /// <c>name@127.0.0.1</c>).</summary>
    public string? CertificateFile { get; init; }

    /// <summary>PEM private key of this node (Erlang's <c>keyfile</c>).</summary>
    public string? KeyFile { get; init; }

    /// <summary>PEM CA certificates peers' certificates must chain to (Erlang's <c>cacertfile</c> with
    /// <c>verify_peer</c>). Without it, peers are not verified: the link is encrypted and the cookie is the only
    /// authentication, as Erlang's <c>verify_none</c>.</summary>
    public string? TrustedCaFile { get; init; }

    /// <summary>Mutual TLS: a connecting peer must present a certificate that chains to <see cref="TrustedCaFile"/>
    /// (Erlang's <c>fail_if_no_peer_cert</c>).</summary>
    public bool RequireClientCertificate { get; init; }
}
