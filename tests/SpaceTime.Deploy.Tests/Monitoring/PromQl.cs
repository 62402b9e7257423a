using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Monitoring;

/// <summary>The PromQL of the monitoring kit: every expression of alerts.yml and the Grafana dashboards, and the metric names they use.</summary>
internal static partial class PromQl
{
    private static readonly HashSet<string> Keywords = ["and", "or", "unless", "bool", "offset", "inf", "nan", "by", "without", "on", "ignoring", "group_left", "group_right"];

    public static string AlertsFile => RepositoryPaths.Deploy("monitoring", "prometheus", "alerts.yml");

    public static string DashboardsFolder => RepositoryPaths.Deploy("monitoring", "grafana", "dashboards");

    /// <summary>Every alert and recording rule expression of alerts.yml.</summary>
    public static IEnumerable<string> RuleExpressions() =>
        Rules().Select(r => r["expr"]!.GetValue<string>());

    public static IEnumerable<string> RecordedNames() =>
        Rules().Where(r => r["record"] is not null).Select(r => r["record"]!.GetValue<string>());

    /// <summary>(dashboard file, panel title, expression) of every panel target, Grafana variables left in place.</summary>
    public static IEnumerable<(string Dashboard, string Panel, string Expr)> DashboardExpressions() =>
        Directory.GetFiles(DashboardsFolder, "*.json").Order().SelectMany(file =>
            JsonNode.Parse(File.ReadAllText(file))!["panels"]!.AsArray().SelectMany(panel =>
                panel!["targets"]!.AsArray().Select(t => (Path.GetFileName(file), panel["title"]!.GetValue<string>(), t!["expr"]!.GetValue<string>()))));

    /// <summary>The metrics the dashboards' template variables query (label_values(metric, label)).</summary>
    public static IEnumerable<string> VariableMetrics() =>
        Directory.GetFiles(DashboardsFolder, "*.json").SelectMany(file =>
            JsonNode.Parse(File.ReadAllText(file))!["templating"]!["list"]!.AsArray()
                .Select(v => LabelValues().Match(v!["query"]!["query"]!.GetValue<string>()))
                .Where(m => m.Success)
                .Select(m => m.Groups["metric"].Value));

    /// <summary>Grafana's variables replaced by values Prometheus accepts, so the expression parses as plain PromQL.</summary>
    public static string WithoutGrafanaVariables(string expr) => expr
        .Replace("$__rate_interval", "5m", StringComparison.Ordinal)
        .Replace("$__interval", "1m", StringComparison.Ordinal)
        .Replace("$__range", "1h", StringComparison.Ordinal)
        .Replace("$instance", ".*", StringComparison.Ordinal);

    /// <summary>The metric names an expression reads: identifiers that are not functions, keywords, labels, strings or durations.</summary>
    public static IReadOnlySet<string> MetricNames(string expr)
    {
        var s = StringLiteral().Replace(expr, "\"\"");
        s = LabelMatchers().Replace(s, " ");
        s = RangeOrSubquery().Replace(s, " ");
        s = Grouping().Replace(s, " ");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Identifier().Matches(s))
        {
            var rest = s[(m.Index + m.Length)..].TrimStart();
            if (!rest.StartsWith('(') && !Keywords.Contains(m.Value))
            {
                names.Add(m.Value);
            }
        }

        return names;
    }

    /// <summary>The sample names a /metrics exposition offers, from its # TYPE lines (histograms: _bucket, _sum, _count).</summary>
    public static IReadOnlySet<string> ExportedNames(string exposition)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in TypeLine().Matches(exposition))
        {
            var name = m.Groups["name"].Value;
            switch (m.Groups["type"].Value)
            {
                case "histogram":
                    names.UnionWith([name + "_bucket", name + "_sum", name + "_count"]);
                    break;
                case "summary":
                    names.UnionWith([name, name + "_sum", name + "_count"]);
                    break;
                default:
                    names.Add(name);
                    break;
            }
        }

        return names;
    }

    private static IEnumerable<JsonNode> Rules() =>
        Yaml.Load(AlertsFile)["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!);

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangeOrSubquery();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w.:$])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"(?m)^# TYPE (?<name>\S+) (?<type>\S+)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"label_values\(\s*(?<metric>[a-zA-Z_:][a-zA-Z0-9_:]*)")]
    private static partial Regex LabelValues();
}
