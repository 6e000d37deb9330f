namespace Ergo.Gen;

/// <summary>
/// The root of every exception Ergo.Gen throws for a reason of its own: an exit or failed call
/// (<c>ExitException</c>, <c>CallException</c>), bad external terms (<c>EtfDecodeException</c>), a refused handshake,
/// EPMD or distribution protocol error. Catch it to catch them all; argument and state errors of the .NET kind stay
/// the framework's own exceptions.
/// </summary>
public abstract class ErgoException : Exception
{
    protected ErgoException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
