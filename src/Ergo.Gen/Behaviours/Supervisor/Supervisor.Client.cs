using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Behaviours;

public partial class Supervisor
{
    /// <summary>
    /// The supervisor API (OTP's <c>supervisor</c> module) for one supervisor of this node, in the same idiom as a
    /// generated server's client: <c>MySup.Client.For(node, pid).WhichChildrenAsync()</c>.
    /// </summary>
    public readonly struct Client
    {
        private readonly Node _node;
        private readonly Pid _supervisor;

        private Client(Node node, Pid supervisor) => (_node, _supervisor) = (node, supervisor);

        public static Client For(Node node, Pid supervisor)
        {
            ArgumentNullException.ThrowIfNull(node);
            ArgumentNullException.ThrowIfNull(supervisor);
            return new(node, supervisor);
        }

        /// <summary>The supervisor this client calls.</summary>
        public Pid Pid => _supervisor;

        /// <summary>supervisor:start_child/2: a spec for static strategies, extra arguments for simple_one_for_one.</summary>
        public async Task<Pid> StartChildAsync(ChildSpec? spec, object[]? args = null, CancellationToken cancellationToken = default) =>
            Unwrap(await CallAsync(new StartChildRequest(spec, args ?? []), cancellationToken).ConfigureAwait(false)) as Pid
                ?? throw new ExitException(Atom.Undefined, "the child did not start");

        /// <summary>supervisor:start_child/2 of a simple_one_for_one supervisor: the extra arguments.</summary>
        public Task<Pid> StartChildAsync(object[] args, CancellationToken cancellationToken = default) => StartChildAsync(null, args, cancellationToken);

        public async Task TerminateChildAsync(string id, CancellationToken cancellationToken = default) =>
            Unwrap(await CallAsync(new TerminateChildRequest(id, null), cancellationToken).ConfigureAwait(false));

        /// <summary>terminate_child of a simple_one_for_one child, by pid.</summary>
        public async Task TerminateChildAsync(Pid child, CancellationToken cancellationToken = default) =>
            Unwrap(await CallAsync(new TerminateChildRequest(null, child), cancellationToken).ConfigureAwait(false));

        public async Task<Pid> RestartChildAsync(string id, CancellationToken cancellationToken = default) =>
            (Pid)Unwrap(await CallAsync(new RestartChildRequest(id), cancellationToken).ConfigureAwait(false))!;

        public async Task DeleteChildAsync(string id, CancellationToken cancellationToken = default) =>
            Unwrap(await CallAsync(new DeleteChildRequest(id), cancellationToken).ConfigureAwait(false));

        /// <summary>supervisor:which_children/1. With a timeout, for observers, which must not wait on a busy
        /// supervisor forever; without, it waits as OTP's does (infinity).</summary>
        public async Task<IReadOnlyList<ChildInfo>> WhichChildrenAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
            (IReadOnlyList<ChildInfo>)(await CallAsync(new WhichChildrenRequest(), cancellationToken, timeout).ConfigureAwait(false))!;

        public async Task<ChildCounts> CountChildrenAsync(CancellationToken cancellationToken = default) =>
            (ChildCounts)(await CallAsync(new CountChildrenRequest(), cancellationToken).ConfigureAwait(false))!;

        // OTP's supervisor calls wait for infinity: a supervisor may be busy starting or stopping children.
        private ValueTask<object?> CallAsync(object request, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
            _node.CallAsync(_supervisor, request, timeout ?? Timeout.InfiniteTimeSpan, cancellationToken);
    }
}
