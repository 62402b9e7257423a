using BenchmarkDotNet.Running;
using SpaceTime.Benchmarks;

// dotnet run -c Release --project bench/SpaceTime.Benchmarks -- parse   (BenchmarkDotNet: corpus parse, vr_main load)
// dotnet run -c Release --project bench/SpaceTime.Benchmarks -- loop [seconds]   (tick-time distribution at 90 Hz)
// dotnet run -c Release --project bench/SpaceTime.Benchmarks -- fanout [seconds] [clients...]   (telemetry fan-out at 10 Hz)
// dotnet run -c Release --project bench/SpaceTime.Benchmarks -- agents [runs]   (time_step, state hash, snapshots, MCP vs HTTP)
return args.FirstOrDefault() switch
{
    "loop" => await LoopHarness.RunAsync(TimeSpan.FromSeconds(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30)),
    "parse" => Run(args[1..]),
    "agents" => await AgentsHarness.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50),
    "fanout" => await FanOutHarness.RunAsync(
        TimeSpan.FromSeconds(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10),
        args.Length > 2 ? [.. args[2..].Select(int.Parse)] : [10, 100, 500, 1000]),
    _ => Usage(),
};

static int Run(string[] rest)
{
    BenchmarkRunner.Run<ParsingBenchmarks>(args: rest);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: SpaceTime.Benchmarks parse [BenchmarkDotNet args] | loop [seconds] | fanout [seconds] [clients...] | agents [runs]");
    return 2;
}
