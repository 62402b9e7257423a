using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SpaceTime.Runtime.Tests.Hosting;

/// <summary>Bad settings stop start-up with the key named, never a surprise at the first request.</summary>
public sealed class RuntimeOptionsTests
{
    [Fact]
    public async Task Start_ProjectPathWithoutProjectGodot_FailsNamingTheSetting()
    {
        var empty = RuntimeApiFixture.NewTempFolder("not-a-project");
        var data = RuntimeApiFixture.NewTempFolder("data");
        try
        {
            await using var factory = new FailingStartFixture(empty, data, environment: "test");

            var messages = factory.StartAndCollectFailures();

            Assert.Contains(messages, m => m.Contains("SpaceTime:ProjectPath", StringComparison.Ordinal) && m.Contains(empty, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Start_UnknownEnvironment_FailsNamingTheAllowedValues()
    {
        var project = RuntimeApiFixture.CopyDemoProject();
        var data = RuntimeApiFixture.NewTempFolder("data");
        try
        {
            await using var factory = new FailingStartFixture(project, data, environment: "prod");

            var messages = factory.StartAndCollectFailures();

            Assert.Contains(messages, m => m.Contains("'prod' is not one of production, staging, development, test", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(project, recursive: true);
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>
    /// A runtime expected not to start. WebApplicationFactory may surface a failed start as an
    /// <see cref="ObjectDisposedException"/> (its deferred host races the application disposing itself), so the
    /// host's own "failed to start" log entry, written before anything is disposed, is collected too.
    /// </summary>
    private sealed class FailingStartFixture(string project, string data, string environment)
        : RuntimeApiFixture(project, data, scene: "none", ownsFolders: false)
    {
        private readonly ErrorLog _log = new();

        /// <summary>Starts the host, requires it to fail, and returns every message of the failure and its causes.</summary>
        public List<string> StartAndCollectFailures()
        {
            var thrown = Record.Exception(() => CreateClient());
            Assert.NotNull(thrown);
            return [.. _log.Errors.Prepend(thrown).SelectMany(Chain).Select(e => e.Message)];
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("SpaceTime:Environment", environment);
            builder.ConfigureLogging(logging => logging.Services.AddSingleton<ILoggerProvider>(_log));
        }

        private static IEnumerable<Exception> Chain(Exception error)
        {
            yield return error;
            IEnumerable<Exception> causes = error is AggregateException aggregate ? aggregate.InnerExceptions
                : error.InnerException is { } inner ? [inner] : [];
            foreach (var cause in causes.SelectMany(Chain))
            {
                yield return cause;
            }
        }
    }

    /// <summary>Collects the exceptions logged at Error or above.</summary>
    private sealed class ErrorLog : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<Exception> Errors { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is not null && IsEnabled(logLevel))
            {
                Errors.Enqueue(exception);
            }
        }

        public void Dispose()
        {
            // Nothing to release; the queue is read after the host is gone.
        }
    }
}
