using System.Text.RegularExpressions;

namespace MiniMind.Engine.Training.Rewards;

/// <summary>
/// The reasoning format: 1 when the whole completion is <c>&lt;think&gt;…&lt;/think&gt;&lt;answer&gt;…&lt;/answer&gt;</c> (white
/// space around the parts allowed, each tag once), 0.5 when both closing tags appear in that order but the shape is not
/// exact, else 0.
/// </summary>
public sealed partial class FormatReward : IReward
{
    public string Name => "format";

    public double Score(RewardContext c)
    {
        if (Shape().IsMatch(c.Completion)) return 1;
        var think = c.Completion.IndexOf("</think>", StringComparison.Ordinal);
        return think >= 0 && c.Completion.IndexOf("</answer>", think, StringComparison.Ordinal) > think ? 0.5 : 0;
    }

    [GeneratedRegex(@"^\s*<think>(?:(?!</?think>).)*</think>\s*<answer>(?:(?!</?answer>).)*</answer>\s*$", RegexOptions.Singleline)]
    private static partial Regex Shape();
}
