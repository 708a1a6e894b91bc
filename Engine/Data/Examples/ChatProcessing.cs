using System.Globalization;

namespace MiniMind.Engine.Data;

/// <summary>
/// The current original's optional processing of conversations before training (minimind-3, <c>dataset/lm_dataset.py</c>),
/// as named options, both off by default:
/// <list type="bullet">
/// <item><see cref="SystemPromptRatio"/> (<c>pre_processing_chat</c>, 0.2 there): a conversation with no system turn and
/// no tools gets one of <see cref="SystemPrompts"/> in front with this probability (SFT data and GRPO prompts).</item>
/// <item><see cref="EmptyThinkDropRatio"/> (<c>post_processing_chat</c>, 0.8 there): a rendered conversation loses its
/// empty think blocks (<c>&lt;think&gt;\n\n&lt;/think&gt;\n\n</c>, which minimind-3's template writes into every
/// assistant turn without reasoning) with this probability (SFT and DPO data).</item>
/// </list>
/// The original draws anew each time a record is read; here the draw is a hash of the seed, the record's line and the
/// choice, so the rendered tokens can be cached and a resumed run sees the same data. Another seed draws again.
/// </summary>
public sealed record ChatProcessing(double SystemPromptRatio, double EmptyThinkDropRatio, long Seed)
{
    /// <summary>The system prompts the current original mixes in (<c>pre_processing_chat</c>'s list).</summary>
    public static readonly IReadOnlyList<string> SystemPrompts =
    [
        "你是一个知识丰富的AI，尽力为用户提供准确的信息。",
        "你是minimind，一个小巧但有用的语言模型。",
        "你是一个专业的AI助手，请提供有价值的回答。",
        "你是minimind，请尽力帮助用户解决问题。",
        "你是一个可靠的AI，请给出准确的回答。",
        "You are a helpful AI assistant.",
        "You are minimind, a lightweight intelligent assistant.",
        "You are a friendly chatbot. Please answer the user's questions carefully.",
        "You are a knowledgeable AI. Try your best to provide accurate information.",
        "You are minimind, a small but useful language model.",
    ];

    /// <summary>What the template writes for an assistant turn that did not think.</summary>
    public const string EmptyThink = "<think>\n\n</think>\n\n";

    /// <summary>Whether this processing changes anything.</summary>
    public bool IsNone => SystemPromptRatio <= 0 && EmptyThinkDropRatio <= 0;

    /// <summary>A short name of the settings for cache file names: records processed differently are different tokens.</summary>
    public string Key => IsNone ? "" : string.Create(CultureInfo.InvariantCulture, $"s{SystemPromptRatio:R}-t{EmptyThinkDropRatio:R}-r{Seed}");

    /// <summary>The conversation of line <paramref name="line"/> with a system prompt mixed in, or as it is.</summary>
    public IReadOnlyList<ChatMessage> Prepare(IReadOnlyList<ChatMessage> messages, long line)
    {
        if (SystemPromptRatio <= 0 || messages.Count == 0 || messages[0].Role == "system" || messages.Any(m => m.Tools is not null)) return messages;
        if (Draw(line, 1) >= SystemPromptRatio) return messages;
        var prompt = SystemPrompts[(int)(Draw(line, 2) * SystemPrompts.Count)];
        return [ChatMessage.System(prompt), .. messages];
    }

    /// <summary>
    /// The rendered text of line <paramref name="line"/> (<paramref name="part"/>: 0, or 1 for a DPO pair's rejected side,
    /// drawn apart as the original draws for each) without its empty think blocks, or as it is.
    /// </summary>
    public string Finish(string rendered, long line, int part = 0)
    {
        if (EmptyThinkDropRatio <= 0 || !rendered.Contains(EmptyThink, StringComparison.Ordinal)) return rendered;
        return Draw(line, 3 + part) < EmptyThinkDropRatio ? rendered.Replace(EmptyThink, "", StringComparison.Ordinal) : rendered;
    }

    /// <summary>A number in [0, 1) fixed by the seed, the line and the choice (splitmix64).</summary>
    double Draw(long line, int choice)
    {
        unchecked
        {
            var z = (ulong)Seed * 0x9E3779B97F4A7C15UL ^ (ulong)line * 0xD1B54A32D192ED03UL ^ (ulong)choice * 0x8CB92BA72F3D8DD7UL;
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) / (double)(1UL << 53);
        }
    }
}
