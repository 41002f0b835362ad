namespace EduVpnActors.Messages;

/// <summary>
/// Marker for every event and snapshot the engine writes to its journal or snapshot store.
/// Exactly this one type is bound to the engine's own serializer, so nothing persisted ever
/// carries a CLR type or assembly name.
/// </summary>
public interface IPersistedMessage;

/// <summary>
/// The stable, versioned manifest a persisted type is stored under, for example
/// <c>discovery-list-accepted.v1</c>. A changed shape gets a new manifest; old ones stay readable.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PersistedAsAttribute(string manifest) : Attribute
{
    /// <summary>The manifest string written next to the payload.</summary>
    public string Manifest { get; } = manifest;
}
