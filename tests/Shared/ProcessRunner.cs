using System.Diagnostics;

namespace Ergo.Gen.Testing;

/// <summary>Runs a program to its end and returns its exit code and everything it printed.</summary>
internal static class ProcessRunner
{
    public static ProcessResult Run(string exe, string[] args, TimeSpan timeout, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(exe)} did not finish within {timeout}: {string.Join(' ', args)}");
        }
        return new ProcessResult(p.ExitCode, stdout.Result + stderr.Result);
    }
}

internal sealed record ProcessResult(int ExitCode, string Output);
