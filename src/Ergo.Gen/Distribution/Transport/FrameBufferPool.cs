using System.Buffers;

namespace Ergo.Gen.Distribution.Transport;

/// <summary>
/// The pool for connection buffers: up to 1 MiB from the shared pool (fast, reused), larger ones allocated and
/// left to the garbage collector. The shared pool keeps arrays up to 1 GiB for good, so one burst of large messages
/// would keep the process at its peak memory; this way memory comes back once they are gone.
/// </summary>
internal sealed class FrameBufferPool : ArrayPool<byte>
{
    private const int MaxPooled = 1024 * 1024;

    public static FrameBufferPool Instance { get; } = new();

    public override byte[] Rent(int minimumLength) =>
        minimumLength <= MaxPooled ? Shared.Rent(minimumLength) : GC.AllocateUninitializedArray<byte>(minimumLength);

    public override void Return(byte[] array, bool clearArray = false)
    {
        if (array.Length <= MaxPooled)
            Shared.Return(array, clearArray);
    }
}
