using Ergo.Gen.Etf;

namespace Ergo.Gen.Observability;

/// <summary>
/// A value for a log line, printed cut to <see cref="CharsLimit"/> characters and <see cref="Depth"/> levels (as
/// Erlang's logger does with <c>chars_limit</c> and <c>depth</c>), and only when the line is written.
/// </summary>
internal readonly struct Bounded(object? value)
{
    public const int CharsLimit = 1000;
    public const int Depth = 20;

    public override string ToString() => value switch
    {
        null => "null",
        Term term => term.ToString(CharsLimit, Depth),
        _ => value.ToString() is { Length: > CharsLimit } text ? text[..CharsLimit] + "..." : value.ToString() ?? "",
    };
}
