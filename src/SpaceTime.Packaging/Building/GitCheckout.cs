using System.ComponentModel;

namespace SpaceTime.Packaging.Building;

/// <summary>Where the sources came from, as git knows it; "unknown" when the folder is not a git checkout or git is missing.</summary>
public sealed record GitCheckout(string Commit, string Branch, IReadOnlyList<string> RecentChanges)
{
    public const string Unknown = "unknown";

    public static async Task<GitCheckout> ReadAsync(string sourceRoot, CancellationToken cancellationToken)
    {
        // Only the source folder's own repository counts, not one that happens to contain it (a temp folder inside a checkout).
        var environment = new Dictionary<string, string?>
        {
            ["GIT_CEILING_DIRECTORIES"] = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(sourceRoot))),
            ["GIT_DIR"] = null,
            ["GIT_WORK_TREE"] = null,
            ["LC_ALL"] = "C",
        };

        async Task<string?> Git(params string[] arguments)
        {
            try
            {
                var (code, output) = await ExternalCommand.RunAsync("git", arguments, sourceRoot, environment, cancellationToken);
                return code == 0 ? output.TrimEnd('\n') : null;
            }
            catch (Win32Exception)
            {
                return null;
            }
        }

        var commit = await Git("rev-parse", "--verify", "HEAD");
        if (commit is null)
        {
            return new GitCheckout(Unknown, Unknown, []);
        }

        var branch = await Git("rev-parse", "--abbrev-ref", "HEAD");
        var log = await Git("log", "-n", "30", "--no-merges", "--format=%h %s");
        return new GitCheckout(commit, branch ?? Unknown, log is null ? [] : log.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
