namespace EduVpnActors.Actors.Discovery.Search;

/// <summary>A search result; a lower <paramref name="Score"/> is a better match (0 for an empty query).</summary>
public sealed record SearchHit<T>(T Item, int Score);
