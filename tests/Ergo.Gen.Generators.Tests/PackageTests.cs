using Xunit.Abstractions;

namespace Ergo.Gen.Generators.Tests;

/// <summary>
/// The package as a new user meets it: packed into a folder feed, referenced from a fresh `dotnet new console`
/// project, a [GenServer] built and run; and an analyzer diagnostic showing up in that project's build.
/// </summary>
public sealed class PackageTests(ITestOutputHelper output)
{
    private static string Root()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Ergo.Gen.sln")))
            root = root.Parent;
        return root!.FullName;
    }

    private ProcessResult Dotnet(string workingDirectory, params string[] args)
    {
        var result = ProcessRunner.Run("dotnet", args, TimeSpan.FromMinutes(5), workingDirectory);
        output.WriteLine($"dotnet {string.Join(' ', args)} -> {result.ExitCode}");
        return result;
    }

    [Fact]
    public void A_fresh_console_project_gets_generated_code_and_diagnostics_from_the_package()
    {
        var root = Root();
        var work = Directory.CreateTempSubdirectory("ergo-pkg-").FullName;
        // A version of its own, so NuGet's global cache never hands back an older build of this package.
        var version = $"0.1.0-test{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        try
        {
            var feed = Path.Combine(work, "feed");
            foreach (var project in new[] { "src/Ergo.Gen.Etf", "src/Ergo.Gen" })
            {
                var pack = Dotnet(root, "pack", Path.Combine(root, project), "-c", "Release", "-o", feed, $"-p:Version={version}");
                Assert.True(pack.ExitCode == 0, pack.Output);
            }

            var app = Path.Combine(work, "app");
            var created = Dotnet(work, "new", "console", "-o", app, "--name", "PackageUser");
            Assert.True(created.ExitCode == 0, created.Output);
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
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

            // The analyzers came with the package: a [GenServer] that is not partial is EG0001 in a plain build.
            File.WriteAllText(Path.Combine(app, "Broken.cs"), "[Ergo.Gen.GenServer] public class Broken { }\n");
            var build = Dotnet(app, "build", "-c", "Release");
            Assert.NotEqual(0, build.ExitCode);
            Assert.True(build.Output.Contains("EG0001"), build.Output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
