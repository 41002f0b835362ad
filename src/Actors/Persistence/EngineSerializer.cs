using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Akka.Actor;
using Akka.Serialization;

namespace EduVpnActors.Actors.Persistence;

/// <summary>
/// The one serializer for everything the engine persists: System.Text.Json payloads under
/// versioned string manifests. No type names are written; an unknown manifest (a journal written
/// by a newer version) is a <see cref="SerializationException"/>, never a guess.
/// </summary>
public sealed class EngineSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer id (also in <c>engine.conf</c>).</summary>
    public const int Id = 4711;

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        // Compiled metadata first (no reflection or emitted code at start); reflection for anything it lacks.
        TypeInfoResolver = JsonTypeInfoResolver.Combine(EngineJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    /// <inheritdoc/>
    public override int Identifier => Id;

    /// <inheritdoc/>
    public override string Manifest(object o) => PersistedTypeRegistry.ManifestOf(o.GetType());

    /// <inheritdoc/>
    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), JsonOptions);

    /// <inheritdoc/>
    public override object FromBinary(byte[] bytes, string manifest) => Decode(bytes, manifest);

    /// <summary>
    /// The decoding of <see cref="FromBinary"/>, without an actor system, so that
    /// <see cref="StorageHealth"/> can prove at start that recovery will be able to read every row.
    /// </summary>
    /// <exception cref="SerializationException">Unknown manifest, or a payload that is not that manifest's JSON.</exception>
    internal static object Decode(byte[] bytes, string manifest)
    {
        if (!PersistedTypeRegistry.TryResolve(manifest, out var type))
        {
            throw new SerializationException($"Unknown manifest '{manifest}': the journal was written by a newer or foreign version of the engine.");
        }
        try
        {
            return JsonSerializer.Deserialize(bytes, type, JsonOptions)
                ?? throw new SerializationException($"Empty payload for manifest '{manifest}'.");
        }
        catch (JsonException e)
        {
            throw new SerializationException($"Corrupt payload for manifest '{manifest}': {e.Message}", e);
        }
    }
}
