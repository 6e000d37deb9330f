using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// Distribution over TLS with real Erlang nodes started with <c>-proto_dist inet_tls</c>: a small CA made with
/// openssl signs both sides' certificates; verification and mutual TLS both ways; an untrusted peer is refused.
/// </summary>
public sealed class TlsDistributionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ergo-tls-").FullName;
    private readonly TestCa _ca;

    public TlsDistributionTests() => _ca = new TestCa(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name) => _ca.File(name);

    /// <summary>ca.pem/ca.key, and NAME.pem/NAME.key signed by it (or self-signed, outside the CA).</summary>
    private void Certificates(bool selfSignedStranger = false)
    {
        _ca.Create();
        foreach (var name in new[] { "erl", "dotnet" })
            _ca.Issue(name, "IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost");
        if (selfSignedStranger)
            _ca.SelfSigned("stranger");
    }

    /// <summary>An ssl_dist_optfile: verify_peer and fail_if_no_peer_cert against the CA, or verify_none.</summary>
    private string OptFile(string name, string cert, bool verify) => _ca.OptFile(name, cert, verify, checkHostName: false);

    private static ErlangPeer TlsPeer(string name, string optFile, string eval) =>
        new(name, DistFixture.Cookie, "", eval, extraArgs: ["-proto_dist", "inet_tls", "-ssl_dist_optfile", optFile]);

    private DistributionOptions Mutual => new()
    {
        Cookie = DistFixture.Cookie,
        Tls = new DistributionTlsOptions { CertificateFile = File("dotnet.pem"), KeyFile = File("dotnet.key"), TrustedCaFile = File("ca.pem"), RequireClientCertificate = true },
    };

    [Fact]
    public async Task Mutual_tls_with_erlang_both_ways()
    {
        Certificates();
        await using var node = await Node.StartAsync(new NodeOptions { Name = "tls_dotnet@127.0.0.1" }, Mutual);
        await node.StartServerAsync(new DistFixture.EchoServer(), Atom.Of("echo"));

        // Erlang connects to .NET: ping, a call, and .NET calls back over the same TLS connection.
        using (var pinging = TlsPeer("tls_erl", OptFile("verify.conf", "erl", verify: true),
                   "io:format(\"ping ~p~n\", [net_adm:ping('tls_dotnet@127.0.0.1')]), " +
                   "io:format(\"call ~p~n\", [gen_server:call({echo, 'tls_dotnet@127.0.0.1'}, {over, tls})]), receive stop -> ok end."))
        {
            var output = await pinging.WaitForOutputAsync("call", DistFixture.Wait);
            Assert.Contains("ping pong", output);
            Assert.Contains("call {over,tls}", pinging.Output);
            Assert.Equal(Atom.Of("tls_erl@127.0.0.1"), await node.RpcAsync(Atom.Of("tls_erl@127.0.0.1"), Atom.Of("erlang"), Atom.Of("node"), [], DistFixture.Wait));
        }

        // .NET connects to Erlang (the TLS client side, verifying Erlang's certificate).
        using var passive = TlsPeer("tls_erl_passive", File("verify.conf"), "io:format(\"up~n\"), receive stop -> ok end.");
        await passive.WaitForOutputAsync("up", DistFixture.Wait);
        var peer = Atom.Of("tls_erl_passive@127.0.0.1");
        var connected = false;
        for (var i = 0; i < 50 && !connected; i++)
        {
            connected = await node.ConnectAsync(peer);
            if (!connected)
                await Task.Delay(100);
        }
        Assert.True(connected, passive.Output);
        var reversed = await node.RpcAsync(peer, Atom.Of("lists"), Atom.Of("reverse"), [new List(Integer.Of(1), Integer.Of(2))], DistFixture.Wait);
        Assert.Equal(new List(Integer.Of(2), Integer.Of(1)), reversed);
    }

    [Fact]
    public async Task A_peer_whose_certificate_is_not_from_the_ca_is_refused()
    {
        Certificates(selfSignedStranger: true);
        await using var node = await Node.StartAsync(new NodeOptions { Name = "tls_guarded@127.0.0.1" }, Mutual);

        using var stranger = TlsPeer("tls_stranger", OptFile("stranger.conf", "stranger", verify: false),
            "io:format(\"ping ~p~n\", [net_adm:ping('tls_guarded@127.0.0.1')]), receive stop -> ok end.");
        var output = await stranger.WaitForOutputAsync("ping", DistFixture.Wait);

        Assert.Contains("ping pang", output);
        Assert.Empty(node.ConnectedNodes());
    }

    [Fact]
    public async Task Without_a_certificate_the_node_makes_a_self_signed_one_and_erlang_connects()
    {
        Certificates();
        await using var node = await Node.StartAsync(new NodeOptions { Name = "tls_selfsigned@127.0.0.1" },
            new DistributionOptions { Cookie = DistFixture.Cookie, Tls = new DistributionTlsOptions() });
        await node.StartServerAsync(new DistFixture.EchoServer(), Atom.Of("echo"));

        using var peer = TlsPeer("tls_anyone", OptFile("none.conf", "erl", verify: false),
            "io:format(\"call ~p~n\", [gen_server:call({echo, 'tls_selfsigned@127.0.0.1'}, hello)]), receive stop -> ok end.");

        Assert.Contains("call hello", await peer.WaitForOutputAsync("call", DistFixture.Wait));
    }
}
