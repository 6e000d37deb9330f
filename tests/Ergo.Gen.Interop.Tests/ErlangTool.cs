namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// Runs the real Erlang tools. A missing <c>erl</c> is a failure, never a skip: CI installs Erlang, and an
/// interop test that did not talk to Erlang proved nothing.
/// </summary>
internal static class ErlangTool
{
    public static string Find(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException(
            $"'{tool}' is not on PATH: the interop tests need Erlang/OTP (apt-get install -y erlang-nox elixir, or run build/test.sh)");
    }

    /// <summary>Compiles the test's Erlang modules into a fresh directory and returns it.</summary>
    public static string CompileModules(params string[] modules)
    {
        var outDir = Directory.CreateTempSubdirectory("ergo-erl-").FullName;
        var sources = modules.Select(m => Path.Combine(AppContext.BaseDirectory, "erlang", m + ".erl")).ToArray();
        var result = ProcessRunner.Run(Find("erlc"), ["-o", outDir, .. sources], TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"erlc failed ({result.ExitCode}):\n{result.Output}");
        return outDir;
    }

    /// <summary>Runs <c>erl -noshell</c> on 127.0.0.1 with <paramref name="eval"/> and returns its output.</summary>
    public static ProcessResult Erl(string codePath, string nodeName, string eval, TimeSpan timeout, string cookie = "ergo_gen_tests") =>
        ProcessRunner.Run(Find("erl"), ["-noshell", "-name", $"{nodeName}@127.0.0.1", "-setcookie", cookie, "-pa", codePath, "-eval", eval], timeout);
}
