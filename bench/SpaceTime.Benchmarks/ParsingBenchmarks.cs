using BenchmarkDotNet.Attributes;
using SpaceTime.Engine.Formats;
using SpaceTime.Engine.Worlds;

namespace SpaceTime.Benchmarks;

/// <summary>Parsing the whole Godot demo corpus (396 scenes, 139 projects) from memory, and loading vr_main.</summary>
[MemoryDiagnoser]
public class ParsingBenchmarks
{
    private (string Path, string Text)[] _scenes = [];
    private (string Path, string Text)[] _projects = [];
    private HeadlessGame? _game;

    [GlobalSetup]
    public void Setup()
    {
        var root = Environment.GetEnvironmentVariable("SPACETIME_CORPUS") ?? Paths.Corpus;
        _scenes = Directory.EnumerateFiles(root, "*.tscn", SearchOption.AllDirectories).Select(f => (f, File.ReadAllText(f))).ToArray();
        _projects = Directory.EnumerateFiles(root, "project.godot", SearchOption.AllDirectories).Select(f => (f, File.ReadAllText(f))).ToArray();
        _game = HeadlessGame.Open(Environment.GetEnvironmentVariable("SPACETIME_PROJECT") ?? Paths.DemoProject);
    }

    [Benchmark(Description = "parse corpus (396 .tscn + 139 project.godot)")]
    public int ParseCorpus()
    {
        var nodes = 0;
        foreach (var (path, text) in _scenes)
        {
            nodes += SceneDocument.Parse(text, path).Nodes.Count;
        }

        foreach (var (path, text) in _projects)
        {
            nodes += ProjectSettings.Parse(text, path).Values.Count;
        }

        return nodes;
    }

    [Benchmark(Description = "instantiate vr_main.tscn (cached parse)")]
    public int InstantiateVrMain() => _game!.Project.Loader.Instantiate("res://vr_main.tscn").NodeCount;

    [GlobalCleanup]
    public void Cleanup() => _game?.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
