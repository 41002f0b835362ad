namespace EduVpnActors.Messages.Servers;

/// <summary>The kind of eduVPN server; the numbers are eduvpn-common's.</summary>
public enum ServerType
{
    /// <summary>Not known.</summary>
    Unknown = 0,
    /// <summary>An institute's server from discovery (<c>institute_access</c>).</summary>
    InstituteAccess = 1,
    /// <summary>Secure Internet: a home organization's server plus a chosen location (<c>secure_internet</c>).</summary>
    SecureInternet = 2,
    /// <summary>Any server added by URL (<c>custom_server</c>).</summary>
    Custom = 3,
}

/// <summary>The names of <see cref="ServerType"/> a person reads.</summary>
public static class ServerTypeNames
{
    /// <summary>"Institute Access", "Secure Internet", "Custom" (eduVPN's own names for them, not translated).</summary>
    public static string DisplayName(ServerType type) => type switch
    {
        ServerType.InstituteAccess => "Institute Access",
        ServerType.SecureInternet => "Secure Internet",
        ServerType.Custom => "Custom",
        _ => "Unknown",
    };
}
