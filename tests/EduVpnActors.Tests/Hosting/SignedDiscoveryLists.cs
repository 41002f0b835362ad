using System.Text;
using System.Text.Json;
using EduVpnActors.Tests.Discovery;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.Hosting;

/// <summary>Publishes a signed server list naming one Institute Access server (and an empty organization list) on a discovery test server.</summary>
internal static class SignedDiscoveryLists
{
    public static void Publish(DiscoveryTestServer discovery, TestMinisignSigner signer, string instituteUrl)
    {
        var version = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var servers = JsonSerializer.SerializeToUtf8Bytes(new
        {
            v = version,
            server_list = new object[]
            {
                new { base_url = instituteUrl, server_type = "institute_access", display_name = new { en = "Lab Institute", nl = "Lab Instituut" }, support_contact = Array.Empty<string>() },
            },
        });
        var organizations = JsonSerializer.SerializeToUtf8Bytes(new { v = version, organization_list = Array.Empty<object>() });
        PublishFile(discovery, signer, "server_list.json", servers, (ulong)version);
        PublishFile(discovery, signer, "organization_list.json", organizations, (ulong)version);
    }

    private static void PublishFile(DiscoveryTestServer discovery, TestMinisignSigner signer, string name, byte[] document, ulong timestamp)
    {
        var modified = DateTimeOffset.UtcNow.AddMinutes(-5);
        discovery.SetFile(name, document, modified);
        discovery.SetFile(name + ".minisig", Encoding.UTF8.GetBytes(signer.Sign(document, timestamp, name)), modified);
    }
}
