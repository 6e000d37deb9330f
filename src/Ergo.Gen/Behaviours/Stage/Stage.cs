using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Behaviours;

/// <summary>
/// Elixir's GenStage on top of <see cref="GenServer"/>: demand flows from consumers to producers and events flow
/// back, never more than asked for. Derive from <see cref="Producer{T}"/>, <see cref="Consumer{T}"/> or
/// <see cref="ProducerConsumer{TIn, TOut}"/> (or their untyped forms, whose events are any object). The messages
/// are GenStage's own, so Elixir stages on other nodes subscribe to these stages and these stages subscribe to
/// theirs. The work is done by <see cref="Stage{TIn, TOut}"/>; this base is what every stage is, whatever its
/// event types.
/// </summary>
public abstract class Stage : GenServer
{
    private protected enum StageRole
    {
        Producer,
        Consumer,
        ProducerConsumer,
    }

    private protected Stage() { }

    /// <summary>
    /// GenStage's API for .NET callers, in the same idiom as a generated server's client:
    /// <c>Totals.Client.For(node, consumer).SubscribeAsync(producer)</c>.
    /// </summary>
    public readonly struct Client
    {
        private readonly Node _node;
        private readonly Pid _stage;

        private Client(Node node, Pid stage) => (_node, _stage) = (node, stage);

        public static Client For(Node node, Pid stage)
        {
            ArgumentNullException.ThrowIfNull(node);
            ArgumentNullException.ThrowIfNull(stage);
            return new(node, stage);
        }

        public Pid Pid => _stage;

        /// <summary>GenStage.sync_subscribe: makes this consumer subscribe to <paramref name="producer"/>.
        /// Returns the subscription tag, or throws with GenStage's error term.</summary>
        public async Task<Term> SubscribeAsync(StageAddress producer, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
        {
            var reply = await _node.CallAsync(_stage, new StageSubscribeCall(producer, options ?? new SubscribeOptions()), cancellationToken: cancellationToken).ConfigureAwait(false);
            return reply is Etf.Tuple { Arity: 2 } t && t[0] == StageProtocol.Ok
                ? t[1]
                : throw new ExitException(reply is Etf.Tuple { Arity: 2 } error ? error[1] : reply as Term ?? Atom.Undefined, $"subscribing {_stage} to {producer} failed: {reply}");
        }

        /// <summary>GenStage.demand/2 on this producer: forward demand to handle_demand, or accumulate it.</summary>
        public void SetDemandMode(DemandMode mode) =>
            _node.Cast(_stage, new Etf.Tuple(StageProtocol.DemandRequest, mode == DemandMode.Accumulate ? StageProtocol.Accumulate : StageProtocol.Forward));
    }
}
