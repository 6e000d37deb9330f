using Xunit.Abstractions;

namespace Ergo.Gen.Generators.Tests;

/// <summary>The packages, packed once into a folder feed with a version of their own (so NuGet's global cache never
/// hands back an older build).</summary>
public sealed class PackedFeed : IDisposable
{
    public PackedFeed()
    {
        Root = new DirectoryInfo(AppContext.BaseDirectory).FullName;
        while (!File.Exists(Path.Combine(Root, "Ergo.Gen.sln")))
            Root = Path.GetDirectoryName(Root)!;
        Work = Directory.CreateTempSubdirectory("ergo-pkg-").FullName;
        Feed = Path.Combine(Work, "feed");
        Version = $"0.1.0-test{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        // The whole repository, as a user types `dotnet pack` at its root.
        var pack = ProcessRunner.Run("dotnet", ["pack", Path.Combine(Root, "Ergo.Gen.sln"), "-c", "Release", "-o", Feed, $"-p:Version={Version}"], TimeSpan.FromMinutes(8));
        if (pack.ExitCode != 0)
            throw new InvalidOperationException($"dotnet pack failed:\n{pack.Output}");
        Packages = Directory.GetFiles(Feed, "*.nupkg").Select(f => Path.GetFileName(f)[..^($".{Version}.nupkg".Length)]).Order().ToArray();
    }

    /// <summary>The package ids the pack produced.</summary>
    public string[] Packages { get; }

    public string Root { get; }
    public string Work { get; }
    public string Feed { get; }
    public string Version { get; }

    public void Dispose() => Directory.Delete(Work, recursive: true);
}

/// <summary>
/// The package as a new user meets it: referenced from a fresh `dotnet new console` project, a [GenServer] built and
/// run, and an analyzer diagnostic showing up in that project's build; and the `dotnet new ergo-service` template.
/// </summary>
[Collection(nameof(RepositoryBuilds))]
public sealed class PackageTests(PackedFeed packed, ITestOutputHelper output) : IClassFixture<PackedFeed>
{
    private ProcessResult Dotnet(string workingDirectory, params string[] args)
    {
        var result = ProcessRunner.Run("dotnet", args, TimeSpan.FromMinutes(5), workingDirectory);
        output.WriteLine($"dotnet {string.Join(' ', args)} -> {result.ExitCode}");
        return result;
    }

    private void FeedConfig(string directory) => File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <add key="local" value="{packed.Feed}" />
          </packageSources>
        </configuration>
        """);

    [Fact]
    public void Packing_the_repository_gives_the_runtime_packages_and_nothing_else()
    {
        // The generators and analyzers travel inside Ergo.Gen (analyzers/dotnet/cs), not as packages of their own.
        Assert.Equal(["Ergo.Gen", "Ergo.Gen.Etf", "Ergo.Gen.Hosting", "Ergo.Gen.Templates", "Ergo.Gen.WebObserver"], packed.Packages);
    }

    [Fact]
    public void A_fresh_console_project_gets_generated_code_and_diagnostics_from_the_package()
    {
        var work = Path.Combine(packed.Work, "console");
        var version = packed.Version;
        var app = Path.Combine(work, "app");
        Directory.CreateDirectory(work);
        var created = Dotnet(work, "new", "console", "-o", app, "--name", "PackageUser");
        Assert.True(created.ExitCode == 0, created.Output);
        FeedConfig(app);
        var added = Dotnet(app, "add", "package", "Ergo.Gen", "--version", version);
        Assert.True(added.ExitCode == 0, added.Output);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Ergo.Gen;
            using Ergo.Gen.Generated;

            await using var node = new Node(new NodeOptions { Name = "pkg@127.0.0.1" });
            await Adder.StartAsync(node);
            Console.WriteLine(await node.CallAsync(Adder.RegisteredAs, new Add(40)));
            Console.WriteLine(await node.CallAsync(Adder.RegisteredAs, new Add(2)));
            Console.WriteLine(TermCodec.ToTerm(new Add(7)));

            [Term] public sealed record Add(int N);
            [Term] public sealed record Total(long Value);

            [GenServer(Name = "adder")]
            public partial class Adder
            {
                private long _total;
                [Call] Total Handle(Add m) => new(_total += m.N);
            }
            """);
        var run = Dotnet(app, "run", "-c", "Release");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Total { Value = 42 }", run.Output);
        Assert.Contains("{add,7}", run.Output);

        // The generator's diagnostics came with the package and show in a plain build at the user's lines, also
        // beside an error of the user's own (which hides analyzer diagnostics); nothing fails inside generated code.
        File.WriteAllText(Path.Combine(app, "Broken.cs"), """
            using Ergo.Gen;
            using Ergo.Gen.Etf;
            [GenServer] public class Broken { }
            [GenServer] public partial class Twice { [Call] int A(Atom a) => 1; [Call] int B(Atom a) => 2; }
            [Term] public sealed record Blob(System.IO.Stream Data);
            public class Outer { [GenServer] public partial class Inner { [Cast] async void Go(Atom a) { await System.Threading.Tasks.Task.Yield(); } } }
            public static class Mistake { public static int Value = "not a number"; }
            """);
        var build = Dotnet(app, "build", "-c", "Release");
        Assert.NotEqual(0, build.ExitCode);
        foreach (var expected in new[] { "Broken.cs(3,26): error EG0001", "Broken.cs(4,80): error EG0004", "Broken.cs(5,51): error EG0005",
                     "Broken.cs(6,14): error EG0001", "Broken.cs(6,81): error EG0011", "Broken.cs(7,57): error CS0029" })
            Assert.True(build.Output.Contains(expected), $"no '{expected}' in:\n{build.Output}");
        Assert.DoesNotContain(".g.cs(", build.Output);
    }

    [Fact]
    public void The_ergo_service_template_creates_a_node_that_builds_and_answers()
    {
        var work = Path.Combine(packed.Work, "template");
        Directory.CreateDirectory(work);
        // A private template hive: installing here leaves the user's dotnet new untouched.
        var hive = Path.Combine(work, "hive");
        var install = Dotnet(work, "new", "install", Path.Combine(packed.Feed, $"Ergo.Gen.Templates.{packed.Version}.nupkg"), "--debug:custom-hive", hive);
        Assert.True(install.ExitCode == 0, install.Output);
        var created = Dotnet(work, "new", "ergo-service", "-n", "Shop.Node", "--ErgoVersion", packed.Version, "--NodeName", "shop_tpl@127.0.0.1", "--debug:custom-hive", hive);
        Assert.True(created.ExitCode == 0, created.Output);
        var app = Path.Combine(work, "Shop.Node");
        Assert.True(File.Exists(Path.Combine(app, "Shop.Node.csproj")), created.Output);
        FeedConfig(app);

        var run = Dotnet(app, "run", "-c", "Release", "--", "--cookie", "tpl", "--once");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("'shop_tpl@127.0.0.1' ready", run.Output);
        Assert.Contains("Greeting { Text = Hello, Ada (#1) }", run.Output);
    }
}
