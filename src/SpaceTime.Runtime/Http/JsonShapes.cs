using System.Numerics;
using SpaceTime.Engine.Players;

namespace SpaceTime.Runtime.Http;

/// <summary>A vector on the wire: <c>{"x","y","z"}</c>.</summary>
public sealed record Vec3(double X, double Y, double Z)
{
    public static Vec3 From(Vector3 v) => new(Math.Round(v.X, 4), Math.Round(v.Y, 4), Math.Round(v.Z, 4));

    public static Vec3? From(Vector3? v) => v is { } value ? From(value) : null;
}

/// <summary>A rotation on the wire: <c>{"x","y","z","w"}</c>.</summary>
public sealed record Quat(double X, double Y, double Z, double W)
{
    public static Quat From(Quaternion q) => new(Math.Round(q.X, 5), Math.Round(q.Y, 5), Math.Round(q.Z, 5), Math.Round(q.W, 5));
}

public sealed record PoseJson(Vec3 Position, Quat Rotation)
{
    public static PoseJson? From(Pose? pose) => pose is { } p ? new PoseJson(Vec3.From(p.Position), Quat.From(p.Rotation)) : null;
}
