namespace EduVpnActors.Actors.Localization;

/// <summary>
/// What a host says about a profile or location question (<see cref="ErrorTexts.For"/> gives the text in the user's
/// language): the console host's prompt titles, and its failure when it cannot ask.
/// </summary>
public enum HostChoiceText
{
    /// <summary>A profile must be chosen and the host cannot ask (no terminal, or a script).</summary>
    ProfileRequired,

    /// <summary>A location must be chosen and the host cannot ask (no terminal, or a script).</summary>
    LocationRequired,

    /// <summary>The title of the profile prompt.</summary>
    WhichProfile,

    /// <summary>The title of the location prompt.</summary>
    WhichLocation,

    /// <summary>Before the list of choices; <c>{0}</c> is the option to pass, e.g. <c>--profile ID</c>.</summary>
    PassOneOf,
}
