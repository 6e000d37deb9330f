using Ergo.Gen.Etf;

// The demo node's first job: show the wire format an Erlang peer will see. The process runtime and the
// distribution protocol are built on this codec and join the demo as they land.
var node = Atom.Of("demo@127.0.0.1");
var self = new Pid(node, 85, 0, 1);
var call = new Ergo.Gen.Etf.Tuple(Atom.Of("$gen_call"),
    new Ergo.Gen.Etf.Tuple(self, new List([Atom.Of("alias")], new Reference(node, 1, 7, 8, 9))),
    new Ergo.Gen.Etf.Tuple(Atom.Of("add"), 5));

var bytes = EtfCodec.Encode(call);
Console.WriteLine($"term:    {call}");
Console.WriteLine($"encoded: {bytes.Length} bytes: {Convert.ToHexString(bytes)}");
var back = EtfCodec.Decode(bytes);
Console.WriteLine($"decoded: {back} (equal: {back.Equals(call)})");

var big = new Binary(new byte[64 * 1024]);
var compressed = EtfCodec.Encode(big, new EtfEncodeOptions { CompressAbove = 1024 });
Console.WriteLine($"a 64 KiB binary compresses to {compressed.Length} bytes and decodes back: {EtfCodec.Decode(compressed).Equals(big)}");

try
{
    EtfCodec.Decode([131, 108, 0x7F, 0xFF, 0xFF, 0xFF, 106]);
}
catch (EtfDecodeException e)
{
    Console.WriteLine($"hostile input is refused with a typed error: {e.Message}");
}
