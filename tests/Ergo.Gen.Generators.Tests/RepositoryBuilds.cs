namespace Ergo.Gen.Generators.Tests;

/// <summary>
/// Tests that run `dotnet` on the repository's own projects (publish, pack). They build src/Ergo.Gen into the same
/// obj folder, and pack builds it with a version of its own: run side by side, one wrote Ergo.Gen.pdb while the
/// other's native compiler opened it (CI failed so once). They take turns; other tests still run beside them.
/// </summary>
[CollectionDefinition(nameof(RepositoryBuilds))]
public sealed class RepositoryBuilds;
