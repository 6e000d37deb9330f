namespace Ergo.Gen.Distribution;

/// <summary>Ports from <paramref name="Min"/> to <paramref name="Max"/>, both included.</summary>
public readonly record struct PortRange(int Min, int Max)
{
    /// <summary>"MIN-MAX" or a single port.</summary>
    public static PortRange Parse(string text)
    {
        var dash = text.IndexOf('-');
        var range = dash < 0 ? new PortRange(int.Parse(text), int.Parse(text))
            : new PortRange(int.Parse(text[..dash]), int.Parse(text[(dash + 1)..]));
        return range.Min is > 0 and <= 65535 && range.Max is > 0 and <= 65535 && range.Min <= range.Max ? range
            : throw new FormatException($"'{text}' is not a port range (MIN-MAX, 1 to 65535)");
    }

    public override string ToString() => $"{Min}-{Max}";
}
