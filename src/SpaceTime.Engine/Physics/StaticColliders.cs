using System.Numerics;
using SpaceTime.Engine.Formats;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Spatial;

namespace SpaceTime.Engine.Physics;

/// <summary>
/// The static geometry the player collides with: <c>StaticBody3D</c> box shapes and CSG boxes with collision on,
/// as world-space boxes (a rotated box is taken as the axis-aligned box around it).
/// </summary>
public sealed class StaticColliders
{
    private static readonly Vector3 DefaultBoxShapeSize = Vector3.One;
    private static readonly Vector3 DefaultCsgBoxSize = new(2, 2, 2);

    public StaticColliders(IEnumerable<Aabb> boxes) => Boxes = [.. boxes];

    public IReadOnlyList<Aabb> Boxes { get; }

    public static StaticColliders FromScene(SceneNode root)
    {
        var boxes = new List<Aabb>();
        foreach (var node in root.SelfAndDescendants())
        {
            switch (node.Type)
            {
                case "CollisionShape3D" when node.Parent?.Type is "StaticBody3D" or "AnimatableBody3D"
                                             && node.Properties.GetValueOrDefault("disabled") is not true
                                             && node.GetResource("shape") is { Type: "BoxShape3D" } shape:
                    boxes.Add(Aabb.FromTransformedBox(node.GlobalTransform, Size(shape.Property("size"), DefaultBoxShapeSize)));
                    break;
                case "CSGBox3D" when node.Properties.GetValueOrDefault("use_collision") is true:
                    boxes.Add(Aabb.FromTransformedBox(node.GlobalTransform, Size(node.Properties.GetValueOrDefault("size"), DefaultCsgBoxSize)));
                    break;
            }
        }

        return new StaticColliders(boxes);
    }

    /// <summary>The highest box top under <paramref name="point"/> (no higher than <paramref name="maxHeight"/>), if any.</summary>
    public float? GroundHeightBelow(Vector3 point, float maxHeight)
    {
        float? best = null;
        foreach (var box in Boxes)
        {
            if (box.ContainsXz(point) && box.Max.Y <= maxHeight && (best is null || box.Max.Y > best))
            {
                best = box.Max.Y;
            }
        }

        return best;
    }

    private static Vector3 Size(object? value, Vector3 fallback) =>
        value is MathValue { TypeName: "Vector3" } v ? Vector3.Abs(v.ToVector3()) : fallback;
}
