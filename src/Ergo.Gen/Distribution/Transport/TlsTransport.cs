using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.Distribution.Transport;

/// <summary>
/// Wraps a distribution socket in TLS (SslStream) for either side of a connection: this node's certificate (from
/// PEM files, or self-signed at start), and peer verification against the configured CA.
/// </summary>
internal sealed class TlsTransport
{
    private readonly DistributionTlsOptions _options;
    private readonly X509Certificate2 _certificate;
    private readonly X509Certificate2Collection? _trusted;
    private readonly ILogger _logger;

    // A peer that keeps presenting a bad certificate is logged a few times a minute, per certificate.
    private readonly Observability.PeerLogLimit _refusals = new();

    private TlsTransport(DistributionTlsOptions options, X509Certificate2 certificate, X509Certificate2Collection? trusted, ILogger logger)
    {
        _options = options;
        _certificate = certificate;
        _trusted = trusted;
        _logger = logger;
    }

    public static TlsTransport Create(DistributionTlsOptions options, string nodeName, ILogger logger)
    {
        X509Certificate2 certificate;
        if (options.CertificateFile is { } certFile)
        {
            using var pem = X509Certificate2.CreateFromPemFile(certFile, options.KeyFile ?? throw new ArgumentException("a TLS certificate file needs its key file", nameof(options)));
            certificate = Exportable(pem);
            DistributionLog.TlsCertificate(logger, certificate.Subject, certFile);
        }
        else
        {
            certificate = SelfSigned(nodeName);
            DistributionLog.TlsSelfSigned(logger, certificate.Subject, certificate.GetCertHashString(HashAlgorithmName.SHA256));
        }
        X509Certificate2Collection? trusted = null;
        if (options.TrustedCaFile is { } caFile)
        {
            trusted = [];
            trusted.ImportFromPemFile(caFile);
        }
        else
        {
            DistributionLog.TlsUnverified(logger);
        }
        if (options.RequireClientCertificate && trusted is null)
            throw new ArgumentException("requiring client certificates needs a CA to verify them against (TrustedCaFile)", nameof(options));
        return new TlsTransport(options, certificate, trusted, logger);
    }

    public async Task<Stream> ConnectAsync(Stream inner, string host, CancellationToken ct)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                ClientCertificates = [_certificate],
                RemoteCertificateValidationCallback = (_, cert, _, errors) => Verify(cert, errors, "server") && Names(cert, host),
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }, ct).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new HandshakeException($"TLS handshake with {host} failed: {e.Message}");
        }
    }

    public async Task<Stream> AcceptAsync(Stream inner, CancellationToken ct)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = _certificate,
                ClientCertificateRequired = _options.RequireClientCertificate,
                RemoteCertificateValidationCallback = (_, cert, _, errors) => Verify(cert, errors, "client"),
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }, ct).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new HandshakeException($"TLS handshake failed: {e.Message}");
        }
    }

    // The peer's certificate must chain to the configured CA. A server's must also name the host of the node name
    // we connect to, as inet_tls_dist's client checks (server_name_indication); a client's is not compared, as
    // inet_tls_dist does not without an allow list.
    private bool Verify(X509Certificate? presented, SslPolicyErrors errors, string side)
    {
        if (_trusted is null)
            return true;
        if (presented is null)
        {
            if (side == "client" && !_options.RequireClientCertificate)
                return true;
            if (_refusals.Allow(side, out var more))
                DistributionLog.TlsNoCertificate(_logger, side, more);
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var certificate = new X509Certificate2(presented);
        if (chain.Build(certificate))
            return true;
        if (_refusals.Allow(certificate.Subject, out var refused))
        {
            DistributionLog.TlsCertificateRefused(_logger, side, certificate.Subject,
                string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim())), refused);
        }
        return false;
    }

    // The host as a DNS name (wildcards allowed) or an address; OTP's certificates often carry an address as a
    // DNS name (DNS:127.0.0.1), which inet_tls_dist accepts, so that form counts too.
    private bool Names(X509Certificate? presented, string host)
    {
        if (_trusted is null || presented is null)
            return true;
        using var certificate = new X509Certificate2(presented);
        var literal = host.Trim('[', ']');
        var named = certificate.MatchesHostname(literal, allowWildcards: true, allowCommonName: false)
            || certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>()
                .Any(e => e.EnumerateDnsNames().Any(n => string.Equals(n, literal, StringComparison.OrdinalIgnoreCase)));
        if (!named && _refusals.Allow(certificate.Subject, out var more))
            DistributionLog.TlsWrongHost(_logger, certificate.Subject, host, more);
        return named;
    }

    private static X509Certificate2 SelfSigned(string nodeName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={nodeName.Replace(",", "_")}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(HostNames(nodeName));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        return Exportable(created);
    }

    // Every name a peer may know this host by: the node name's host, the machine's names, and its addresses (each
    // also as a DNS name: OTP's inet_tls_dist checks the host of a node name as a DNS name, even an address).
    private static X509Extension HostNames(string nodeName)
    {
        var host = NodeNames.HostOf(nodeName).Trim('[', ']');
        var dns = new SortedSet<string>(StringComparer.OrdinalIgnoreCase) { "localhost" };
        var addresses = new HashSet<System.Net.IPAddress> { System.Net.IPAddress.Loopback, System.Net.IPAddress.IPv6Loopback };
        if (System.Net.IPAddress.TryParse(host, out var hostAddress))
            addresses.Add(hostAddress);
        else
            dns.Add(host);
        try
        {
            var machine = System.Net.Dns.GetHostName();
            dns.Add(machine);
            var entry = System.Net.Dns.GetHostEntry(machine);
            dns.Add(entry.HostName);
            addresses.UnionWith(entry.AddressList);
        }
        catch (System.Net.Sockets.SocketException)
        {
        }
        foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
            addresses.UnionWith(nic.GetIPProperties().UnicastAddresses.Select(u => u.Address).Where(a => !a.IsIPv6LinkLocal));
        var names = new SubjectAlternativeNameBuilder();
        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
            if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                dns.Add(address.ToString());
        }
        foreach (var name in dns)
            names.AddDnsName(name);
        return names.Build();
    }

    // SslStream wants a certificate whose key lives in a store-backed form, not an ephemeral one: a PKCS#12 round trip.
    private static X509Certificate2 Exportable(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
}
