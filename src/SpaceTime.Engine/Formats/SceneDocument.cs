using System.Globalization;

namespace SpaceTime.Engine.Formats;

/// <summary>An <c>[ext_resource]</c>: a file the scene refers to.</summary>
public sealed record ExternalResource(string Id, string Type, string Path, string? Uid);

/// <summary>A <c>[sub_resource]</c> (or a .tres file's <c>[resource]</c>) with its properties.</summary>
public sealed record SubResource(string Id, string Type, IReadOnlyList<KeyValuePair<string, object?>> Properties)
{
    public object? Property(string name) => Properties.FirstOrDefault(p => p.Key == name).Value;
}

/// <summary>A <c>[node]</c> declaration. Unknown attributes are kept in <see cref="Attributes"/>.</summary>
public sealed record NodeDeclaration(
    string Name,
    string? Type,
    string? Parent,
    ResourceRef? Instance,
    string? InstancePlaceholder,
    IReadOnlyList<string> Groups,
    int? Index,
    string? Owner,
    long? UniqueId,
    IReadOnlyList<KeyValuePair<string, object?>> Attributes,
    IReadOnlyList<KeyValuePair<string, object?>> Properties,
    int Line)
{
    /// <summary>Path of this node relative to the scene root ("." for the root).</summary>
    public string Path => Parent switch
    {
        null => ".",
        "." => Name,
        _ => $"{Parent}/{Name}",
    };

    public object? Property(string name) => Properties.FirstOrDefault(p => p.Key == name).Value;
}

public sealed record ConnectionDeclaration(string Signal, string From, string To, string Method, long Flags, object? Binds);

/// <summary>
/// A parsed <c>.tscn</c> (<c>gd_scene</c>) or <c>.tres</c> (<c>gd_resource</c>) file, format 3 or 4 (format 2 tolerated).
/// </summary>
public sealed class SceneDocument
{
    public required string File { get; init; }

    /// <summary>"gd_scene" or "gd_resource".</summary>
    public required string Kind { get; init; }

    public required int Format { get; init; }

    public string? Uid { get; init; }

    /// <summary>For a gd_resource: its resource type (e.g. BoxShape3D).</summary>
    public string? ResourceType { get; init; }

    public required IReadOnlyList<KeyValuePair<string, object?>> HeaderAttributes { get; init; }

    public required IReadOnlyList<ExternalResource> ExternalResources { get; init; }

    public required IReadOnlyList<SubResource> SubResources { get; init; }

    public required IReadOnlyList<NodeDeclaration> Nodes { get; init; }

    public required IReadOnlyList<ConnectionDeclaration> Connections { get; init; }

    public required IReadOnlyList<string> EditablePaths { get; init; }

    /// <summary>The <c>[resource]</c> section of a .tres file.</summary>
    public SubResource? MainResource { get; init; }

    public static SceneDocument Load(string path) => Parse(System.IO.File.ReadAllText(path), path);

    public static SceneDocument Parse(string text, string file)
    {
        var textFile = GodotTextFile.Parse(text, file);
        if (textFile.Sections.Count == 0 || textFile.Sections[0].Tag is not ("gd_scene" or "gd_resource"))
        {
            throw new GodotParseException(file, 1, 1, "not a Godot scene or resource: the file must start with [gd_scene ...] or [gd_resource ...]");
        }

        var header = textFile.Sections[0];
        var format = header.Attribute("format") is long f ? (int)f : 2;
        if (format is < 2 or > 4)
        {
            throw new GodotParseException(file, header.Line, 1, $"unsupported format={format} (expected 2, 3 or 4)");
        }

        var ext = new List<ExternalResource>();
        var subs = new List<SubResource>();
        var nodes = new List<NodeDeclaration>();
        var connections = new List<ConnectionDeclaration>();
        var editable = new List<string>();
        SubResource? main = null;
        foreach (var section in textFile.Sections.Skip(1))
        {
            switch (section.Tag)
            {
                case "ext_resource":
                    ext.Add(new ExternalResource(
                        Required(section, "id", file),
                        section.StringAttribute("type") ?? "Resource",
                        Required(section, "path", file),
                        section.StringAttribute("uid")));
                    break;
                case "sub_resource":
                    subs.Add(new SubResource(Required(section, "id", file), Required(section, "type", file), section.Properties));
                    break;
                case "resource":
                    main = new SubResource("", header.StringAttribute("type") ?? "Resource", section.Properties);
                    break;
                case "node":
                    nodes.Add(ReadNode(section, file));
                    break;
                case "connection":
                    connections.Add(new ConnectionDeclaration(
                        Required(section, "signal", file), Required(section, "from", file),
                        Required(section, "to", file), Required(section, "method", file),
                        section.Attribute("flags") is long flags ? flags : 0,
                        section.Attribute("binds")));
                    break;
                case "editable":
                    editable.Add(Required(section, "path", file));
                    break;
                default:
                    throw new GodotParseException(file, section.Line, 1, $"unknown section [{section.Tag}]");
            }
        }

        if (header.Tag == "gd_scene")
        {
            CheckTree(nodes, file);
        }

        return new SceneDocument
        {
            File = file,
            Kind = header.Tag,
            Format = format,
            Uid = header.StringAttribute("uid"),
            ResourceType = header.StringAttribute("type"),
            HeaderAttributes = header.Attributes,
            ExternalResources = ext,
            SubResources = subs,
            Nodes = nodes,
            Connections = connections,
            EditablePaths = editable,
            MainResource = main,
        };
    }

    public ExternalResource? FindExternal(string id) => ExternalResources.FirstOrDefault(e => e.Id == id);

    public SubResource? FindSub(string id) => SubResources.FirstOrDefault(s => s.Id == id);

    private static string Required(TextSection section, string name, string file) =>
        section.StringAttribute(name) ?? throw new GodotParseException(file, section.Line, 1, $"[{section.Tag}] is missing '{name}'");

    private static NodeDeclaration ReadNode(TextSection section, string file)
    {
        var groups = section.Attribute("groups") switch
        {
            null => [],
            VariantArray a => a.Items.Select(g => g switch
            {
                string s => s,
                StringName sn => sn.Value,
                _ => throw new GodotParseException(file, section.Line, 1, "node groups must be strings"),
            }).ToList(),
            _ => throw new GodotParseException(file, section.Line, 1, "node 'groups' must be an array"),
        };
        int? index = section.StringAttribute("index") is { } idx
            ? int.TryParse(idx, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i
                : throw new GodotParseException(file, section.Line, 1, $"node index '{idx}' is not a number")
            : null;
        var instance = section.Attribute("instance") switch
        {
            null => null,
            ResourceRef r => r,
            _ => throw new GodotParseException(file, section.Line, 1, "node 'instance' must be ExtResource(...)"),
        };
        return new NodeDeclaration(
            Required(section, "name", file),
            section.StringAttribute("type"),
            section.StringAttribute("parent"),
            instance,
            section.Attribute("instance_placeholder") as string,
            groups,
            index,
            section.StringAttribute("owner"),
            section.Attribute("unique_id") as long?,
            section.Attributes,
            section.Properties,
            section.Line);
    }

    /// <summary>
    /// The first node is the root (no parent); every other node names a parent that is declared before it,
    /// or that lies inside an instanced scene declared before it.
    /// </summary>
    private static void CheckTree(List<NodeDeclaration> nodes, string file)
    {
        if (nodes.Count == 0)
        {
            return;
        }

        if (nodes[0].Parent is not null)
        {
            // An inherited scene's root has an instance and no parent; any other root with a parent is broken.
            throw new GodotParseException(file, nodes[0].Line, 1, $"the first node '{nodes[0].Name}' must be the root (no parent)");
        }

        var known = new HashSet<string>(StringComparer.Ordinal) { "." };
        var instanced = new List<string>();
        if (nodes[0].Instance is not null)
        {
            instanced.Add(".");
        }

        foreach (var node in nodes.Skip(1))
        {
            if (node.Parent is null)
            {
                throw new GodotParseException(file, node.Line, 1, $"node '{node.Name}' has no parent but is not the first node");
            }

            if (!ParentResolves(node.Parent, known, instanced))
            {
                throw new GodotParseException(file, node.Line, 1, $"node '{node.Name}' names parent '{node.Parent}', which is not declared before it");
            }

            known.Add(node.Path);
            if (node.Instance is not null)
            {
                instanced.Add(node.Path);
            }
        }
    }

    internal static bool ParentResolves(string parent, HashSet<string> known, List<string> instanced) =>
        known.Contains(parent)
        || instanced.Any(root => root == "." || parent.StartsWith(root + "/", StringComparison.Ordinal));
}
