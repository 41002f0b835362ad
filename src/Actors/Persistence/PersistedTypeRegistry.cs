using System.Collections.Frozen;
using System.Reflection;
using EduVpnActors.Messages;

namespace EduVpnActors.Actors.Persistence;

/// <summary>
/// Maps every persisted type to its manifest and back, found by the <see cref="PersistedAsAttribute"/>
/// on the types themselves so that each feature declares its own events without a central list.
/// </summary>
public static class PersistedTypeRegistry
{
    private static readonly Lazy<(FrozenDictionary<Type, string> ByType, FrozenDictionary<string, Type> ByManifest)> Tables =
        new(Build);

    /// <summary>Every persisted type with its manifest.</summary>
    public static IReadOnlyDictionary<Type, string> ManifestsByType => Tables.Value.ByType;

    /// <summary>The manifest of a persisted type; throws when it has no <see cref="PersistedAsAttribute"/>.</summary>
    public static string ManifestOf(Type type) =>
        Tables.Value.ByType.TryGetValue(type, out var manifest)
            ? manifest
            : throw new InvalidOperationException($"{type.Name} implements IPersistedMessage but has no [PersistedAs] manifest.");

    /// <summary>The type of a manifest, if one is known.</summary>
    public static bool TryResolve(string manifest, out Type type) =>
        Tables.Value.ByManifest.TryGetValue(manifest, out type!);

    private static (FrozenDictionary<Type, string>, FrozenDictionary<string, Type>) Build()
    {
        var byType = new Dictionary<Type, string>();
        var byManifest = new Dictionary<string, Type>(StringComparer.Ordinal);
        var assemblies = new[] { typeof(IPersistedMessage).Assembly, typeof(PersistedTypeRegistry).Assembly };
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            if (!typeof(IPersistedMessage).IsAssignableFrom(type) || type.IsAbstract || type.IsInterface)
            {
                continue;
            }
            var manifest = type.GetCustomAttribute<PersistedAsAttribute>()?.Manifest
                ?? throw new InvalidOperationException($"{type.FullName} is persisted but has no [PersistedAs] manifest.");
            if (!byManifest.TryAdd(manifest, type))
            {
                throw new InvalidOperationException($"Manifest '{manifest}' is used by both {byManifest[manifest].FullName} and {type.FullName}.");
            }
            byType[type] = manifest;
        }
        return (byType.ToFrozenDictionary(), byManifest.ToFrozenDictionary(StringComparer.Ordinal));
    }
}
