using Ergo.Gen.Etf;

namespace Ergo.Gen.Processes;

/// <summary>The exit reasons Erlang gives meaning to, and the reason term for a .NET exception.</summary>
public static class ExitReason
{
    public static readonly Atom Normal = Atom.Of("normal");
    public static readonly Atom Kill = Atom.Of("kill");
    public static readonly Atom Killed = Atom.Of("killed");
    public static readonly Atom NoProc = Atom.Of("noproc");
    public static readonly Atom Shutdown = Atom.Of("shutdown");
    public static readonly Atom Timeout = Atom.Of("timeout");
    public static readonly Atom NoConnection = Atom.Of("noconnection");

    private static readonly Atom Exception = Atom.Of("exception");

    /// <summary>
    /// <c>{{exception, 'System.InvalidOperationException', &lt;&lt;"message"&gt;&gt;}, [&lt;&lt;"at Frame()"&gt;&gt;, ...]}</c>:
    /// Erlang's <c>{Reason, Stacktrace}</c> shape, with the .NET type, message and stack as data.
    /// </summary>
    public static Term FromException(Exception e)
    {
        if (e is ExitException exit)
            return exit.Reason;
        var frames = (e.StackTrace ?? "")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(f => (Term)Binary.FromUtf8(f))
            .ToArray();
        var what = new Etf.Tuple(Exception, Atom.Of(Truncate(e.GetType().FullName ?? e.GetType().Name)), Binary.FromUtf8(e.Message));
        return new Etf.Tuple(what, frames.Length == 0 ? List.Nil : new List(frames));
    }

    /// <summary>True for the reasons a supervisor and a logger treat as an orderly stop.</summary>
    public static bool IsOrderly(Term reason) =>
        reason == Normal || reason == Shutdown || reason is Etf.Tuple { Arity: 2 } t && t[0] == Shutdown;

    // Atoms hold at most 255 characters.
    private static string Truncate(string name) => name.Length <= 255 ? name : name[..255];
}
