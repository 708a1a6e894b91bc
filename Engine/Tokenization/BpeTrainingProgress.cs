namespace MiniMind.Engine.Tokenization;

/// <summary>Phase of a training run.</summary>
public enum BpeTrainingStage
{
    /// <summary>Reading the corpus and counting pre-token words; units are bytes read.</summary>
    CountingWords,

    /// <summary>Learning merges; units are vocabulary entries.</summary>
    Merging,
}

/// <summary>A progress report: <see cref="Done"/> of <see cref="Total"/> units of <see cref="Stage"/>.</summary>
public readonly record struct BpeTrainingProgress(BpeTrainingStage Stage, long Done, long Total);

/// <summary>Outcome of a training run.</summary>
public sealed record BpeTrainingResult(int VocabSize, int MergeCount, long UniqueWords, string TokenizerJsonPath);
