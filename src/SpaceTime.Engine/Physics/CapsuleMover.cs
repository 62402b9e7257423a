using System.Numerics;
using SpaceTime.Engine.Spatial;

namespace SpaceTime.Engine.Physics;

/// <summary>
/// Kinematic move-and-slide of an upright capsule (feet at the position) against static boxes:
/// moves in small sub-steps, pushes out of every overlapping box and slides along it.
/// </summary>
public sealed class CapsuleMover(float radius = 0.3f, float height = 1.8f)
{
    private const float MaxSubStep = 0.1f;
    private const float FloorNormalY = 0.7f;
    private const int ResolveIterations = 4;

    public float Radius { get; } = radius;

    public float Height { get; } = height;

    /// <summary>Moves by velocity × delta; returns whether the capsule ended standing on a floor.</summary>
    public bool MoveAndSlide(ref Vector3 position, ref Vector3 velocity, float delta, StaticColliders colliders)
    {
        var motion = velocity * delta;
        var steps = Math.Max(1, (int)MathF.Ceiling(motion.Length() / MaxSubStep));
        var onFloor = false;
        for (var i = 0; i < steps; i++)
        {
            position += motion / steps;
            onFloor |= Resolve(ref position, ref velocity, colliders);
        }

        if (!onFloor)
        {
            // Standing still on a floor: the resting contact is within a hair of the surface.
            var probe = position - new Vector3(0, 0.01f, 0);
            var dummy = Vector3.Zero;
            onFloor = Resolve(ref probe, ref dummy, colliders, apply: false);
        }

        return onFloor;
    }

    private bool Resolve(ref Vector3 position, ref Vector3 velocity, StaticColliders colliders, bool apply = true)
    {
        var onFloor = false;
        for (var iteration = 0; iteration < ResolveIterations; iteration++)
        {
            var pushed = false;
            foreach (var box in colliders.Boxes)
            {
                if (!Penetration(position, box, out var normal, out var depth))
                {
                    continue;
                }

                if (normal.Y > FloorNormalY)
                {
                    onFloor = true;
                }

                if (!apply)
                {
                    continue;
                }

                position += normal * depth;
                var into = Vector3.Dot(velocity, normal);
                if (into < 0)
                {
                    velocity -= normal * into;
                }

                pushed = true;
            }

            if (!pushed)
            {
                break;
            }
        }

        return onFloor;
    }

    private bool Penetration(Vector3 feet, Aabb box, out Vector3 normal, out float depth)
    {
        var a = feet + new Vector3(0, Radius, 0);
        var b = feet + new Vector3(0, Height - Radius, 0);
        // Alternate closest points between the segment and the box; converges in a few rounds for a box.
        var p = ClosestOnSegment(a, b, box.Center);
        var q = box.ClosestPoint(p);
        for (var i = 0; i < 4; i++)
        {
            p = ClosestOnSegment(a, b, q);
            q = box.ClosestPoint(p);
        }

        var d = p - q;
        var distance = d.Length();
        if (distance >= Radius)
        {
            normal = Vector3.Zero;
            depth = 0;
            return false;
        }

        if (distance > 1e-5f)
        {
            normal = d / distance;
            depth = Radius - distance;
            return true;
        }

        // The segment is inside the box: leave along the axis of least penetration.
        var up = box.Max.Y - a.Y + Radius;
        var down = b.Y + Radius - box.Min.Y;
        var east = box.Max.X - p.X + Radius;
        var west = p.X + Radius - box.Min.X;
        var south = box.Max.Z - p.Z + Radius;
        var north = p.Z + Radius - box.Min.Z;
        (normal, depth) = new[]
        {
            (Vector3.UnitY, up), (-Vector3.UnitY, down), (Vector3.UnitX, east),
            (-Vector3.UnitX, west), (Vector3.UnitZ, south), (-Vector3.UnitZ, north),
        }.MinBy(c => c.Item2);
        return true;
    }

    private static Vector3 ClosestOnSegment(Vector3 a, Vector3 b, Vector3 point)
    {
        var ab = b - a;
        var t = Math.Clamp(Vector3.Dot(point - a, ab) / ab.LengthSquared(), 0, 1);
        return a + (ab * t);
    }
}
