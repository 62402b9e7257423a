using Microsoft.Extensions.Options;

namespace SpaceTime.Runtime.Hosting;

/// <summary>Checks what data annotations cannot: that the project folder is a Godot project and the host is an address.</summary>
internal sealed class RuntimeOptionsValidator : IValidateOptions<RuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, RuntimeOptions options)
    {
        var failures = new List<string>();
        var project = Path.GetFullPath(options.ProjectPath);
        if (!File.Exists(Path.Combine(project, "project.godot")))
        {
            failures.Add($"{RuntimeOptions.SectionName}:ProjectPath '{project}' is not a Godot project folder (no project.godot in it)");
        }

        if (options.Host != "localhost" && !System.Net.IPAddress.TryParse(options.Host, out _))
        {
            failures.Add($"{RuntimeOptions.SectionName}:Host '{options.Host}' is not an IP address or 'localhost'");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
