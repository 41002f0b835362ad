using EduVpnActors.Actors.Api;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Client;

/// <summary>
/// Checks a profile or location the host chose up front (<c>GetConfig.ProfileId</c>, <c>GetConfig.CountryCode</c>;
/// the console's <c>--profile</c>, <c>--location</c>) against what the server offers. A wrong one is an
/// <see cref="ClientErrorKind.InvalidChoice"/> that lists the real choices, so a host can offer them.
/// </summary>
public static class HostChoices
{
    /// <summary>
    /// The profile a configuration is asked for, from what <c>/info</c> offers: the host's choice
    /// (<paramref name="wanted"/>, checked; a live configuration of another profile is released first), else
    /// eduvpn-common's rule (<see cref="ProfileChoice.Choose"/>: the only one, the remembered one, or ask).
    /// </summary>
    /// <exception cref="ApiException">The server offers no profile (<see cref="ApiErrorKind.NoProfiles"/>).</exception>
    public static ProfileStep ProfileFor(IReadOnlyList<Profile> offered, ServerRecord record, string? wanted)
    {
        ArgumentNullException.ThrowIfNull(record);
        var decision = ProfileChoice.Choose(offered, record.ProfileId);
        if (wanted is null)
        {
            return decision is ProfileDecision.Use use ? new ProfileStep.Use(use.Profile) : new ProfileStep.Ask(((ProfileDecision.Ask)decision).Profiles);
        }
        if (Profile(offered, wanted, out var profile) is { } wrong)
        {
            return new ProfileStep.Refused(wrong);
        }
        var otherIsLive = profile!.Id != record.ProfileId && record.ConfigExpiresAt is not null;
        return otherIsLive ? new ProfileStep.ReleaseFirst(profile) : new ProfileStep.Use(profile);
    }

    /// <summary>The profile <paramref name="wanted"/> among those <c>/info</c> offers this user, or the error naming them.</summary>
    public static ClientError? Profile(IReadOnlyList<Profile> offered, string wanted, out Profile? profile)
    {
        ArgumentNullException.ThrowIfNull(offered);
        profile = offered.FirstOrDefault(p => p.Id == wanted);
        return profile is not null
            ? null
            : new ClientError(ClientErrorKind.InvalidChoice, $"the profile '{wanted}' is not offered to this account; the profiles are {string.Join(", ", offered.Select(p => p.Id))}")
            {
                Choices = [.. offered.Select(p => new ChoiceOption(p.Id, p.DisplayName))],
            };
    }

    /// <summary>The Secure Internet location <paramref name="wanted"/> (a country code, any case) of <paramref name="record"/>, or the error naming them.</summary>
    public static ClientError? Location(ServerRecord record, ServerList servers, string wanted, out DiscoveryServer? location)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(servers);
        location = null;
        if (record.Id.Type != ServerType.SecureInternet)
        {
            return new ClientError(ClientErrorKind.InvalidChoice, $"'{wanted}' is a Secure Internet location, and {record.Id} is not a Secure Internet server") { Choices = [] };
        }
        location = servers.Servers.FirstOrDefault(s => s.Type == ServerType.SecureInternet && string.Equals(s.CountryCode, wanted, StringComparison.OrdinalIgnoreCase));
        if (location is not null)
        {
            return null;
        }
        var offered = ServerResolution.Locations(servers);
        return new ClientError(ClientErrorKind.InvalidChoice, $"'{wanted}' is not a Secure Internet location; the locations are {string.Join(", ", offered)}")
        {
            Choices = [.. offered.Select(code => new ChoiceOption(code, null))],
        };
    }
}

/// <summary>What a configuration request does about the profile (<see cref="HostChoices.ProfileFor"/>).</summary>
public abstract record ProfileStep
{
    private ProfileStep()
    {
    }

    /// <summary>Connect with this profile (remembered first when it is not yet the stored choice).</summary>
    public sealed record Use(Profile Profile) : ProfileStep;

    /// <summary>The host chose this profile while a configuration of another one is live: <c>/disconnect</c> that first (rules 33–35).</summary>
    public sealed record ReleaseFirst(Profile Profile) : ProfileStep;

    /// <summary>Ask the host to pick one of these.</summary>
    public sealed record Ask(IReadOnlyList<Profile> Profiles) : ProfileStep;

    /// <summary>The host's choice is not offered: fail with this error (it lists the offered ones).</summary>
    public sealed record Refused(ClientError Error) : ProfileStep;
}
