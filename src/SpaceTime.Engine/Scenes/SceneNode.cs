using System.Numerics;
using SpaceTime.Engine.Formats;
using SpaceTime.Engine.Spatial;

namespace SpaceTime.Engine.Scenes;

/// <summary>
/// A node of a live scene tree. Owned by the simulation thread once the scene is active: read and change it
/// only from work posted to the <see cref="Simulation.SimulationLoop"/>.
/// </summary>
public sealed class SceneNode
{
    private readonly List<SceneNode> _children = [];
    private readonly HashSet<string> _groups = new(StringComparer.Ordinal);

    public SceneNode(string name, string type)
    {
        Name = name;
        Type = type;
    }

    public string Name { get; internal set; }

    /// <summary>The Godot class of the node (for an instanced scene, the class of its root).</summary>
    public string Type { get; internal set; }

    public SceneNode? Parent { get; private set; }

    public IReadOnlyList<SceneNode> Children => _children;

    public IReadOnlyCollection<string> Groups => _groups;

    /// <summary>Properties as written in the scene (instanced scenes' values overridden by the instancing scene).</summary>
    public Dictionary<string, object?> Properties { get; } = new(StringComparer.Ordinal);

    /// <summary>The <c>res://</c> scene this node is the root of, when it was instanced from one.</summary>
    public string? SceneFile { get; internal set; }

    /// <summary>An imported scene (glTF, .blend...) this node stands for; a headless server does not import meshes.</summary>
    public string? ImportedScene { get; internal set; }

    /// <summary>For each property holding a resource reference, the scene file that reference is resolved in.</summary>
    internal Dictionary<string, ResourceScope> ResourceScopes { get; } = new(StringComparer.Ordinal);

    public Transform3D LocalTransform { get; set; } = Transform3D.Identity;

    /// <summary>True for spatial (Node3D-derived) nodes, whose transform places them in the world.</summary>
    public bool Is3D { get; internal set; }

    public bool Visible => Properties.GetValueOrDefault("visible") is not false;

    public Transform3D GlobalTransform
    {
        get
        {
            var t = LocalTransform;
            for (var p = Parent; p is not null; p = p.Parent)
            {
                if (p.Is3D)
                {
                    t = p.LocalTransform * t;
                }
            }

            return t;
        }
    }

    public Vector3 GlobalPosition => GlobalTransform.Origin;

    public bool IsInGroup(string group) => _groups.Contains(group);

    internal void AddGroup(string group) => _groups.Add(group);

    internal void AddChild(SceneNode child, int? index = null)
    {
        child.Parent = this;
        if (index is { } i && i >= 0 && i < _children.Count)
        {
            _children.Insert(i, child);
        }
        else
        {
            _children.Add(child);
        }
    }

    /// <summary>Path from the scene root, e.g. <c>/root/Main/Player</c> style without the window: "Main/Player".</summary>
    public string Path
    {
        get
        {
            var names = new Stack<string>();
            for (var n = this; n is not null; n = n.Parent)
            {
                names.Push(n.Name);
            }

            return string.Join('/', names);
        }
    }

    /// <summary>Finds a node by a path relative to this one ("." is this node).</summary>
    public SceneNode? Find(string relativePath)
    {
        if (relativePath is "." or "")
        {
            return this;
        }

        var node = this;
        foreach (var name in relativePath.Split('/'))
        {
            node = name == ".." ? node.Parent : node?._children.FirstOrDefault(c => c.Name == name);
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>This node and all below it, depth first in tree order.</summary>
    public IEnumerable<SceneNode> SelfAndDescendants()
    {
        var stack = new Stack<SceneNode>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            yield return node;
            for (var i = node._children.Count - 1; i >= 0; i--)
            {
                stack.Push(node._children[i]);
            }
        }
    }

    /// <summary>The resource a property refers to (<c>SubResource</c>/<c>ExtResource</c>), or null.</summary>
    public SubResource? GetResource(string property) =>
        Properties.GetValueOrDefault(property) is ResourceRef r && ResourceScopes.TryGetValue(property, out var scope)
            ? scope.Resolve(r)
            : null;

    /// <summary>Recomputes <see cref="LocalTransform"/> from the transform properties as Godot stores them.</summary>
    internal void ApplyTransformProperties()
    {
        if (Properties.GetValueOrDefault("transform") is MathValue { TypeName: "Transform3D" } t)
        {
            LocalTransform = t.ToTransform3D();
            return;
        }

        var position = Properties.GetValueOrDefault("position") is MathValue { TypeName: "Vector3" } p ? p.ToVector3() : Vector3.Zero;
        var rotation = Properties.GetValueOrDefault("rotation") is MathValue { TypeName: "Vector3" } r ? r.ToVector3() : Vector3.Zero;
        var scale = Properties.GetValueOrDefault("scale") is MathValue { TypeName: "Vector3" } s ? s.ToVector3() : Vector3.One;
        if (Properties.GetValueOrDefault("quaternion") is MathValue { TypeName: "Quaternion" } q)
        {
            var m = Matrix4x4.CreateFromQuaternion(q.ToQuaternion());
            LocalTransform = new Transform3D(
                new Vector3(m.M11, m.M21, m.M31) * scale, new Vector3(m.M12, m.M22, m.M32) * scale,
                new Vector3(m.M13, m.M23, m.M33) * scale, position);
            return;
        }

        LocalTransform = Transform3D.FromPositionRotationScale(position, rotation, scale);
    }

    public override string ToString() => $"{Name} ({Type})";
}
