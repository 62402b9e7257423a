using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Nginx;

/// <summary>
/// deploy/nginx/spacetime.conf installed under a temporary nginx prefix the way it is on a host (conf.d/spacetime.conf,
/// spacetime/upstreams.conf, spacetime/tls/*.pem from openssl at test time), with pid, logs and temp files in that prefix.
/// </summary>
internal sealed partial class NginxSite : IAsyncDisposable
{
    private readonly TempFolder _prefix = new();
    private Process? _nginx;

    private NginxSite()
    {
        // nginx's workers run as an unprivileged user when the tests run as root; they need to reach the prefix.
        File.SetUnixFileMode(_prefix.Path, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    public string Prefix => _prefix.Path;

    public string ConfigFile => Path.Combine(Prefix, "nginx.conf");

    public string ErrorLog => Path.Combine(Prefix, "error.log");

    public X509Certificate2 Certificate { get; private set; } = null!;

    public static string Nginx() => Tool.Require("nginx", "apt-get install nginx-light");

    /// <summary>The shipped site and upstreams, unchanged.</summary>
    public static Task<NginxSite> ShippedAsync() =>
        CreateAsync(File.ReadAllText(RepositoryPaths.Deploy("nginx", "spacetime.conf")), File.ReadAllText(RepositoryPaths.Deploy("nginx", "upstreams.conf")));

    public static async Task<NginxSite> CreateAsync(string site, string upstreams)
    {
        var s = new NginxSite();
        Directory.CreateDirectory(Path.Combine(s.Prefix, "conf.d"));
        Directory.CreateDirectory(Path.Combine(s.Prefix, "spacetime", "tls"));
        foreach (var temp in new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" })
        {
            var folder = Directory.CreateDirectory(Path.Combine(s.Prefix, "temp", temp)).FullName;
            File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32("777", 8));
        }

        await File.WriteAllTextAsync(Path.Combine(s.Prefix, "conf.d", "spacetime.conf"), site);
        await File.WriteAllTextAsync(Path.Combine(s.Prefix, "spacetime", "upstreams.conf"), upstreams);
        var tls = Path.Combine(s.Prefix, "spacetime", "tls");
        var openssl = await Tool.RunAsync(Tool.Require("openssl", "apt-get install openssl"),
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
             "-keyout", Path.Combine(tls, "privkey.pem"), "-out", Path.Combine(tls, "fullchain.pem")], null);
        Assert.True(openssl.ExitCode == 0, openssl.ToString());
        s.Certificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(tls, "fullchain.pem"));
        await File.WriteAllTextAsync(s.ConfigFile, $$"""
            pid {{s.Prefix}}/nginx.pid;
            error_log {{s.ErrorLog}} info;
            events {}
            http {
                access_log {{s.Prefix}}/access.log;
                client_body_temp_path {{s.Prefix}}/temp/client_body;
                proxy_temp_path {{s.Prefix}}/temp/proxy;
                fastcgi_temp_path {{s.Prefix}}/temp/fastcgi;
                uwsgi_temp_path {{s.Prefix}}/temp/uwsgi;
                scgi_temp_path {{s.Prefix}}/temp/scgi;
                include conf.d/spacetime.conf;
            }
            """);
        return s;
    }

    /// <summary>nginx -t on this prefix.</summary>
    public Task<ToolResult> TestAsync() => Tool.RunAsync(Nginx(), ["-t", "-c", ConfigFile, "-p", Prefix, "-e", ErrorLog], null);

    /// <summary>Runs nginx in the foreground as a child of the test and waits until it accepts connections on <paramref name="port"/>.</summary>
    public async Task StartAsync(int port)
    {
        var info = new ProcessStartInfo(Nginx()) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-c", ConfigFile, "-p", Prefix, "-e", ErrorLog, "-g", "daemon off;" })
        {
            info.ArgumentList.Add(arg);
        }

        _nginx = Process.Start(info)!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!LoopbackPort.IsListening(port))
        {
            if (_nginx.HasExited)
            {
                Assert.Fail($"nginx exited: {await _nginx.StandardError.ReadToEndAsync()}\n{ReadErrorLog()}");
            }

            Assert.True(DateTime.UtcNow < deadline, $"nginx is not listening on {port}:\n{ReadErrorLog()}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public string ReadErrorLog() => File.Exists(ErrorLog) ? File.ReadAllText(ErrorLog) : "";

    public async ValueTask DisposeAsync()
    {
        if (_nginx is { HasExited: false })
        {
            // SIGTERM: fast shutdown of the master and its workers.
            _ = Kill(_nginx.Id, 15);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _nginx.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _nginx.Kill(entireProcessTree: true);
            }
        }

        _nginx?.Dispose();
        Certificate?.Dispose();
        _prefix.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
