using System.Text;

namespace Ergo.Gen.Shared;

/// <summary>
/// snake_case of a .NET name (PlaceOrder → place_order, HTTPServer → http_server). One source file compiled
/// into both the runtime and the generator, so tags written at compile time and names read at run time agree.
/// </summary>
internal static class SnakeCaseName
{
    public static string Of(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                    sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}
