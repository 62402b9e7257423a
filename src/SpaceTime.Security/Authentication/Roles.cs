namespace SpaceTime.Security.Authentication;

/// <summary>Roles, each including everything the ones below it may do: admin ⊃ developer ⊃ readonly ⊃ guest.</summary>
public static class Roles
{
    public const string Guest = "guest";
    public const string ReadOnly = "readonly";
    public const string Developer = "developer";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Guest, ReadOnly, Developer, Admin];

    public static bool IsValid(string? role) => role is not null && All.Contains(role);

    /// <summary>Rank in the inheritance chain; -1 for an unknown role.</summary>
    public static int Rank(string? role) => role is null ? -1 : All.ToList().IndexOf(role);

    public static bool Includes(string? role, string required) => Rank(role) >= Rank(required) && Rank(required) >= 0;
}

/// <summary>What an endpoint requires, and the least role that has it.</summary>
public static class Permissions
{
    public const string HealthRead = "health:read";
    public const string StatusRead = "status:read";
    public const string StateRead = "state:read";
    public const string SceneRead = "scene:read";
    public const string PerformanceRead = "performance:read";
    public const string MetricsRead = "metrics:read";
    public const string SceneWrite = "scene:write";
    public const string InputWrite = "input:write";
    public const string TimeControl = "time:control";
    public const string DebugRead = "debug:read";
    public const string AuthManage = "auth:manage";
    public const string WhitelistManage = "whitelist:manage";
    public const string ProcessControl = "process:control";

    public static readonly IReadOnlyDictionary<string, string> MinimumRole = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [HealthRead] = Roles.Guest,
        [StatusRead] = Roles.ReadOnly,
        [StateRead] = Roles.ReadOnly,
        [SceneRead] = Roles.ReadOnly,
        [PerformanceRead] = Roles.ReadOnly,
        [MetricsRead] = Roles.ReadOnly,
        [SceneWrite] = Roles.Developer,
        [InputWrite] = Roles.Developer,
        [TimeControl] = Roles.Developer,
        [DebugRead] = Roles.Developer,
        [AuthManage] = Roles.Admin,
        [WhitelistManage] = Roles.Admin,
        [ProcessControl] = Roles.Admin,
    };

    public static bool Allows(string? role, string permission) =>
        MinimumRole.TryGetValue(permission, out var minimum) && Roles.Includes(role, minimum);
}
