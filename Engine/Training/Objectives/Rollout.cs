namespace MiniMind.Engine.Training.Objectives;

/// <summary>
/// What GRPO sampled for one batch of prompts, on the host: every completion (rows grouped by prompt, <c>group</c> rows
/// each) laid out as prompt + completion, right-padded, with inputs, targets and a mask over the completion's target
/// positions, its reward and parts, and its advantage. What the objective computes on it is in <see cref="GrpoObjective"/>.
/// </summary>
public sealed record Rollout
{
    public required int Rows { get; init; }
    public required int Length { get; init; }
    public required int GroupSize { get; init; }
    /// <summary>(Rows, Length) row-major: prompt and completion ids without the last, padded.</summary>
    public required long[] Inputs { get; init; }
    /// <summary>(Rows, Length): the next id at every position.</summary>
    public required long[] Targets { get; init; }
    /// <summary>(Rows, Length): 1 where the target is a completion token (eos included), else 0.</summary>
    public required float[] Mask { get; init; }
    public required double[] Rewards { get; init; }
    /// <summary>Per reward part (in <see cref="Training.Rewards.RewardSet.Parts"/> order), each row's unweighted score.</summary>
    public required double[][] PartScores { get; init; }
    public required double[] Advantages { get; init; }
    /// <summary>Each completion as text, for the log.</summary>
    public required string[] Completions { get; init; }
    /// <summary>Each row's question (its prompt's), for the log.</summary>
    public required string[] Questions { get; init; }
    public required int[] CompletionLengths { get; init; }

    /// <summary>The share of groups whose rewards are all equal: they give no policy gradient.</summary>
    public double ZeroSignalShare
    {
        get
        {
            var groups = Rows / GroupSize;
            var flat = Enumerable.Range(0, groups).Count(g => GrpoLoss.IsFlat(Rewards, g * GroupSize, GroupSize));
            return groups == 0 ? 0 : flat / (double)groups;
        }
    }

    /// <summary>
    /// Lays out <paramref name="prompts"/>[r] + <paramref name="completions"/>[r] per row: inputs are the sequence without its
    /// last id, targets without its first, the mask 1 at the targets that are completion tokens; padding uses id 0.
    /// </summary>
    public static (long[] Inputs, long[] Targets, float[] Mask, int Length) Layout(IReadOnlyList<IReadOnlyList<long>> prompts, IReadOnlyList<IReadOnlyList<long>> completions)
    {
        var rows = prompts.Count;
        var length = Enumerable.Range(0, rows).Max(r => prompts[r].Count + completions[r].Count) - 1;
        var inputs = new long[rows * length];
        var targets = new long[rows * length];
        var mask = new float[rows * length];
        for (var r = 0; r < rows; r++)
        {
            var sequence = prompts[r].Concat(completions[r]).ToArray();
            for (var p = 0; p < sequence.Length - 1; p++)
            {
                inputs[r * length + p] = sequence[p];
                targets[r * length + p] = sequence[p + 1];
                if (p + 1 >= prompts[r].Count) mask[r * length + p] = 1;
            }
        }
        return (inputs, targets, mask, length);
    }
}
