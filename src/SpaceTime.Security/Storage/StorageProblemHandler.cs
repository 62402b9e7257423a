using Microsoft.AspNetCore.Diagnostics;
using SpaceTime.Security.Http;

namespace SpaceTime.Security.Storage;

/// <summary>
/// Answers a request whose records could not be made durable with 503 <c>problem+json</c> naming the storage
/// problem, and <c>Retry-After</c>: the write was not acknowledged, and storage recovers by itself.
/// </summary>
public sealed class StorageProblemHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (Find(exception) is not { } storage || httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.Headers.RetryAfter = StorageHealth.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = ApiProblems.Create(StatusCodes.Status503ServiceUnavailable,
            $"Not saved: the {storage.Store} cannot be written ({storage.Problem}). Retry when storage recovers.",
            new Dictionary<string, object?> { ["storage"] = storage.Store, ["storage_problem"] = storage.Problem });
        await problem.ExecuteAsync(httpContext);
        return true;
    }

    internal static StorageUnavailableException? Find(Exception? e) => e switch
    {
        null => null,
        StorageUnavailableException s => s,
        AggregateException { InnerExceptions.Count: 1 } a => Find(a.InnerExceptions[0]),
        _ => Find(e.InnerException),
    };
}
