using System.Collections.Concurrent;
using Ergo.Gen.Etf;
using Ergo.Gen.Processes;

namespace Ergo.Gen.Distribution.Services;

internal enum RpcOutcomeKind { Return, Throw, Exit, Error }

/// <summary>How a function call ended, in erpc's terms (return, throw, exit, error with a stack).</summary>
internal readonly record struct RpcOutcome(RpcOutcomeKind Kind, Term Value, Term Stack);

/// <summary>The functions and spawnable behaviours this node offers to other nodes by module and function name.</summary>
internal sealed class Rpc
{
    private static readonly Atom Undef = Atom.Of("undef");

    private readonly ConcurrentDictionary<(Atom, Atom), Func<Term[], ValueTask<Term>>> _functions = new();
    private readonly ConcurrentDictionary<(Atom, Atom), Func<Term[], Process>> _spawnables = new();

    public void Register(Atom module, Atom function, Func<Term[], ValueTask<Term>> implementation) => _functions[(module, function)] = implementation;

    public void RegisterSpawnable(Atom module, Atom function, Func<Term[], Process> factory) => _spawnables[(module, function)] = factory;

    public Func<Term[], Process>? FindSpawnable(Atom module, Atom function) => _spawnables.GetValueOrDefault((module, function));

    /// <summary>Runs Module:Function(Args); an unknown function is <c>undef</c>, exactly as Erlang reports it.</summary>
    public async ValueTask<RpcOutcome> InvokeAsync(Atom module, Atom function, Term[] args)
    {
        if (!_functions.TryGetValue((module, function), out var implementation))
            return new RpcOutcome(RpcOutcomeKind.Error, Undef, UndefStack(module, function, args));
        try
        {
            return new RpcOutcome(RpcOutcomeKind.Return, await implementation(args).ConfigureAwait(false), List.Nil);
        }
        catch (ExitException e)
        {
            return new RpcOutcome(RpcOutcomeKind.Exit, e.Reason, List.Nil);
        }
        catch (Exception e)
        {
            var reason = (Etf.Tuple)ExitReason.FromException(e);
            return new RpcOutcome(RpcOutcomeKind.Error, reason[0], reason[1]);
        }
    }

    public static Term UndefStack(Atom module, Atom function, Term[] args) =>
        new List(new Etf.Tuple(module, function, args.Length == 0 ? List.Nil : new List(args), List.Nil));
}
