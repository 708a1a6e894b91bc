using System.Globalization;
using System.Text;
using MiniMind.Engine.Training;

namespace MiniMind.Studio.Services;

/// <summary>
/// Where a run's files download from (the host maps these addresses, the run page links them) and the CSV form of its
/// metrics: one row a step, the stage's own metrics as columns.
/// </summary>
public static class RunFileRoutes
{
    public const string Prefix = "/runs";

    public static string MetricsCsv(string runId) => $"{Prefix}/{Uri.EscapeDataString(runId)}/metrics.csv";
    public static string MetricsJsonl(string runId) => $"{Prefix}/{Uri.EscapeDataString(runId)}/metrics.jsonl";
    public static string Config(string runId) => $"{Prefix}/{Uri.EscapeDataString(runId)}/config.json";

    /// <summary>One row a step: the common figures, then every stage metric the run reported (empty where a step has none).</summary>
    public static string Csv(IReadOnlyList<StepMetrics> steps)
    {
        var extras = steps.SelectMany(s => s.Extra?.Keys ?? []).Distinct().Order(StringComparer.Ordinal).ToList();
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(',', ["step", "total_steps", "loss", "aux_loss", "lr", "grad_norm", "tokens_per_s", "useful_tokens_per_s", "elapsed_s", .. extras]));
        static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        foreach (var s in steps)
        {
            csv.AppendLine(string.Join(',', [
                s.Step.ToString(CultureInfo.InvariantCulture), s.TotalSteps.ToString(CultureInfo.InvariantCulture), N(s.Loss), N(s.AuxLoss), N(s.LearningRate),
                N(s.GradNorm), N(s.TokensPerSecond), N(s.UsefulTokensPerSecond), N(s.ElapsedSeconds),
                .. extras.Select(k => s.Extra?.TryGetValue(k, out var v) == true ? N(v) : "")]));
        }
        return csv.ToString();
    }
}
