using SpaceTime.Runtime.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddSpaceTimeRuntime();
var app = builder.Build();
app.MapSpaceTimeRuntime();
app.Run();

/// <summary>Entry point of the runtime host (also used by WebApplicationFactory in tests).</summary>
public partial class Program;
