namespace Ergo.Gen.Etf;

public ref partial struct EtfReader
{
    // Terms up to this depth are read by plain recursion (fast, nothing allocated); deeper containers are read with
    // a stack of frames on the heap, so a list a million deep (which Erlang sends and decodes) needs no thread stack.
    private const int RecursionDepth = 200;

    /// <summary>One container being filled: its children so far, and how many it has.</summary>
    private sealed class Frame(byte kind, int at, Term[] items)
    {
        public readonly byte Kind = kind;
        public readonly int At = at;
        public readonly Term[] Items = items;
        public int Filled;
    }

    /// <summary>The tuple, list or map at the current position, read without recursion into its nested containers.</summary>
    private Term ReadDeep()
    {
        var frames = new Stack<Frame>();
        frames.Push(OpenFrame());
        while (true)
        {
            var frame = frames.Peek();
            if (frame.Filled < frame.Items.Length)
            {
                if (IsNonEmptyContainer(PeekTag()))
                {
                    frames.Push(OpenFrame());
                    continue;
                }
                // Leaves, empty containers, strings, binaries and funs: their own readers (funs recurse a little).
                frame.Items[frame.Filled++] = ReadTerm();
                continue;
            }
            frames.Pop();
            Leave();
            var built = Close(frame);
            if (frames.Count == 0)
                return built;
            var parent = frames.Peek();
            parent.Items[parent.Filled++] = built;
        }
    }

    private readonly bool IsNonEmptyContainer(byte tag) => tag switch
    {
        EtfTag.SmallTuple => Remaining >= 2 && _buffer[_pos + 1] != 0,
        EtfTag.LargeTuple or EtfTag.List or EtfTag.Map => true,
        _ => false,
    };

    /// <summary>Reads a container's header and makes its frame (a list's last item is its tail, a map's items are
    /// key, value, key, value ...). Empty ones are read by <see cref="ReadTerm"/> and never get here.</summary>
    private Frame OpenFrame()
    {
        var at = _pos;
        var tag = PeekTag();
        Frame frame;
        switch (tag)
        {
            case EtfTag.SmallTuple:
            case EtfTag.LargeTuple:
                frame = new Frame(EtfTag.SmallTuple, at, new Term[ReadTupleHeader()]);
                break;
            case EtfTag.List:
                frame = new Frame(EtfTag.List, at, new Term[ReadListHeader() + 1]);
                break;
            default:
                frame = new Frame(EtfTag.Map, at, new Term[2 * ReadMapHeader()]);
                break;
        }
        if (++_depth > _maxDepth)
            FailDepth();
        return frame;
    }

    private readonly Term Close(Frame frame)
    {
        var items = frame.Items;
        switch (frame.Kind)
        {
            case EtfTag.SmallTuple:
                return items.Length == 0 ? Tuple.Empty : new Tuple(items, trusted: true);
            case EtfTag.List:
                var n = items.Length - 1;
                return n == 0 ? items[0] : List.Create(items.AsSpan(0, n).ToArray(), items[n]);
            default:
                var pairs = new KeyValuePair<Term, Term>[items.Length / 2];
                for (var i = 0; i < pairs.Length; i++)
                    pairs[i] = new KeyValuePair<Term, Term>(items[2 * i], items[2 * i + 1]);
                if (HasDuplicateKeyBounded(pairs, frame.At))
                    Fail("map has a duplicate key", frame.At);
                return new Map(pairs, trusted: true);
        }
    }

    // Comparing keys recurses into them: keys too deep for this thread's stack are refused, not a crash.
    private static bool HasDuplicateKeyBounded(KeyValuePair<Term, Term>[] pairs, int at)
    {
        try
        {
            return HasDuplicateKey(pairs);
        }
        catch (InsufficientExecutionStackException)
        {
            FailLimit("map keys nested too deep to compare", at);
            return false;
        }
    }
}
