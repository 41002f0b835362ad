using System.Reflection;
using System.Text;
using EduVpnActors.Actors.Discovery.Documents;
using EduVpnActors.Actors.Discovery.Signatures;
using EduVpnActors.Messages.Discovery;

namespace EduVpnActors.Actors.Discovery;

/// <summary>
/// The signed discovery snapshot shipped inside the library (official rule 12): used only when no
/// cached copy exists and the network fails, and verified with the production keys every time it is
/// loaded, exactly like a download.
/// </summary>
public static class BundledDiscovery
{
    /// <summary>The bundled list of <paramref name="kind"/>, verified and parsed, or the reason it cannot be used.</summary>
    public static (ParsedDiscovery? List, string? Problem) Load(DiscoveryListKind kind, bool requirePrehashed)
    {
        var fileName = DiscoveryFetcher.FileName(kind);
        try
        {
            var document = ReadResource(fileName);
            var signature = Encoding.UTF8.GetString(ReadResource(fileName + ".minisig"));
            new MinisignVerifier(MinisignVerifier.ProductionKeys, requirePrehashed).Verify(document, signature, fileName, 0);
            return (ParsedDiscovery.Parse(kind, document), null);
        }
        catch (Exception e) when (e is SignatureException or DiscoveryFormatException or InvalidOperationException)
        {
            return (null, $"The bundled {fileName} cannot be used: {e.Message}");
        }
    }

    private static byte[] ReadResource(string fileName)
    {
        var name = $"EduVpnActors.bundled.{fileName}";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The resource {name} is missing from this build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
