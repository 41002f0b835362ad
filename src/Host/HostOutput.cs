using System.Text.Json;
using System.Text.Json.Serialization;

namespace EduVpnActors.Host;

/// <summary>Machine-readable output for <c>--json</c>.</summary>
internal static class HostOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static void Json(object value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Options));
}
