using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SpaceTime.Engine.Spatial;

namespace SpaceTime.Engine.Tests.Spatial;

public sealed class Transform3DTests
{
    private static Gen<float> Angle(float limitDegrees) =>
        Gen.Choose((int)(-limitDegrees * 10), (int)(limitDegrees * 10)).Select(d => d / 10f * MathF.PI / 180f);

    private static Gen<Vector3> Vector(int limit) =>
        Gen.Choose(-limit * 100, limit * 100).Three().Select(t => new Vector3(t.Item1, t.Item2, t.Item3) / 100f);

    private static Arbitrary<Transform3D> Transforms() =>
        Angle(180).Three().Zip(Vector(50)).Zip(Gen.Choose(25, 400).Three())
            .Select(t => Transform3D.FromPositionRotationScale(
                t.Item1.Item2,
                new Vector3(t.Item1.Item1.Item1, t.Item1.Item1.Item2, t.Item1.Item1.Item3),
                new Vector3(t.Item2.Item1, t.Item2.Item2, t.Item2.Item3) / 100f))
            .ToArbitrary();

    private static bool Near(Vector3 a, Vector3 b, float tolerance) => Vector3.Distance(a, b) <= tolerance;

    [Property(MaxTest = 300)]
    public Property AffineInverse_UndoesTheTransform() =>
        Prop.ForAll(Transforms(), Vector(20).ToArbitrary(), (t, p) =>
            Near(t.AffineInverse().Xform(t.Xform(p)), p, 1e-2f) && Near((t * t.AffineInverse()).Xform(p), p, 1e-2f));

    [Property(MaxTest = 300)]
    public Property Product_AppliesLocalThenParent() =>
        Prop.ForAll(Transforms(), Transforms(), Vector(10).ToArbitrary(), (parent, local, p) =>
            Near((parent * local).Xform(p), parent.Xform(local.Xform(p)), 1e-2f));

    [Property(MaxTest = 300)]
    public Property EulerDegrees_ReadsBackTheRotationGodotWrote() =>
        Prop.ForAll(Angle(89).Zip(Angle(179)).Zip(Angle(179)).ToArbitrary(), a =>
        {
            var rotation = new Vector3(a.Item1.Item1, a.Item1.Item2, a.Item2);
            var euler = Transform3D.FromPositionRotationScale(Vector3.Zero, rotation, new Vector3(2, 2, 2)).EulerDegrees;
            return Near(euler, rotation * (180f / MathF.PI), 0.05f);
        });

    [Fact]
    public void RotationY_QuarterTurn_MapsForwardToLeft()
    {
        var t = Transform3D.RotationY(MathF.PI / 2);

        Assert.True(Near(t.BasisXform(-Vector3.UnitZ), -Vector3.UnitX, 1e-5f));
        Assert.True(Near(t.BasisXform(Vector3.UnitX), -Vector3.UnitZ, 1e-5f));
    }

    [Fact]
    public void FromGodotComponents_ReadsBasisRowsThenOrigin()
    {
        var t = Transform3D.FromGodotComponents([0, 0, 1, 0, 1, 0, -1, 0, 0, 10, 0, 0]);

        Assert.Equal(new Vector3(10, 0, -1), t.Xform(Vector3.UnitX));
        Assert.Throws<ArgumentException>(() => Transform3D.FromGodotComponents([1, 2, 3]));
    }

    [Fact]
    public void Aabb_AroundRotatedBox_CoversItsCorners()
    {
        var box = Aabb.FromTransformedBox(Transform3D.RotationY(MathF.PI / 4) with { Origin = new Vector3(1, 2, 3) }, new Vector3(2, 2, 2));

        Assert.True(Near(box.Min, new Vector3(1 - MathF.Sqrt(2), 1, 3 - MathF.Sqrt(2)), 1e-4f));
        Assert.True(Near(box.Max, new Vector3(1 + MathF.Sqrt(2), 3, 3 + MathF.Sqrt(2)), 1e-4f));
        Assert.True(box.ContainsXz(new Vector3(1, 100, 3)));
        Assert.False(box.ContainsXz(new Vector3(3, 2, 3)));
    }
}
