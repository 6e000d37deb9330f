namespace Ergo.Gen.Interop.Tests;

/// <summary>The demo sample as built beside this test (bin/&lt;Configuration&gt;/net10.0), run as a user would.</summary>
internal static class DemoProgram
{
    public static string Dll
    {
        get
        {
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var configuration = framework.Parent!.Name;
            var root = framework.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
            var demo = Path.Combine(root, "samples", "Ergo.Gen.Demo", "bin", configuration, framework.Name, "Ergo.Gen.Demo.dll");
            Assert.True(File.Exists(demo), $"demo not built at {demo}");
            return demo;
        }
    }
}
