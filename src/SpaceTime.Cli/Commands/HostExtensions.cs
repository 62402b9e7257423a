using Microsoft.Extensions.Hosting;

namespace SpaceTime.Cli.Commands;

internal static class HostExtensions
{
    /// <summary>Hosts own async-only services (the simulation loop), so they must be disposed asynchronously.</summary>
    public static IAsyncDisposable AsAsyncDisposable(this IHost host) =>
        host as IAsyncDisposable ?? throw new InvalidOperationException("the host cannot be disposed asynchronously");
}
