namespace SpaceTime.Manager;

/// <summary>Settings of <c>spacetime manage</c>.</summary>
public sealed class ManagerOptions
{
    public const string SectionName = "Manager";
}
