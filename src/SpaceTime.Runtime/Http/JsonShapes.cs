using System.Numerics;
using SpaceTime.Engine.Players;

namespace SpaceTime.Runtime.Http;

/// <summary>A vector on the wire: <c>{"x","y","z"}</c>.</summary>
public sealed record Vec3(double X, double Y, double Z)
{
    public static Vec3 From(Vector3 v) => new(Clean(v.X, 4), Clean(v.Y, 4), Clean(v.Z, 4));

    /// <summary>Rounds, and writes negative zero as 0 (clients should not see "-0").</summary>
    public static double Clean(double value, int digits) => Math.Round(value, digits) is var r && r == 0 ? 0 : r;

    public static Vec3? From(Vector3? v) => v is { } value ? From(value) : null;
}

/// <summary>A rotation on the wire: <c>{"x","y","z","w"}</c>.</summary>
public sealed record Quat(double X, double Y, double Z, double W)
{
    public static Quat From(Quaternion q) => new(Vec3.Clean(q.X, 5), Vec3.Clean(q.Y, 5), Vec3.Clean(q.Z, 5), Vec3.Clean(q.W, 5));
}

public sealed record PoseJson(Vec3 Position, Quat Rotation)
{
    public static PoseJson? From(Pose? pose) => pose is { } p ? new PoseJson(Vec3.From(p.Position), Quat.From(p.Rotation)) : null;
}
