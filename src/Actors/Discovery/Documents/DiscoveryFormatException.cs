namespace EduVpnActors.Actors.Discovery.Documents;

/// <summary>
/// A discovery document is not valid JSON or does not have the expected shape. The message names
/// the file and the problem, never the document's content.
/// </summary>
public sealed class DiscoveryFormatException : Exception
{
    /// <summary>Creates the exception for a problem in the document <paramref name="fileName"/>.</summary>
    public DiscoveryFormatException(string fileName, string problem, Exception? innerException = null)
        : base($"{fileName}: {problem}", innerException)
    {
        FileName = fileName;
        Problem = problem;
    }

    /// <summary><c>server_list.json</c> or <c>organization_list.json</c>.</summary>
    public string FileName { get; }

    /// <summary>What is wrong, e.g. <c>entry 3: 'base_url' is missing</c>.</summary>
    public string Problem { get; }
}
