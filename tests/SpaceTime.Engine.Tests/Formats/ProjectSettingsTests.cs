using SpaceTime.Engine.Formats;

namespace SpaceTime.Engine.Tests.Formats;

public sealed class ProjectSettingsTests
{
    private const string Minimal = """
        ; Engine configuration file.
        ; It's best edited using the editor UI and not directly.

        config_version=5

        [application]

        config/name="Demo"
        run/main_scene="res://main.tscn"
        """;

    [Fact]
    public void Project_WithComments_ReadsConfigVersionNameAndMainScene()
    {
        var settings = ProjectSettings.Parse(Minimal, "project.godot");

        Assert.Equal(5, settings.ConfigVersion);
        Assert.Equal("Demo", settings.Name);
        Assert.Equal("res://main.tscn", settings.MainScene);
        Assert.Equal("Demo", settings.Get("application/config/name"));
        Assert.Equal(5L, settings.Get("config_version"));
        Assert.Null(settings.Get("application/config/missing"));
        Assert.Contains("config_version=5", settings.ToString());
    }

    [Fact]
    public void PhysicsTicks_Unset_DefaultsTo90()
    {
        var settings = ProjectSettings.Parse(Minimal, "project.godot");

        Assert.Equal(90, settings.PhysicsTicksPerSecond());
        Assert.Equal(60, settings.PhysicsTicksPerSecond(fallback: 60));
        Assert.Equal(9.8, settings.Gravity);
    }

    [Theory]
    [InlineData("120", 120)]
    [InlineData("72.0", 72)]
    [InlineData("0", 90)]
    [InlineData("-5", 90)]
    [InlineData("5000", 90)]
    [InlineData("\"fast\"", 90)]
    public void PhysicsTicks_Set_UsesValidValueOrFallsBack(string value, int expected)
    {
        var settings = ProjectSettings.Parse(Minimal + $"\n\n[physics]\n\ncommon/physics_ticks_per_second={value}\n3d/default_gravity=3\n", "project.godot");

        Assert.Equal(expected, settings.PhysicsTicksPerSecond());
        Assert.Equal(3.0, settings.Gravity);
    }

    [Fact]
    public void Project_WithoutMainSceneOrName_ReturnsNulls()
    {
        var settings = ProjectSettings.Parse("config_version=5\n", "project.godot");

        Assert.Null(settings.MainScene);
        Assert.Null(settings.Name);
    }

    [Fact]
    public void Project_WithInputActions_ReadsObjects()
    {
        var settings = ProjectSettings.Parse(Minimal + """


            [input]

            move_forward={
            "deadzone": 0.5,
            "events": [Object(InputEventKey,"resource_local_to_scene":false,"keycode":0,"physical_keycode":87,"script":null)
            ]
            }
            """, "project.godot");

        var action = Assert.IsType<VariantDictionary>(settings.Get("input/move_forward"));
        var events = Assert.IsType<VariantArray>(action["events"]);
        var key = Assert.IsType<ObjectValue>(Assert.Single(events.Items));
        Assert.Equal("InputEventKey", key.ClassName);
    }

    [Fact]
    public void SectionWithAttributes_IsRejected()
    {
        var error = Assert.Throws<GodotParseException>(() => ProjectSettings.Parse("config_version=5\n\n[application x=1]\n", "project.godot"));

        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void NonNumericConfigVersion_IsRejected()
    {
        var error = Assert.Throws<GodotParseException>(() => ProjectSettings.Parse("config_version=\"five\"\n", "project.godot"));

        Assert.Contains("config_version", error.Reason);
    }

    [Fact]
    public void Load_DemoProject_ReadsItsSettings()
    {
        var settings = ProjectSettings.Load(Path.Combine(TestPaths.DemoProject, "project.godot"));

        Assert.Equal("SpaceTime VR", settings.Name);
        Assert.Equal("res://vr_main.tscn", settings.MainScene);
        Assert.Equal(90, settings.PhysicsTicksPerSecond(fallback: 1));
        Assert.Equal(true, settings.Get("xr/openxr/enabled"));
        Assert.Equal(new PackedArray("PackedStringArray", new[] { "4.3", "Forward Plus" }), settings.Get("application/config/features"));
    }
}
