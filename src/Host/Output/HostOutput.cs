using System.Text.Json;
using System.Text.Json.Serialization;
using EduVpnActors.Messages.Connection;

namespace EduVpnActors.Host.Output;

/// <summary>
/// Machine-readable output for <c>--json</c>: exactly one JSON document on stdout per process. Names are
/// snake_case, enum values lower-case snake_case (<c>institute_access</c>, <c>fetch_failed</c>), VPN
/// protocols the server's own names (<c>openvpn</c>, <c>wireguard</c>, <c>wireguard+tcp</c>). Strings are
/// data: every control, format and separator character is a JSON escape, so the document is safe on a terminal.
/// </summary>
internal static class HostOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = TerminalSafeJsonEncoder.Instance,
        Converters = { new VpnProtocolConverter(), new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private static int _documents;

    /// <summary>Whether this process has written its JSON document already.</summary>
    public static bool Written => Volatile.Read(ref _documents) > 0;

    /// <summary>An enum value as <c>--json</c> spells it (lower-case snake_case), e.g. for an error's <c>kind</c>.</summary>
    public static string Snake(Enum value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>The JSON text of <paramref name="value"/> as the host writes it.</summary>
    public static string Serialize(object value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Writes the process's one JSON document on stdout; a second one goes to stderr instead.</summary>
    public static void Json(object value)
    {
        var text = Serialize(value);
        // stdout holds exactly one document: anything after it (a failure while stopping) is told on stderr.
        var writer = Interlocked.Increment(ref _documents) == 1 ? HostConsole.Stdout : Console.Error;
        writer.WriteLine(text);
        writer.Flush();
    }

    /// <summary>The protocol as the server names it (<see cref="VpnProtocolNames.WireName"/>).</summary>
    private sealed class VpnProtocolConverter : JsonConverter<VpnProtocol>
    {
        public override VpnProtocol Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("The host writes protocols; it never reads them.");

        public override void Write(Utf8JsonWriter writer, VpnProtocol value, JsonSerializerOptions options) =>
            writer.WriteStringValue(VpnProtocolNames.WireName(value));
    }
}
