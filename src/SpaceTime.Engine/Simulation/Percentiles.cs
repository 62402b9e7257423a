namespace SpaceTime.Engine.Simulation;

/// <summary>Percentiles of measured durations, as every report in SpaceTime computes them.</summary>
public static class Percentiles
{
    /// <summary>Nearest-rank percentile (<paramref name="p"/> in 0..1) of values sorted ascending; 0 when there are none.</summary>
    public static double NearestRank(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
