namespace MiniMind.Engine.Tokenization;

/// <summary>Settings of <see cref="BpeTrainer"/> (the subset of HF <c>BpeTrainer</c> MiniMind uses, plus memory bounds).</summary>
public sealed record BpeTrainerOptions
{
    /// <summary>Target vocabulary size, specials and the 256-symbol byte alphabet included.</summary>
    public int VocabSize { get; init; } = 6400;

    /// <summary>Special tokens, given ids 0, 1, ... in order (MiniMind2: <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>).</summary>
    public IReadOnlyList<string> SpecialTokens { get; init; } = ["<unk>", "<s>", "</s>"];

    /// <summary>Pairs seen fewer times than this are never merged (HF <c>min_frequency</c>).</summary>
    public long MinFrequency { get; init; }

    /// <summary>
    /// Bound on distinct pre-token words held while counting. Beyond it the rarest words are pruned, so
    /// memory stays bounded on multi-GB corpora at the cost of forgetting words seen only a few times.
    /// </summary>
    public int MaxUniqueWords { get; init; } = 4_000_000;

    /// <summary>
    /// Never merge across two CJK characters: every Han character (and CJK punctuation) becomes at most one token of its own.
    /// The byte-level pre-tokenizer keeps a run of Chinese text as one word, so on a small corpus whose words all fit the
    /// vocabulary a whole clause ("艾丽丝的职业是什么") would become one token, and a tiny model could not relate a question
    /// to a differently worded one. The tokenizer written stays an ordinary HF byte-level BPE (only its merges differ).
    /// </summary>
    public bool SplitCjkCharacters { get; init; }

    /// <summary>Threads used for counting and for large merge updates.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Special token strings written to tokenizer_config.json.</summary>
    public string BosToken { get; init; } = "<s>";

    public string EosToken { get; init; } = "</s>";

    public string PadToken { get; init; } = "<unk>";

    public string UnkToken { get; init; } = "<unk>";

    /// <summary>The chat_template written to tokenizer_config.json (MiniMind's by default; null to omit).</summary>
    public string? ChatTemplate { get; init; } = MiniMindChatTemplate.Template;
}
