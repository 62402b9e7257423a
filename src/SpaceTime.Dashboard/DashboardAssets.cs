using System.Reflection;
using Microsoft.Extensions.FileProviders;

namespace SpaceTime.Dashboard;

/// <summary>Which embedded pages a host serves.</summary>
[Flags]
public enum DashboardPages
{
    /// <summary><c>scene_manager.html</c>: the game API serves it (and the manager proxies it under <c>/godot/web/</c>).</summary>
    SceneManager = 1,

    /// <summary><c>index.html</c>: the operations view, served by the manager at <c>/</c> and <c>/web/</c>.</summary>
    Operations = 2,
}

/// <summary>
/// The dashboard's files, embedded in the assembly (<see cref="ManifestEmbeddedFileProvider"/> over <c>web/</c>). Each
/// host sees the shared assets plus its own page; nothing here holds data, so the files are served without a token.
/// </summary>
public sealed class DashboardAssets
{
    private static readonly ManifestEmbeddedFileProvider Files = new(Assembly.GetExecutingAssembly(), "web");

    private static readonly Dictionary<string, DashboardPages> PageFiles = new(StringComparer.Ordinal)
    {
        ["scene_manager.html"] = DashboardPages.SceneManager,
        ["js/scene_manager.js"] = DashboardPages.SceneManager,
        ["index.html"] = DashboardPages.Operations,
        ["js/operations.js"] = DashboardPages.Operations,
    };

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".txt"] = "text/plain; charset=utf-8",
        [""] = "text/plain; charset=utf-8",
    };

    public DashboardAssets(DashboardPages pages) => Pages = pages;

    public DashboardPages Pages { get; }

    /// <summary>The file at <paramref name="path"/> (relative to <c>web/</c>) if this host serves it.</summary>
    public bool TryGet(string path, out IFileInfo file, out string contentType)
    {
        file = new NotFoundFileInfo(path);
        contentType = "";
        if (path.Length == 0 || path.Contains("..", StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal)
            || (PageFiles.TryGetValue(path, out var page) && !Pages.HasFlag(page))
            || !ContentTypes.TryGetValue(Path.GetExtension(path), out var type))
        {
            return false;
        }

        file = Files.GetFileInfo(path);
        contentType = type;
        return file.Exists && !file.IsDirectory;
    }
}
