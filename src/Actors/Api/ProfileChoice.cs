using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Api;

/// <summary>What to do about the profile before <c>/connect</c>.</summary>
public abstract record ProfileDecision
{
    private ProfileDecision()
    {
    }

    /// <summary>Connect with this profile (the only one, or the valid stored choice).</summary>
    public sealed record Use(Profile Profile) : ProfileDecision;

    /// <summary>Ask the user to pick one of these profiles.</summary>
    public sealed record Ask(IReadOnlyList<Profile> Profiles) : ProfileDecision;
}

/// <summary>Profile choice (behaviour reference §5.3, client rule 24).</summary>
public static class ProfileChoice
{
    /// <summary>
    /// No profiles → <see cref="ApiErrorKind.NoProfiles"/>; exactly one → use it without asking;
    /// more → use the stored choice when it is still listed, else ask.
    /// </summary>
    public static ProfileDecision Choose(IReadOnlyList<Profile> profiles, string? storedCurrent)
    {
        if (profiles.Count == 0)
        {
            throw new ApiException(ApiErrorKind.NoProfiles, "the server has no available profiles for your account");
        }
        if (profiles.Count == 1)
        {
            return new ProfileDecision.Use(profiles[0]);
        }
        var stored = profiles.FirstOrDefault(p => p.Id == storedCurrent);
        return stored is null ? new ProfileDecision.Ask(profiles) : new ProfileDecision.Use(stored);
    }

    /// <summary>Validates the user's answer to an ask; an unknown ID fails with <see cref="ApiErrorKind.InvalidProfile"/>.</summary>
    public static Profile Accept(IReadOnlyList<Profile> profiles, string answer) =>
        profiles.FirstOrDefault(p => p.Id == answer)
        ?? throw new ApiException(ApiErrorKind.InvalidProfile, $"the profile '{answer}' is not offered by the server");
}
