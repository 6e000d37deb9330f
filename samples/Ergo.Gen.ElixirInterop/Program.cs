using Ergo.Gen;
using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;

// A shopping cart for an iex session: Elixir maps in, Elixir maps out (see README.md for the commands).
await using var node = await Node.StartAsync(new NodeOptions { Name = "shop@127.0.0.1" }, new DistributionOptions { Cookie = "shop" });
await Cart.StartAsync(node);
Console.WriteLine($"{node.Name} ready: iex --name me@127.0.0.1 --cookie shop");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
await stop.Task;

/// <summary>%{sku: "apple", quantity: 2} in Elixir.</summary>
[Term(AsMap = true)] public sealed record AddItem(string Sku, int Quantity);

/// <summary>%{items: 3, lines: %{"apple" => 2, "pear" => 1}} back.</summary>
[Term(AsMap = true)] public sealed record CartView(int Items, Dictionary<string, int> Lines);

[GenServer(Name = "cart")]
public partial class Cart
{
    private readonly Dictionary<string, int> _lines = [];

    [Call] CartView Add(AddItem item)
    {
        _lines[item.Sku] = _lines.GetValueOrDefault(item.Sku) + item.Quantity;
        return View();
    }

    /// <summary>GenServer.call(cart, :show), and GenServer.cast(cart, :clear).</summary>
    [Call] CartView Show(Atom request) => View();

    [Cast] void Clear(Atom request) => _lines.Clear();

    private CartView View() => new(_lines.Values.Sum(), new Dictionary<string, int>(_lines));
}
