namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// A small certificate authority made with openssl in a directory of the test's: ca.pem/ca.key, leaf certificates
/// NAME.pem/NAME.key it signs, and the ssl_dist_optfile a real <c>erl -proto_dist inet_tls</c> reads.
/// </summary>
internal sealed class TestCa(string dir)
{
    public string File(string name) => Path.Combine(dir, name);

    public string CaFile => File("ca.pem");

    public TestCa Create()
    {
        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", File("ca.key"), "-out", CaFile, "-days", "2", "-subj", "/CN=Ergo.Gen test CA");
        return this;
    }

    /// <summary>NAME.pem/NAME.key signed by the CA, naming <paramref name="subjectAltName"/> (openssl's syntax).</summary>
    public void Issue(string name, string subjectAltName)
    {
        System.IO.File.WriteAllText(File(name + ".ext"), $"subjectAltName={subjectAltName}\nextendedKeyUsage=serverAuth,clientAuth\n");
        OpenSsl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", File(name + ".key"), "-out", File(name + ".csr"), "-subj", $"/CN={name}");
        OpenSsl("x509", "-req", "-in", File(name + ".csr"), "-CA", CaFile, "-CAkey", File("ca.key"), "-CAcreateserial", "-out", File(name + ".pem"), "-days", "2", "-extfile", File(name + ".ext"));
    }

    /// <summary>NAME.pem/NAME.key outside the CA.</summary>
    public void SelfSigned(string name) =>
        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", File(name + ".key"), "-out", File(name + ".pem"), "-days", "2", "-subj", $"/CN={name}");

    /// <summary>An ssl_dist_optfile with certificate <paramref name="cert"/>: verify_peer and fail_if_no_peer_cert
    /// against the CA (a client also checking the server's host name unless <paramref name="checkHostName"/> is
    /// false), or verify_none.</summary>
    public string OptFile(string name, string cert, bool verify, bool checkHostName = true)
    {
        string Quote(string path) => "\"" + path + "\"";
        var common = $"{{certfile, {Quote(File(cert + ".pem"))}}}, {{keyfile, {Quote(File(cert + ".key"))}}}";
        var sni = checkHostName ? "" : ", {server_name_indication, disable}";
        var text = verify
            ? $"[{{server, [{common}, {{cacertfile, {Quote(CaFile)}}}, {{verify, verify_peer}}, {{fail_if_no_peer_cert, true}}]}},\n" +
              $" {{client, [{common}, {{cacertfile, {Quote(CaFile)}}}, {{verify, verify_peer}}{sni}]}}].\n"
            : $"[{{server, [{common}]}}, {{client, [{common}, {{verify, verify_none}}]}}].\n";
        System.IO.File.WriteAllText(File(name), text);
        return File(name);
    }

    private static void OpenSsl(params string[] args)
    {
        var result = ProcessRunner.Run(ErlangTool.Find("openssl"), args, TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"openssl {string.Join(' ', args)}: {result.Output}");
    }
}
