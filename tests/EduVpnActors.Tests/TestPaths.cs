namespace EduVpnActors.Tests;

/// <summary>Locates the repository root and the read-only reference material beside it.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EduVpnActors.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("EduVpnActors.sln not found above the test binaries.");
    });

    public static string RepoRoot => Root.Value;

    /// <summary>A path under <c>../shared</c> next to the repository.</summary>
    public static string Shared(params string[] parts) =>
        Path.Combine([Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared")), .. parts]);
}
