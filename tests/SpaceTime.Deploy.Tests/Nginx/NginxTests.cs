using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Nginx;

/// <summary>deploy/nginx with `nginx -t`, then the real nginx on loopback in front of a real SpaceTime manager and game.</summary>
public sealed class NginxTests(SharedSpacetime shared)
{
    [Fact]
    public async Task ShippedSite_PassesNginxT()
    {
        await using var site = await NginxSite.ShippedAsync();

        var result = await site.TestAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("test is successful", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NginxT_SiteWithoutItsUpstreams_IsRejected()
    {
        var site = File.ReadAllText(RepositoryPaths.Deploy("nginx", "spacetime.conf"));
        Assert.Contains("include spacetime/upstreams.conf;", site, StringComparison.Ordinal);
        await using var broken = await NginxSite.CreateAsync(site.Replace("include spacetime/upstreams.conf;", "", StringComparison.Ordinal), "");

        var result = await broken.TestAsync();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spacetime_manager", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InFrontOfSpacetime_RedirectsPlainHttpToHttps()
    {
        await using var front = await Front.StartAsync(shared.Spacetime);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var response = await http.GetAsync($"http://127.0.0.1:{front.HttpPort}/api/status?x=1", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal("https://127.0.0.1/api/status?x=1", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task InFrontOfSpacetime_PassesAuthenticatedApiRequestsAndRefusesAnonymousOnes()
    {
        await using var front = await Front.StartAsync(shared.Spacetime);
        using var http = front.CreateClient();
        var ct = TestContext.Current.CancellationToken;

        using var health = await http.GetAsync("/health", ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("healthy", JsonDocument.Parse(await health.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("server").GetString());
        Assert.Equal(["max-age=31536000; includeSubDomains"], health.Headers.GetValues("Strict-Transport-Security"));
        Assert.Equal(["DENY"], health.Headers.GetValues("X-Frame-Options"));
        Assert.Equal(["nosniff"], health.Headers.GetValues("X-Content-Type-Options"));

        using var anonymous = await http.GetAsync("/api/scene", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/scene");
        request.Headers.Authorization = new("Bearer", RunningSpacetime.AdminToken);
        using var scene = await http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, scene.StatusCode);
        Assert.Equal("VRMain", JsonDocument.Parse(await scene.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("scene_name").GetString());

        // The manager's own control endpoints stay internal.
        using var status = new HttpRequestMessage(HttpMethod.Get, "/status");
        status.Headers.Authorization = new("Bearer", RunningSpacetime.AdminToken);
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(status, ct)).StatusCode);
    }

    [Fact]
    public async Task InFrontOfSpacetime_CarriesTheTelemetryWebSocket()
    {
        await using var front = await Front.StartAsync(shared.Spacetime);
        using var socket = new ClientWebSocket();
        socket.Options.RemoteCertificateValidationCallback = front.TrustOnlyOurCertificate;
        socket.Options.SetRequestHeader("Authorization", $"Bearer {RunningSpacetime.AdminToken}");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(30));

        await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{front.HttpsPort}/telemetry"), cts.Token);
        var connected = await ReceiveAsync(socket, cts.Token);
        Assert.Equal("connected", connected.GetProperty("event").GetString());
        Assert.Equal("api-token", connected.GetProperty("data").GetProperty("subject").GetString());

        // Then the live stream: an fps sample of the running game.
        JsonElement message;
        do
        {
            message = await ReceiveAsync(socket, cts.Token);
        }
        while (message.GetProperty("event").GetString() != "fps");
        Assert.True(message.GetProperty("data").GetProperty("target_fps").GetDouble() > 0);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
    }

    [Fact]
    public async Task InFrontOfSpacetime_BurstBeyondTheLimit_IsAnswered429ByNginx()
    {
        await using var front = await Front.StartAsync(shared.Spacetime);
        using var http = front.CreateClient();

        // 10 r/s with a burst of 20: 100 requests at once cannot all pass (even spread over 5 s of TLS handshakes on two cores).
        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => http.GetAsync("/health", TestContext.Current.CancellationToken)));

        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        var limited = Assert.Single(answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).Take(1));
        Assert.Equal(["DENY"], limited.Headers.GetValues("X-Frame-Options")); // nginx's own answers carry the headers too
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task InFrontOfGrafana_PassesTheSubPathWithHeadersGrafanasUiCanLiveWith()
    {
        // A stand-in for Grafana: it records the path nginx asks for.
        var grafanaPort = LoopbackPort.Free();
        using var grafana = new HttpListener();
        grafana.Prefixes.Add($"http://127.0.0.1:{grafanaPort}/");
        grafana.Start();
        var served = Task.Run(async () =>
        {
            var context = await grafana.GetContextAsync();
            var path = context.Request.Url!.AbsolutePath;
            context.Response.Headers["Content-Security-Policy"] = "script-src 'self' 'unsafe-inline'";
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes("grafana"));
            context.Response.Close();
            return path;
        }, TestContext.Current.CancellationToken);
        await using var front = await Front.StartAsync(shared.Spacetime, grafanaPort);
        using var http = front.CreateClient();

        using var response = await http.GetAsync("/grafana/login", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/grafana/login", await served);
        Assert.Equal(["SAMEORIGIN"], response.Headers.GetValues("X-Frame-Options"));
        Assert.Equal(["script-src 'self' 'unsafe-inline'"], response.Headers.GetValues("Content-Security-Policy")); // Grafana's own, not the API's
    }

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, ct);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return JsonDocument.Parse(Encoding.UTF8.GetString(message.ToArray())).RootElement.Clone();
    }

    /// <summary>The shipped site on free loopback ports, its upstreams pointing at a running SpaceTime.</summary>
    private sealed class Front : IAsyncDisposable
    {
        private readonly NginxSite _site;

        private Front(NginxSite site, int httpPort, int httpsPort)
        {
            _site = site;
            HttpPort = httpPort;
            HttpsPort = httpsPort;
        }

        public int HttpPort { get; }

        public int HttpsPort { get; }

        public static async Task<Front> StartAsync(RunningSpacetime spacetime, int? grafanaPort = null)
        {
            var (httpPort, httpsPort) = (LoopbackPort.Free(), LoopbackPort.Free());
            var site = File.ReadAllText(RepositoryPaths.Deploy("nginx", "spacetime.conf"));
            // Only the listening sockets change: loopback and free ports instead of 80/443 on every interface.
            foreach (var (shipped, test) in new[] { ("    listen 80;\n", $"    listen 127.0.0.1:{httpPort};\n"), ("    listen 443 ssl;\n", $"    listen 127.0.0.1:{httpsPort} ssl;\n") })
            {
                Assert.Contains(shipped, site, StringComparison.Ordinal);
                site = site.Replace(shipped, test, StringComparison.Ordinal);
            }

            // The upstreams file is the installation's own: here it names the test's manager and game.
            var upstreams = File.ReadAllText(RepositoryPaths.Deploy("nginx", "upstreams.conf"))
                .Replace("server 127.0.0.1:8090;", $"server 127.0.0.1:{spacetime.ManagerPort};", StringComparison.Ordinal)
                .Replace("server 127.0.0.1:8081;", $"server 127.0.0.1:{spacetime.TelemetryPort};", StringComparison.Ordinal)
                .Replace("server 127.0.0.1:3000;", $"server 127.0.0.1:{grafanaPort ?? LoopbackPort.Free()};", StringComparison.Ordinal);
            var nginx = await NginxSite.CreateAsync(site, upstreams);
            await nginx.StartAsync(httpsPort);
            return new Front(nginx, httpPort, httpsPort);
        }

        public bool TrustOnlyOurCertificate(object sender, System.Security.Cryptography.X509Certificates.X509Certificate? certificate, System.Security.Cryptography.X509Certificates.X509Chain? chain, SslPolicyErrors errors) =>
            certificate is not null && certificate.GetCertHashString() == _site.Certificate.GetCertHashString();

        public HttpClient CreateClient() => new(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = TrustOnlyOurCertificate,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            },
        })
        { BaseAddress = new Uri($"https://127.0.0.1:{HttpsPort}") };

        public ValueTask DisposeAsync() => _site.DisposeAsync();
    }
}
