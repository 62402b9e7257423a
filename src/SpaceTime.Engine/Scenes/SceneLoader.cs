using System.Collections.Concurrent;
using SpaceTime.Engine.Formats;

namespace SpaceTime.Engine.Scenes;

/// <summary>A scene built into a node tree, ready to become the active scene.</summary>
public sealed record SceneInstance(string ResourcePath, SceneNode Root, int NodeCount, IReadOnlyList<string> Warnings)
{
    public string Name => Root.Name;
}

/// <summary>
/// Builds node trees from <c>.tscn</c> files of one project: resolves <c>res://</c> paths against the project folder,
/// instances nested scenes recursively (with cycle detection), and resolves sub-resources and <c>.tres</c> files.
/// Thread-safe; parsed files are cached until they change on disk.
/// </summary>
public sealed class SceneLoader(string projectRoot)
{
    private readonly ConcurrentDictionary<string, CachedDocument> _cache = new(StringComparer.Ordinal);

    public string ProjectRoot { get; } = Path.GetFullPath(projectRoot);

    /// <summary>Loads and instantiates a scene by its <c>res://</c> path.</summary>
    public SceneInstance Instantiate(string resPath)
    {
        if (!ResourcePath.TryCanonicalizeScene(resPath, out var canonical, out var error))
        {
            throw new SceneLoadException(SceneLoadFailure.InvalidPath, $"invalid scene path '{resPath}': {error}");
        }

        var warnings = new List<string>();
        var root = InstantiateScene(canonical, [canonical], warnings);
        var count = root.SelfAndDescendants().Count();
        return new SceneInstance(canonical, root, count, warnings);
    }

    /// <summary>Parses a scene or resource file, from the cache when the file has not changed.</summary>
    public SceneDocument LoadDocument(string canonicalPath)
    {
        var file = ToFile(canonicalPath);
        FileInfo info = new(file);
        if (!info.Exists)
        {
            throw new SceneLoadException(SceneLoadFailure.NotFound, $"file not found: {canonicalPath}", canonicalPath);
        }

        if (_cache.TryGetValue(file, out var cached) && cached.LastWrite == info.LastWriteTimeUtc && cached.Length == info.Length)
        {
            return cached.Document;
        }

        try
        {
            var document = SceneDocument.Parse(File.ReadAllText(file), canonicalPath);
            _cache[file] = new CachedDocument(document, info.LastWriteTimeUtc, info.Length);
            return document;
        }
        catch (GodotParseException e)
        {
            throw new SceneLoadException(SceneLoadFailure.ParseError, e.Message, e.File, e.Line, e.Column, e);
        }
    }

    public bool Exists(string canonicalPath) => File.Exists(ToFile(canonicalPath));

    private string ToFile(string canonicalPath)
    {
        try
        {
            return ResourcePath.ToFileSystemPath(ProjectRoot, canonicalPath);
        }
        catch (ArgumentException e)
        {
            throw new SceneLoadException(SceneLoadFailure.InvalidPath, $"invalid path '{canonicalPath}': {e.Message}", canonicalPath);
        }
    }

    private SceneNode InstantiateScene(string canonicalPath, IReadOnlyList<string> chain, List<string> warnings)
    {
        var document = LoadDocument(canonicalPath);
        if (document.Kind != "gd_scene")
        {
            throw new SceneLoadException(SceneLoadFailure.Invalid, $"{canonicalPath} is a resource, not a scene", canonicalPath);
        }

        if (document.Nodes.Count == 0)
        {
            throw new SceneLoadException(SceneLoadFailure.Invalid, $"{canonicalPath} has no nodes", canonicalPath);
        }

        var scope = new ResourceScope(this, document, canonicalPath);
        SceneNode? root = null;
        foreach (var declaration in document.Nodes)
        {
            var parent = declaration.Parent is null ? null : FindOrCreateParent(root!, declaration, canonicalPath);
            var node = CreateNode(declaration, parent, scope, chain, warnings);
            if (parent is null)
            {
                root ??= node;
            }
            else if (node.Parent is null)
            {
                parent.AddChild(node, declaration.Index);
            }

            foreach (var group in declaration.Groups)
            {
                node.AddGroup(group);
            }

            foreach (var (key, value) in declaration.Properties)
            {
                node.Properties[key] = value;
                if (value is ResourceRef)
                {
                    node.ResourceScopes[key] = scope;
                }
            }

            node.Is3D |= IsSpatialType(declaration.Type) || node.Properties.GetValueOrDefault("transform") is MathValue { TypeName: "Transform3D" };
            if (node.Is3D)
            {
                node.ApplyTransformProperties();
            }
        }

        return root!;
    }

    private SceneNode CreateNode(NodeDeclaration declaration, SceneNode? parent, ResourceScope scope, IReadOnlyList<string> chain, List<string> warnings)
    {
        if (declaration.Instance is { } instance)
        {
            var external = scope.Document.FindExternal(instance.Id)
                ?? throw new SceneLoadException(SceneLoadFailure.Invalid,
                    $"{scope.ResourcePath}:{declaration.Line}: node '{declaration.Name}' instances ExtResource(\"{instance.Id}\"), which is not declared",
                    scope.ResourcePath, declaration.Line);
            var target = ResourcePath.ResolveReference(scope.ResourcePath, external.Path);
            if (!target.EndsWith(".tscn", StringComparison.Ordinal))
            {
                // An imported scene (glTF, .blend, .scn): nothing to simulate on a server, keep it as a spatial placeholder.
                return new SceneNode(declaration.Name, declaration.Type ?? "Node3D") { ImportedScene = target, Is3D = true };
            }

            if (chain.Contains(target))
            {
                throw new SceneLoadException(SceneLoadFailure.Cycle,
                    $"scenes instance each other in a cycle: {string.Join(" -> ", chain.Append(target))}", scope.ResourcePath, declaration.Line);
            }

            if (!Exists(target))
            {
                throw new SceneLoadException(SceneLoadFailure.NotFound,
                    $"{scope.ResourcePath}:{declaration.Line}: node '{declaration.Name}' instances {target}, which does not exist",
                    scope.ResourcePath, declaration.Line);
            }

            var instanced = InstantiateScene(target, [.. chain, target], warnings);
            instanced.Name = declaration.Name;
            instanced.SceneFile = target;
            return instanced;
        }

        if (declaration.InstancePlaceholder is { } placeholder)
        {
            return new SceneNode(declaration.Name, "InstancePlaceholder") { SceneFile = placeholder };
        }

        // A node without type under an instanced parent overrides a node of that instance.
        if (declaration.Type is null && parent?.Children.FirstOrDefault(c => c.Name == declaration.Name) is { } existing)
        {
            return existing;
        }

        // Under an imported scene (glTF...) it overrides a node we do not expand: expected, not worth a warning.
        if (declaration.Type is null && declaration.Parent is not null && (parent is null || !IsInsideImportedScene(parent)))
        {
            warnings.Add($"{scope.ResourcePath}:{declaration.Line}: node '{declaration.Path}' has no type and overrides nothing; created as Node");
        }

        return new SceneNode(declaration.Name, declaration.Type ?? "Node");
    }

    private static SceneNode FindOrCreateParent(SceneNode root, NodeDeclaration declaration, string canonicalPath)
    {
        var parentPath = declaration.Parent!;
        if (root.Find(parentPath) is { } parent)
        {
            return parent;
        }

        // The parent lies inside an imported scene we do not expand: create the path below the imported node.
        var node = root;
        foreach (var name in parentPath.Split('/'))
        {
            var next = node.Children.FirstOrDefault(c => c.Name == name);
            if (next is null)
            {
                if (!IsInsideImportedScene(node))
                {
                    throw new SceneLoadException(SceneLoadFailure.Invalid,
                        $"{canonicalPath}:{declaration.Line}: node '{declaration.Name}' names parent '{parentPath}', which does not exist",
                        canonicalPath, declaration.Line);
                }

                next = new SceneNode(name, "Node3D") { Is3D = true };
                node.AddChild(next);
            }

            node = next;
        }

        return node;
    }

    private static bool IsInsideImportedScene(SceneNode node)
    {
        for (var n = node; n is not null; n = n.Parent)
        {
            if (n.ImportedScene is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Godot's spatial classes all end in "3D" (Node3D, XROrigin3D, CSGBox3D, ...).</summary>
    private static bool IsSpatialType(string? type) => type is not null && type.EndsWith("3D", StringComparison.Ordinal);

    private sealed record CachedDocument(SceneDocument Document, DateTime LastWrite, long Length);
}

/// <summary>The resources visible from the nodes of one scene file.</summary>
internal sealed class ResourceScope(SceneLoader loader, SceneDocument document, string resourcePath)
{
    public SceneDocument Document { get; } = document;

    public string ResourcePath { get; } = resourcePath;

    public SubResource? Resolve(ResourceRef reference)
    {
        if (reference.Kind == ResourceRefKind.Sub)
        {
            return Document.FindSub(reference.Id);
        }

        if (Document.FindExternal(reference.Id) is not { } external)
        {
            return null;
        }

        var target = Scenes.ResourcePath.ResolveReference(ResourcePath, external.Path);
        if (!target.EndsWith(".tres", StringComparison.Ordinal) || !loader.Exists(target))
        {
            return new SubResource(external.Id, external.Type, []);
        }

        var resource = loader.LoadDocument(target);
        return resource.MainResource ?? new SubResource(external.Id, external.Type, []);
    }
}
