using Ergo.Gen.Distribution;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Applications;

// Applications across nodes: starting one on a peer, finding where one runs, and serving a peer's start request.
internal sealed partial class ApplicationController
{
    /// <summary>
    /// Asks another Ergo.Gen node to start one of its applications (it must list it in
    /// <see cref="DistributionOptions.RemoteStartableApplications"/>). Throws with the other node's reason otherwise.
    /// </summary>
    public async Task StartOnAsync(Atom peer, string application, StartType type, CancellationToken cancellationToken)
    {
        var result = await node.RpcAsync(peer, Atom.Of("ergo"), Atom.Of("start_application"), [Atom.Of(application), Atom.Of(type.ToString().ToLowerInvariant())], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result != Atom.Ok)
            throw new ExitException(result, $"{peer} did not start {application}: {result}");
    }

    /// <summary>The nodes running <paramref name="application"/>: what the registrar says
    /// (<see cref="DistributionOptions.Registrar"/>), or else the connected nodes (Erlang ones included) that list it
    /// in application:which_applications/0; and this node if it runs it.</summary>
    public async Task<IReadOnlyList<Atom>> WhereIsAsync(string application, CancellationToken cancellationToken)
    {
        var name = Atom.Of(application);
        var found = WhichApplications().Any(a => a.Name == application) ? new List<Atom> { node.Name } : [];
        if (node.Router.Remote?.Options.Registrar is { } registrar
            && await registrar.ResolveApplicationAsync(application, cancellationToken).ConfigureAwait(false) is { } registered)
        {
            found.AddRange(registered.Where(n => n != node.Name));
            return found;
        }
        var asked = node.ConnectedNodes().Select(async n =>
        {
            try
            {
                var apps = await node.RpcAsync(n, Atom.Of("application"), Atom.Of("which_applications"), [], TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
                return apps is List list && list.Elements.Any(e => e is Etf.Tuple { Arity: >= 1 } t && t[0] == name) ? n : null;
            }
            catch (Exception e) when (e is ExitException or TimeoutException)
            {
                return null;
            }
        });
        found.AddRange((await Task.WhenAll(asked).ConfigureAwait(false)).OfType<Atom>());
        return found;
    }

    public async ValueTask<Term> StartForPeerAsync(DistributionOptions distribution, Term[] args)
    {
        if (args.Length != 2 || args[0] is not Atom app || args[1] is not Atom type)
            return new Etf.Tuple(Atom.Error, Atom.Of("badarg"));
        if (!distribution.RemoteStartableApplications.Contains(app.Name))
        {
            Observability.RuntimeLog.RemoteStartRefused(Logger, app.Name);
            return new Etf.Tuple(Atom.Error, Atom.Of("not_allowed"));
        }
        var startType = type.Name switch { "permanent" => StartType.Permanent, "transient" => StartType.Transient, _ => StartType.Temporary };
        try
        {
            await StartAsync(app.Name, startType).ConfigureAwait(false);
            return Atom.Ok;
        }
        catch (ExitException e)
        {
            return new Etf.Tuple(Atom.Error, e.Reason);
        }
    }
}
