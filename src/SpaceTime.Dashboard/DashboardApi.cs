using Microsoft.AspNetCore.Http.HttpResults;

namespace SpaceTime.Dashboard;

/// <summary>
/// Serves the embedded dashboard: <c>GET /web/{file}</c> on both hosts and, with the operations view, <c>GET /</c>.
/// Open to anyone (the files carry no data); every API call the pages make needs a token.
/// </summary>
public static class DashboardApi
{
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app, DashboardPages pages)
    {
        var assets = new DashboardAssets(pages);
        // /web/ opens the host's own page.
        var home = pages.HasFlag(DashboardPages.Operations) ? "index.html" : "scene_manager.html";
        var web = app.MapGroup("/web").WithTags("Dashboard").AllowAnonymous().ExcludeFromDescription();
        web.MapGet("/{**file}", (string? file, HttpContext context) => Serve(assets, string.IsNullOrEmpty(file) ? home : file, context));
        if (pages.HasFlag(DashboardPages.Operations))
        {
            app.MapGet("/", (HttpContext context) => Serve(assets, "index.html", context)).WithTags("Dashboard").AllowAnonymous().ExcludeFromDescription();
        }

        return app;
    }

    public static Results<FileStreamHttpResult, NotFound> Serve(DashboardAssets assets, string path, HttpContext context)
    {
        if (!assets.TryGet(path, out var file, out var contentType))
        {
            return TypedResults.NotFound();
        }

        // Revalidated on every load, so a new binary's pages are seen at once.
        context.Response.Headers.CacheControl = "no-cache";
        return TypedResults.Stream(file.CreateReadStream(), contentType, lastModified: file.LastModified, entityTag: null);
    }
}
