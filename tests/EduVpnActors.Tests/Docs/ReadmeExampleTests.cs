namespace EduVpnActors.Tests.Docs;

/// <summary>The README's embedding example is the compiled <see cref="ReadmeExample"/>, line for line.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void EmbeddingExample_InReadme_IsTheCompiledExample()
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        var section = readme.IndexOf("## Embedding", StringComparison.Ordinal);
        Assert.True(section >= 0, "README has no '## Embedding' section");
        var start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        var end = readme.IndexOf("```", start, StringComparison.Ordinal);
        var shown = Lines(readme[start..end]);

        var source = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "tests", "EduVpnActors.Tests", "Docs", "ReadmeExample.cs"));
        var from = source.IndexOf("// README:begin", StringComparison.Ordinal);
        var to = source.IndexOf("// README:end", StringComparison.Ordinal);
        var compiled = Lines(source[(source.IndexOf('\n', from) + 1)..source.LastIndexOf('\n', to)]);

        Assert.Equal(compiled, shown);
    }

    private static string[] Lines(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n').Select(l => l.Trim()).ToArray();
}
