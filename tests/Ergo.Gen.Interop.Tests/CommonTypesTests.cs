using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Generated;

namespace Ergo.Gen.Interop.Tests;

// What an Elixir node sends for %Shop.User{}: a map with __struct__, and nil for a missing value.
[Term(AsMap = true, ElixirStruct = "Elixir.Shop.User")]
public sealed record ShopUser(string Email, bool Admin, string? Nickname);

/// <summary>
/// The common .NET types in the forms Erlang code uses, checked against a real erl both ways: times as
/// <c>erlang:system_time(microsecond)</c> (and calendar's datetimes read), a Guid as its 16 bytes, a decimal as its
/// text, an Elixir struct and Elixir's nil.
/// </summary>
public sealed class CommonTypesTests
{
    [Fact]
    public async Task Times_guids_decimals_structs_and_nil_round_trip_with_erlang()
    {
        await using var node = await Node.StartAsync(new NodeOptions { Name = "dotnet_types@127.0.0.1" }, new DistributionOptions { Cookie = DistFixture.Cookie });
        var probe = new Probe(node);
        node.Register(Atom.Of("types_probe"), probe.Pid);
        const string eval =
            "To = {types_probe, 'dotnet_types@127.0.0.1'}, " +
            "To ! {now, erlang:system_time(microsecond), calendar:universal_time()}, " +
            "To ! {user, #{'__struct__' => 'Elixir.Shop.User', email => <<\"ada@example.org\">>, admin => true, nickname => nil}}, " +
            "To ! {price, float_to_binary(12.5, [{decimals, 2}])}, " +
            "io:format(\"sent~n\"), receive stop -> ok end.";
        using var erl = new ErlangPeer("types_erl", DistFixture.Cookie, "", eval);
        await erl.WaitForOutputAsync("sent", DistFixture.Wait);
        var peer = Atom.Of("types_erl@127.0.0.1");

        // Erlang's clock, read as DateTime both ways, agrees with ours (same machine: within a minute is plenty).
        var now = (Etf.Tuple)await probe.ReceiveAsync();
        Assert.True(TermConvert.TryFromTerm(now[1], out DateTime systemTime));
        Assert.True(TermConvert.TryFromTerm(now[2], out DateTimeOffset calendar));
        Assert.Equal(DateTimeKind.Utc, systemTime.Kind);
        Assert.InRange(systemTime, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
        Assert.InRange((systemTime - calendar.UtcDateTime).Duration(), TimeSpan.Zero, TimeSpan.FromMinutes(1));

        // Ours, read by calendar, to the microsecond.
        var moment = new DateTime(2024, 2, 29, 13, 45, 30, 123, DateTimeKind.Utc).AddTicks(4560);
        Assert.Equal(new Etf.Tuple(new Etf.Tuple(2024, 2, 29), new Etf.Tuple(13, 45, 30)),
            await node.RpcAsync(peer, Atom.Of("calendar"), Atom.Of("system_time_to_universal_time"), [TermConvert.ToTerm(moment), Atom.Of("microsecond")], DistFixture.Wait));
        var back = await node.RpcAsync(peer, Atom.Of("erlang"), Atom.Of("convert_time_unit"), [TermConvert.ToTerm(moment), Atom.Of("microsecond"), Atom.Of("microsecond")], DistFixture.Wait);
        Assert.True(TermConvert.TryFromTerm(back, out DateTime same));
        Assert.Equal(moment, same);

        // An Elixir struct with nil, into the record; and back, as the same struct.
        var user = (Etf.Tuple)await probe.ReceiveAsync();
        Assert.True(TermCodec.TryFromTerm(user[1], out ShopUser ada));
        Assert.Equal(new ShopUser("ada@example.org", true, null), ada);
        Assert.Equal(Atom.Of("Elixir.Shop.User"),
            await node.RpcAsync(peer, Atom.Of("maps"), Atom.Of("get"), [Atom.Of("__struct__"), TermCodec.ToTerm(ada)], DistFixture.Wait));

        // A decimal as its text: Erlang's float_to_binary reads in, and ours is what binary_to_float takes.
        var price = (Etf.Tuple)await probe.ReceiveAsync();
        Assert.True(TermConvert.TryFromTerm(price[1], out decimal twelveFifty));
        Assert.Equal(12.50m, twelveFifty);
        Assert.Equal("12.50", twelveFifty.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new Float(99.95), await node.RpcAsync(peer, Atom.Of("erlang"), Atom.Of("binary_to_float"), [TermConvert.ToTerm(99.95m)], DistFixture.Wait));

        // A Guid as its 16 bytes in RFC 4122 order: the same hex as its text.
        var id = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        Assert.Equal(Binary.FromUtf8("00112233445566778899AABBCCDDEEFF"),
            await node.RpcAsync(peer, Atom.Of("binary"), Atom.Of("encode_hex"), [TermConvert.ToTerm(id)], DistFixture.Wait));
    }
}
