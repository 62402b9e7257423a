using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SpaceTime.Engine.Formats;
using SpaceTime.Engine.Players;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Spatial;

namespace SpaceTime.Engine.Worlds;

/// <summary>
/// The world's state at a scene tick: every node's local transform and stored properties (as Godot text),
/// the player's motion and the simulated VR hardware. Restoring it into the same scene gives the same
/// <see cref="Hash"/>; that hash is the state hash agents compare.
/// </summary>
public sealed record WorldSnapshot(string ScenePath, long Tick, IReadOnlyList<NodeSnapshot> Nodes, PlayerMotion? Player, VrSimulationState Vr)
{
    /// <summary>Captures a scene's state. Runs on the simulation thread.</summary>
    public static WorldSnapshot Capture(SceneInstance scene, long tick, Player? player, VrSimulation vr) => new(
        scene.ResourcePath,
        tick,
        [.. scene.Root.SelfAndDescendants().Select(NodeSnapshot.Capture)],
        player?.Capture(),
        vr.Capture());

    /// <summary>SHA-256 (hex) over a fixed binary encoding: same state, same hash, in any process on any run.</summary>
    public string Hash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var writer = new HashWriter(hash);
        writer.String("spacetime-state-v1");
        writer.String(ScenePath);
        writer.Long(Tick);
        writer.Long(Nodes.Count);
        foreach (var node in Nodes)
        {
            writer.String(node.Path);
            writer.String(node.Type);
            writer.Floats(node.Transform);
            writer.Long(node.Properties.Count);
            foreach (var property in node.Properties)
            {
                writer.String(property.Name);
                writer.String(property.Value);
            }
        }

        if (Player is { } p)
        {
            writer.String("player");
            writer.Floats(p.Position);
            writer.Floats(p.Velocity);
            writer.Floats([p.Yaw, p.MoveSpeed, p.MoveRemaining]);
            writer.Floats(p.MoveDirection);
            writer.Long((p.OnFloor ? 1 : 0) | (p.Spawned ? 2 : 0));
            writer.Long(p.Respawns);
        }

        writer.String("vr");
        foreach (var pose in new[] { Vr.Headset, Vr.LeftController, Vr.RightController })
        {
            writer.Floats(pose is null ? [float.NaN] : [pose.X, pose.Y, pose.Z, pose.Pitch, pose.Yaw, pose.Roll]);
        }

        foreach (var c in new[] { Vr.Left, Vr.Right })
        {
            writer.Floats([c.Trigger, c.Grip, c.PrimaryButton ? 1 : 0, c.ThumbstickX, c.ThumbstickY]);
        }

        writer.Long(Vr.TicksRemaining);
        writer.Long((Vr.SnapReady ? 1 : 0) | (Vr.TriggerHeld ? 2 : 0));
        writer.Long(Vr.SnapTurns);
        writer.Long(Vr.Teleports);
        writer.String(Vr.LastAction ?? "");
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private readonly struct HashWriter(IncrementalHash hash)
    {
        public void Long(long value)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
            hash.AppendData(bytes);
        }

        public void String(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            Long(bytes.Length);
            hash.AppendData(bytes);
        }

        public void Floats(ReadOnlySpan<float> values)
        {
            Long(values.Length);
            Span<byte> bytes = stackalloc byte[4];
            foreach (var v in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes, v);
                hash.AppendData(bytes);
            }
        }
    }
}

/// <summary>A stored property: name and value as Godot text.</summary>
public sealed record NodeProperty(string Name, string Value);

/// <summary>One node's state: path, type, local transform (basis rows then origin) and stored properties in ordinal name order.</summary>
public sealed record NodeSnapshot(string Path, string Type, float[] Transform, IReadOnlyList<NodeProperty> Properties)
{
    public static NodeSnapshot Capture(SceneNode node)
    {
        var t = node.LocalTransform;
        var properties = node.Properties
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new NodeProperty(p.Key, VariantWriter.Write(p.Value)))
            .ToList();

        return new NodeSnapshot(node.Path, node.Type,
            [t.Row0.X, t.Row0.Y, t.Row0.Z, t.Row1.X, t.Row1.Y, t.Row1.Z, t.Row2.X, t.Row2.Y, t.Row2.Z, t.Origin.X, t.Origin.Y, t.Origin.Z],
            properties);
    }

    /// <summary>Puts a node back; only properties whose text differs are parsed again.</summary>
    internal void RestoreInto(SceneNode node)
    {
        var t = Transform;
        node.LocalTransform = new Transform3D(new(t[0], t[1], t[2]), new(t[3], t[4], t[5]), new(t[6], t[7], t[8]), new(t[9], t[10], t[11]));
        var saved = Properties.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        foreach (var key in node.Properties.Keys.Where(k => !saved.ContainsKey(k)).ToList())
        {
            node.Properties.Remove(key);
        }

        foreach (var (key, text) in saved)
        {
            if (!node.Properties.TryGetValue(key, out var current) || VariantWriter.Write(current) != text)
            {
                node.Properties[key] = VariantReader.Parse(text);
            }
        }
    }
}
