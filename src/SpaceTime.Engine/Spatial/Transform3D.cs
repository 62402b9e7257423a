using System.Numerics;

namespace SpaceTime.Engine.Spatial;

/// <summary>
/// A rigid transform as Godot keeps it: a 3×3 basis (stored by rows) and an origin.
/// <c>global = parent * local</c>.
/// </summary>
public readonly record struct Transform3D(Vector3 Row0, Vector3 Row1, Vector3 Row2, Vector3 Origin)
{
    public static Transform3D Identity { get; } = new(Vector3.UnitX, Vector3.UnitY, Vector3.UnitZ, Vector3.Zero);

    /// <summary>Reads Godot's text order: basis rows (xx, xy, xz, yx, ...) then origin.</summary>
    public static Transform3D FromGodotComponents(ReadOnlySpan<double> c) => c.Length == 12
        ? new(new((float)c[0], (float)c[1], (float)c[2]), new((float)c[3], (float)c[4], (float)c[5]),
              new((float)c[6], (float)c[7], (float)c[8]), new((float)c[9], (float)c[10], (float)c[11]))
        : throw new ArgumentException("Transform3D needs 12 components", nameof(c));

    public static Transform3D FromPosition(Vector3 origin) => Identity with { Origin = origin };

    /// <summary>Builds a transform from Godot's position / rotation (Euler YXZ, radians) / scale properties.</summary>
    public static Transform3D FromPositionRotationScale(Vector3 position, Vector3 rotation, Vector3 scale)
    {
        var q = Quaternion.CreateFromYawPitchRoll(rotation.Y, rotation.X, rotation.Z);
        var m = Matrix4x4.CreateFromQuaternion(q);
        // Matrix4x4 is row-vector convention: its columns are Godot's basis rows.
        var r0 = new Vector3(m.M11, m.M21, m.M31) * scale;
        var r1 = new Vector3(m.M12, m.M22, m.M32) * scale;
        var r2 = new Vector3(m.M13, m.M23, m.M33) * scale;
        return new Transform3D(r0, r1, r2, position);
    }

    public Vector3 BasisXform(Vector3 v) => new(Vector3.Dot(Row0, v), Vector3.Dot(Row1, v), Vector3.Dot(Row2, v));

    public Vector3 Xform(Vector3 v) => BasisXform(v) + Origin;

    public static Transform3D operator *(Transform3D parent, Transform3D local)
    {
        // Each row of the product basis is the parent row applied to the local basis columns.
        var c0 = new Vector3(local.Row0.X, local.Row1.X, local.Row2.X);
        var c1 = new Vector3(local.Row0.Y, local.Row1.Y, local.Row2.Y);
        var c2 = new Vector3(local.Row0.Z, local.Row1.Z, local.Row2.Z);
        Vector3 Row(Vector3 r) => new(Vector3.Dot(r, c0), Vector3.Dot(r, c1), Vector3.Dot(r, c2));
        return new Transform3D(Row(parent.Row0), Row(parent.Row1), Row(parent.Row2), parent.Xform(local.Origin));
    }

    /// <summary>Rotation of the (orthonormalised) basis as a unit quaternion.</summary>
    public Quaternion Rotation
    {
        get
        {
            var x = Vector3.Normalize(new Vector3(Row0.X, Row1.X, Row2.X));
            var y = Vector3.Normalize(new Vector3(Row0.Y, Row1.Y, Row2.Y));
            var z = Vector3.Normalize(new Vector3(Row0.Z, Row1.Z, Row2.Z));
            var m = new Matrix4x4(x.X, x.Y, x.Z, 0, y.X, y.Y, y.Z, 0, z.X, z.Y, z.Z, 0, 0, 0, 0, 1);
            return float.IsNaN(m.M11) ? Quaternion.Identity : Quaternion.Normalize(Quaternion.CreateFromRotationMatrix(m));
        }
    }

    /// <summary>Euler angles in degrees (Godot's YXZ order, as <c>get_euler</c>), for the scene dump.</summary>
    public Vector3 EulerDegrees
    {
        get
        {
            // Orthonormal rows of the rotation part (scale removed column by column).
            var sx = new Vector3(Row0.X, Row1.X, Row2.X).Length();
            var sy = new Vector3(Row0.Y, Row1.Y, Row2.Y).Length();
            var sz = new Vector3(Row0.Z, Row1.Z, Row2.Z).Length();
            if (sx == 0 || sy == 0 || sz == 0)
            {
                return Vector3.Zero;
            }

            var scale = new Vector3(sx, sy, sz);
            var r0 = Row0 / scale;
            var r1 = Row1 / scale;
            var r2 = Row2 / scale;
            float x, y, z;
            var m12 = r1.Z;
            if (m12 < 1 - 1e-6f && m12 > -(1 - 1e-6f))
            {
                x = MathF.Asin(-m12);
                y = MathF.Atan2(r0.Z, r2.Z);
                z = MathF.Atan2(r1.X, r1.Y);
            }
            else
            {
                x = m12 <= -(1 - 1e-6f) ? MathF.PI / 2 : -MathF.PI / 2;
                y = m12 <= -(1 - 1e-6f) ? MathF.Atan2(r0.Y, r0.X) : -MathF.Atan2(r0.Y, r0.X);
                z = 0;
            }

            const float ToDegrees = 180f / MathF.PI;
            return new Vector3(x, y, z) * ToDegrees;
        }
    }

    /// <summary>Yaw (rotation about +Y) in radians, for turning the player.</summary>
    public static Transform3D RotationY(float radians)
    {
        var (s, c) = MathF.SinCos(radians);
        return new Transform3D(new Vector3(c, 0, s), Vector3.UnitY, new Vector3(-s, 0, c), Vector3.Zero);
    }

    /// <summary>The inverse transform (general 3×3 inverse, so scaled parents work too).</summary>
    public Transform3D AffineInverse()
    {
        var c0 = new Vector3(Row0.X, Row1.X, Row2.X);
        var c1 = new Vector3(Row0.Y, Row1.Y, Row2.Y);
        var c2 = new Vector3(Row0.Z, Row1.Z, Row2.Z);
        var det = Vector3.Dot(c0, Vector3.Cross(c1, c2));
        if (MathF.Abs(det) < 1e-12f)
        {
            return Identity with { Origin = -Origin };
        }

        // Rows of the inverse are the cross products of the columns, over the determinant.
        var inverse = new Transform3D(Vector3.Cross(c1, c2) / det, Vector3.Cross(c2, c0) / det, Vector3.Cross(c0, c1) / det, Vector3.Zero);
        return inverse with { Origin = -inverse.BasisXform(Origin) };
    }
}
