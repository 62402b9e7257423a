namespace SpaceTime.Cli.Commands;

/// <summary>The demo game shipped beside the executable.</summary>
internal static class BundledProject
{
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "project");

    public const string MainScene = "res://vr_main.tscn";
}
