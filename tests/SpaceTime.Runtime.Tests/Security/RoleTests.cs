using System.Net;

namespace SpaceTime.Runtime.Tests.Security;

/// <summary>Roles and their inheritance: admin ⊃ developer ⊃ readonly ⊃ guest.</summary>
public sealed class RoleTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private const string LoadMain = """{"scene_path":"res://vr_main.tscn"}""";
    private const string Move = """{"forward":0,"duration_seconds":0.1}""";

    private readonly HttpClient _admin = runtime.CreateClient();

    [Theory]
    [InlineData("readonly", "/status")]
    [InlineData("readonly", "/scene")]
    [InlineData("readonly", "/scenes")]
    [InlineData("readonly", "/state/player")]
    [InlineData("readonly", "/performance")]
    [InlineData("guest", "/health")]
    [InlineData("guest", "/auth/status")]
    [InlineData("developer", "/status")]
    [InlineData("admin", "/admin/whitelist")]
    public async Task Get_RoleHasPermission_Returns200(string role, string path)
    {
        var client = await ClientForAsync(role);

        await client.GetJsonAsync(path);
    }

    [Theory]
    [InlineData("guest", "GET", "/status", null, "status:read")]
    [InlineData("guest", "GET", "/scene", null, "scene:read")]
    [InlineData("guest", "GET", "/state/player", null, "state:read")]
    [InlineData("guest", "GET", "/performance", null, "performance:read")]
    [InlineData("readonly", "POST", "/scene", LoadMain, "scene:write")]
    [InlineData("readonly", "POST", "/scene/reload", null, "scene:write")]
    [InlineData("readonly", "POST", "/input/move", Move, "input:write")]
    [InlineData("readonly", "POST", "/auth/token", """{"role":"readonly"}""", "auth:manage")]
    [InlineData("developer", "POST", "/auth/token", """{"role":"admin"}""", "auth:manage")]
    [InlineData("developer", "POST", "/auth/rotate", null, "auth:manage")]
    [InlineData("developer", "GET", "/admin/whitelist", null, "whitelist:manage")]
    [InlineData("developer", "POST", "/admin/whitelist/reload", null, "whitelist:manage")]
    public async Task Request_RoleLacksPermission_Returns403NamingPermissionAndRole(string role, string method, string path, string? body, string permission)
    {
        var client = await ClientForAsync(role);

        using var response = await client.SendJsonAsync(new HttpMethod(method), path, body);

        await response.AssertForbiddenAsync(permission, role);
    }

    [Theory]
    [InlineData("developer")]
    [InlineData("admin")]
    public async Task SceneLoadAndInput_DeveloperOrAbove_Succeed(string role)
    {
        var client = await ClientForAsync(role);

        using (var load = await client.PostJsonAsync("/scene", LoadMain))
        {
            Assert.Equal("loaded", (await load.ReadJsonAsync()).Str("status"));
        }

        await RuntimeApiFixture.WaitForPlayerSpawnedAsync(client);
        using var move = await client.PostJsonAsync("/input/move", Move);
        await move.ReadJsonAsync();
    }

    [Fact]
    public async Task AdminJwt_ManagementEndpoints_Succeed()
    {
        var client = await ClientForAsync("admin");

        await client.GetJsonAsync("/admin/whitelist");
        using (var reload = await client.PostJsonAsync("/admin/whitelist/reload"))
        {
            await reload.ReadJsonAsync();
        }

        var issued = await client.IssueTokenAsync("developer");
        Assert.Equal("developer", issued.Role);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("Admin")]
    [InlineData("")]
    public async Task PostAuthToken_UnknownRole_Returns400(string role)
    {
        using var response = await _admin.PostJsonAsync("/auth/token", $$"""{"role":"{{role}}","subject":"someone"}""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("role", problem.Str("message"), StringComparison.Ordinal);
    }

    private async Task<HttpClient> ClientForAsync(string role) =>
        runtime.CreateClient((await _admin.IssueTokenAsync(role)).Value);
}
