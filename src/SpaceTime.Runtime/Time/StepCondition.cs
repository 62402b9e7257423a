using System.Numerics;
using System.Text.Json;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Nodes;

namespace SpaceTime.Runtime.Time;

/// <summary>
/// The declarative conditions <c>step_until</c> waits for (data only, never code):
/// <c>{"player_on_floor": true}</c>, <c>{"player_within": {"min": [x,y,z], "max": [x,y,z]}}</c>,
/// <c>{"node": PATH, "within": {...}}</c> (global position), <c>{"node": PATH, "property": NAME, "equals": VALUE}</c>,
/// <c>{"tick_at_least": N}</c>, and <c>{"all": [...]}</c>, <c>{"any": [...]}</c>, <c>{"not": {...}}</c>.
/// </summary>
public abstract record StepCondition
{
    private const int MaxDepth = 16;

    /// <summary>Evaluates on the simulation thread.</summary>
    public abstract bool Holds(GameWorld world);

    /// <summary>Node paths the condition reads, so a caller can reject unknown ones before stepping.</summary>
    public abstract IEnumerable<string> NodePaths();

    /// <summary>Parses a condition; the error names the offending part by its JSON path.</summary>
    public static bool TryParse(JsonElement json, out StepCondition? condition, out string error) =>
        TryParse(json, "condition", 0, out condition, out error);

    private static bool TryParse(JsonElement json, string at, int depth, out StepCondition? condition, out string error)
    {
        condition = null;
        error = "";
        if (depth > MaxDepth)
        {
            error = $"{at}: conditions nest at most {MaxDepth} deep";
            return false;
        }

        if (json.ValueKind != JsonValueKind.Object)
        {
            error = $"{at}: expected an object such as {{\"player_on_floor\": true}}";
            return false;
        }

        if (json.TryGetProperty("all", out var all) || json.TryGetProperty("any", out all))
        {
            var isAll = json.TryGetProperty("all", out _);
            var name = isAll ? "all" : "any";
            if (all.ValueKind != JsonValueKind.Array || all.GetArrayLength() == 0)
            {
                error = $"{at}.{name}: expected a non-empty array of conditions";
                return false;
            }

            var parts = new List<StepCondition>();
            var i = 0;
            foreach (var item in all.EnumerateArray())
            {
                if (!TryParse(item, $"{at}.{name}[{i++}]", depth + 1, out var part, out error))
                {
                    return false;
                }

                parts.Add(part!);
            }

            condition = isAll ? new AllCondition(parts) : new AnyCondition(parts);
            return true;
        }

        if (json.TryGetProperty("not", out var not))
        {
            if (!TryParse(not, $"{at}.not", depth + 1, out var inner, out error))
            {
                return false;
            }

            condition = new NotCondition(inner!);
            return true;
        }

        if (json.TryGetProperty("player_on_floor", out var onFloor))
        {
            if (onFloor.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                error = $"{at}.player_on_floor: expected true or false";
                return false;
            }

            condition = new PlayerOnFloorCondition(onFloor.GetBoolean());
            return true;
        }

        if (json.TryGetProperty("player_within", out var playerBox))
        {
            if (!TryParseBox(playerBox, $"{at}.player_within", out var min, out var max, out error))
            {
                return false;
            }

            condition = new PlayerWithinCondition(min, max);
            return true;
        }

        if (json.TryGetProperty("tick_at_least", out var tick))
        {
            if (tick.ValueKind != JsonValueKind.Number || !tick.TryGetInt64(out var t) || t < 0)
            {
                error = $"{at}.tick_at_least: expected a whole number ≥ 0";
                return false;
            }

            condition = new TickAtLeastCondition(t);
            return true;
        }

        if (json.TryGetProperty("node", out var node))
        {
            if (node.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(node.GetString()))
            {
                error = $"{at}.node: expected a node path as /scene/dump reports it";
                return false;
            }

            var path = node.GetString()!;
            if (json.TryGetProperty("within", out var box))
            {
                if (!TryParseBox(box, $"{at}.within", out var min, out var max, out error))
                {
                    return false;
                }

                condition = new NodeWithinCondition(path, min, max);
                return true;
            }

            if (json.TryGetProperty("property", out var property) && property.ValueKind == JsonValueKind.String && json.TryGetProperty("equals", out var equals))
            {
                condition = new NodePropertyEqualsCondition(path, property.GetString()!, equals.Clone());
                return true;
            }

            error = $"{at}: a node condition needs \"within\": {{min, max}} or \"property\" and \"equals\"";
            return false;
        }

        error = $"{at}: unknown condition (use player_on_floor, player_within, node + within, node + property + equals, tick_at_least, all, any, not)";
        return false;
    }

    private static bool TryParseBox(JsonElement json, string at, out Vector3 min, out Vector3 max, out string error)
    {
        min = max = default;
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("min", out var a) || !json.TryGetProperty("max", out var b)
            || !TryVector(a, out min) || !TryVector(b, out max))
        {
            error = $"{at}: expected {{\"min\": [x, y, z], \"max\": [x, y, z]}} (arrays or {{x, y, z}} objects of finite numbers)";
            return false;
        }

        if (min.X > max.X || min.Y > max.Y || min.Z > max.Z)
        {
            error = $"{at}: every component of 'min' must be ≤ the same component of 'max'";
            return false;
        }

        error = "";
        return true;
    }

    private static bool TryVector(JsonElement json, out Vector3 v)
    {
        v = default;
        if (!VariantJson.TryMath(json, "Vector3", 3, out var value, out _))
        {
            return false;
        }

        v = ((Engine.Formats.MathValue)value!).ToVector3();
        return true;
    }

    internal static bool Inside(Vector3 p, Vector3 min, Vector3 max) =>
        p.X >= min.X && p.Y >= min.Y && p.Z >= min.Z && p.X <= max.X && p.Y <= max.Y && p.Z <= max.Z;
}

public sealed record AllCondition(IReadOnlyList<StepCondition> Parts) : StepCondition
{
    public override bool Holds(GameWorld world) => Parts.All(p => p.Holds(world));

    public override IEnumerable<string> NodePaths() => Parts.SelectMany(p => p.NodePaths());
}

public sealed record AnyCondition(IReadOnlyList<StepCondition> Parts) : StepCondition
{
    public override bool Holds(GameWorld world) => Parts.Any(p => p.Holds(world));

    public override IEnumerable<string> NodePaths() => Parts.SelectMany(p => p.NodePaths());
}

public sealed record NotCondition(StepCondition Inner) : StepCondition
{
    public override bool Holds(GameWorld world) => !Inner.Holds(world);

    public override IEnumerable<string> NodePaths() => Inner.NodePaths();
}

public sealed record PlayerOnFloorCondition(bool OnFloor) : StepCondition
{
    public override bool Holds(GameWorld world) => world.Player is { } p && p.OnFloor == OnFloor;

    public override IEnumerable<string> NodePaths() => [];
}

public sealed record PlayerWithinCondition(Vector3 Min, Vector3 Max) : StepCondition
{
    public override bool Holds(GameWorld world) => world.Player is { } p && Inside(p.Position, Min, Max);

    public override IEnumerable<string> NodePaths() => [];
}

public sealed record TickAtLeastCondition(long Tick) : StepCondition
{
    public override bool Holds(GameWorld world) => world.SceneTick >= Tick;

    public override IEnumerable<string> NodePaths() => [];
}

public sealed record NodeWithinCondition(string Path, Vector3 Min, Vector3 Max) : StepCondition
{
    public override bool Holds(GameWorld world) => world.FindNode(Path) is { } n && Inside(n.GlobalPosition, Min, Max);

    public override IEnumerable<string> NodePaths() => [Path];
}

public sealed record NodePropertyEqualsCondition(string Path, string Property, JsonElement Value) : StepCondition
{
    public override bool Holds(GameWorld world) =>
        world.FindNode(Path) is { } n && VariantJson.JsonEquals(Property == "visible" ? System.Text.Json.Nodes.JsonValue.Create(n.Visible)
            : VariantJson.ToJson(n.Properties.GetValueOrDefault(Property)), Value);

    public override IEnumerable<string> NodePaths() => [Path];
}
