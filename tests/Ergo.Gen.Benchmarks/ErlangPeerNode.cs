using System.Diagnostics;

namespace Ergo.Gen.Benchmarks;

/// <summary>The Erlang node the distribution suites measure against: started with the suite's beams, serving until killed.</summary>
internal static class ErlangPeerNode
{
    public static System.Diagnostics.Process Start(string beams, string name, string eval, string cookie)
    {
        var psi = new ProcessStartInfo("erl") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-noshell", "-name", $"{name}@127.0.0.1", "-setcookie", cookie, "-pa", beams, "-eval", eval })
            psi.ArgumentList.Add(arg);
        return System.Diagnostics.Process.Start(psi)!;
    }

    /// <summary>Polls until <paramref name="ready"/> holds (the peer answers), for up to ten seconds.</summary>
    public static void WaitUntil(Func<bool> ready)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                if (ready())
                    return;
            }
            catch (AggregateException)
            {
            }
            Thread.Sleep(100);
        }
        throw new TimeoutException("the Erlang peer did not come up");
    }
}
