using System.Collections.Concurrent;
using Ergo.Gen.Etf;

namespace Ergo.Gen.Processes;

/// <summary>Registered names: one name per process, one process per name, freed when the process ends.</summary>
internal sealed class Registry
{
    private readonly ConcurrentDictionary<Atom, Process> _names = new();

    public bool TryAdd(Atom name, Process process) => _names.TryAdd(name, process);

    public void Remove(Atom name, Process process) => _names.TryRemove(new KeyValuePair<Atom, Process>(name, process));

    public Process? Whereis(Atom name) => _names.TryGetValue(name, out var p) && p.IsAlive ? p : null;

    public Atom[] Names => _names.Keys.ToArray();
}
