using System.Numerics;

namespace SpaceTime.Engine.Spatial;

/// <summary>An axis-aligned box.</summary>
public readonly record struct Aabb(Vector3 Min, Vector3 Max)
{
    public Vector3 Center => (Min + Max) / 2;

    public Vector3 Size => Max - Min;

    public static Aabb FromCenterSize(Vector3 center, Vector3 size) => new(center - (size / 2), center + (size / 2));

    /// <summary>The axis-aligned box around a box of <paramref name="size"/> centred on <paramref name="transform"/>.</summary>
    public static Aabb FromTransformedBox(Transform3D transform, Vector3 size)
    {
        var half = size / 2;
        var extent = new Vector3(
            Vector3.Dot(Vector3.Abs(transform.Row0), half),
            Vector3.Dot(Vector3.Abs(transform.Row1), half),
            Vector3.Dot(Vector3.Abs(transform.Row2), half));
        return new Aabb(transform.Origin - extent, transform.Origin + extent);
    }

    public Vector3 ClosestPoint(Vector3 p) => Vector3.Clamp(p, Min, Max);

    public bool ContainsXz(Vector3 p) => p.X >= Min.X && p.X <= Max.X && p.Z >= Min.Z && p.Z <= Max.Z;
}
