namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// Simulated hosts on this machine: one Linux network namespace per host (its own network stack, so its own port
/// 4369 and EPMD), all on one bridge in a switch namespace, with addresses from 198.51.100.0/24 (IPv4) or
/// 2001:db8::/64 (IPv6) that exist only inside these namespaces, and host names in /etc/netns/NAME/hosts (which
/// <c>ip netns exec</c> mounts as /etc/hosts). Traffic never leaves them. Everything is removed on Dispose, the
/// processes inside first, also when a test fails. Needs root, as CI has; without it the test fails.
/// </summary>
internal sealed class NetLab : IDisposable
{
    private static int s_labs;
    private readonly string _prefix;
    private readonly List<string> _namespaces = [];
    private readonly List<ErlangPeer> _processes = [];

    /// <param name="hosts">Short host names; host i is <c>NAME.lab</c> and <c>NAME</c> at address i + 1.</param>
    /// <param name="inet6">IPv6 addresses only, instead of IPv4 only.</param>
    /// <param name="extraHosts">More lines for every hosts file (a name with several addresses, say).</param>
    public NetLab(string[] hosts, bool inet6 = false, string[]? extraHosts = null)
    {
        // Interface names have at most 15 characters; the process id keeps concurrent runs apart.
        _prefix = $"eg{Environment.ProcessId % 100000}x{Interlocked.Increment(ref s_labs)}";
        Hosts = hosts;
        Inet6 = inet6;
        try
        {
            var sw = Namespace("sw");
            Ip("-n", sw, "link", "add", "br0", "type", "bridge");
            Ip("-n", sw, "link", "set", "br0", "up");
            var lines = new List<string> { "127.0.0.1 localhost", "::1 localhost ip6-localhost" };
            for (var i = 0; i < hosts.Length; i++)
                lines.Add($"{AddressOf(i)} {hosts[i]}.lab {hosts[i]}");
            lines.AddRange(extraHosts ?? []);
            for (var i = 0; i < hosts.Length; i++)
            {
                var ns = Namespace(hosts[i]);
                var (inside, outside) = ($"{_prefix}h{i}", $"{_prefix}s{i}");
                Ip("link", "add", inside, "type", "veth", "peer", "name", outside);
                Ip("link", "set", inside, "netns", ns);
                Ip("link", "set", outside, "netns", sw);
                Ip("-n", sw, "link", "set", outside, "master", "br0");
                Ip("-n", sw, "link", "set", outside, "up");
                Ip("-n", ns, "link", "set", "lo", "up");
                if (inet6)
                    Ip("-n", ns, "-6", "addr", "add", $"{AddressOf(i)}/64", "dev", inside, "nodad");
                else
                    Ip("-n", ns, "addr", "add", $"{AddressOf(i)}/24", "dev", inside);
                Ip("-n", ns, "link", "set", inside, "up");
                Directory.CreateDirectory($"/etc/netns/{ns}");
                File.WriteAllLines($"/etc/netns/{ns}/hosts", lines);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string[] Hosts { get; }

    public bool Inet6 { get; }

    public string AddressOf(int host) => Inet6 ? $"2001:db8::{host + 1}" : $"198.51.100.{host + 1}";

    public string NamespaceOf(string host) => $"{_prefix}{host}";

    /// <summary>Starts a long-lived program on <paramref name="host"/> (killed on Dispose).</summary>
    public ErlangPeer Start(string host, string label, string program, params string[] args)
    {
        var peer = new ErlangPeer(label, "", "", "", program: "ip", extraArgs: ["netns", "exec", NamespaceOf(host), ErlangTool.Find(program), .. args]);
        lock (_processes)
            _processes.Add(peer);
        return peer;
    }

    /// <summary>Runs a program on <paramref name="host"/> to its end.</summary>
    public ProcessResult Run(string host, TimeSpan timeout, string program, params string[] args) =>
        ProcessRunner.Run(ErlangTool.Find("ip"), ["netns", "exec", NamespaceOf(host), ErlangTool.Find(program), .. args], timeout);

    /// <summary>Runs <c>erl -noshell -eval</c> named by <paramref name="nameArgs"/> on <paramref name="host"/>; its output.</summary>
    public string Erl(string host, string[] nameArgs, string cookie, string eval, params string[] more) =>
        Run(host, TimeSpan.FromSeconds(90), "erl", ["-noshell", .. nameArgs, "-setcookie", cookie, .. more, "-eval", eval]).Output;

    /// <summary>Takes <paramref name="host"/> off the network (a partition), or puts it back.</summary>
    public void SetLink(string host, bool up)
    {
        var i = Array.IndexOf(Hosts, host);
        Ip("-n", NamespaceOf(host), "link", "set", $"{_prefix}h{i}", up ? "up" : "down");
    }

    private string Namespace(string host)
    {
        var ns = NamespaceOf(host);
        Ip("netns", "add", ns);
        _namespaces.Add(ns);
        return ns;
    }

    private static void Ip(params string[] args)
    {
        var result = ProcessRunner.Run(ErlangTool.Find("ip"), args, TimeSpan.FromSeconds(20));
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({result.ExitCode}): {result.Output}" +
                (Environment.UserName == "root" ? "" : " (the multi-host tests make network namespaces: run them as root, as CI does)"));
    }

    public void Dispose()
    {
        lock (_processes)
        {
            foreach (var p in _processes)
                p.Dispose();
        }
        foreach (var ns in _namespaces)
        {
            // What is left inside (an epmd daemon an erl started) goes with its namespace.
            var pids = ProcessRunner.Run(ErlangTool.Find("ip"), ["netns", "pids", ns], TimeSpan.FromSeconds(10)).Output
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var pid in pids)
                ProcessRunner.Run("/bin/kill", ["-9", pid], TimeSpan.FromSeconds(5));
            ProcessRunner.Run(ErlangTool.Find("ip"), ["netns", "delete", ns], TimeSpan.FromSeconds(10));
            try
            {
                Directory.Delete($"/etc/netns/{ns}", recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }
}
