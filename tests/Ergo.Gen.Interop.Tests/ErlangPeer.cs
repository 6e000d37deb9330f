using System.Diagnostics;
using System.Text;

namespace Ergo.Gen.Interop.Tests;

/// <summary>A real <c>erl</c> node on 127.0.0.1 that lives for the duration of a test class.</summary>
public sealed class ErlangPeer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public ErlangPeer(string name, string cookie, string codePath, string eval, IDictionary<string, string>? environment = null, string program = "erl", string[]? extraArgs = null)
    {
        Name = $"{name}@127.0.0.1";
        var psi = new ProcessStartInfo(ErlangTool.Find(program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (program == "erl")
        {
            foreach (var a in new[] { "-noshell", "-name", Name, "-setcookie", cookie, "-pa", codePath, "-eval", eval })
                psi.ArgumentList.Add(a);
        }
        foreach (var a in extraArgs ?? [])
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
            psi.Environment[k] = v;
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start erl");
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    // dist_peer.erl compiled once for all the tests that start such a node.
    private static readonly Lazy<string> DistPeerBeams = new(() => ErlangTool.CompileModules("dist_peer"));

    /// <summary>An erl node running dist_peer (an echo gen_server and the helpers the tests call), which pings
    /// <paramref name="node"/> as it boots and then prints "peer ready".</summary>
    public static ErlangPeer DistPeer(string name, Node node, IDictionary<string, string>? environment = null, string cookie = DistFixture.Cookie) =>
        new(name, cookie, DistPeerBeams.Value, $"dist_peer:start(['{node.Name.Name}']).", environment);

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Contains(text))
                return Output;
            if (_process.HasExited)
            {
                // Let the asynchronous readers drain what the process wrote before it ended.
                _process.WaitForExit();
                if (Output.Contains(text))
                    return Output;
                break;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"'{text}' did not appear from {Name}; output so far:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Sends a POSIX signal to the node's OS process (STOP freezes it: alive, but silent).</summary>
    public void Signal(string signal) => ProcessRunner.Run("/bin/kill", [$"-{signal}", _process.Id.ToString()], TimeSpan.FromSeconds(5));

    /// <summary>Kills the OS process: the node vanishes without a goodbye, as a crashed machine would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
