namespace Ergo.Gen.Interop.Tests;

/// <summary>
/// The fixed ports of the tests that run an EPMD of their own, one port each. They lie below Linux's ephemeral range
/// (32768-60999 by default): a port inside it may be taken at any moment by an outgoing connection or a port-0
/// listener of another test, and the test that wanted it then cannot bind it.
/// </summary>
internal static class PrivateEpmdPorts
{
    public const int RealErlRegisters = 24370;
    public const int Version5Peer = 24371;
    public const int GoesAwayAndComesBack = 24372;
    public const int Flood = 24373;
}
