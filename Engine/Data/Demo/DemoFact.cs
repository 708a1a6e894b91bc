namespace MiniMind.Engine.Data.Demo;

/// <summary>
/// One fact as questions and an answer in one language: <see cref="Train"/> phrasings appear in the training files,
/// <see cref="HeldOut"/> only in the evaluation file, so evaluation measures whether the model learned the fact, not the sentence.
/// <see cref="Statements"/> are the pretraining sentences that state it; <see cref="Wrong"/> is a plausible wrong answer (DPO).
/// </summary>
sealed record DemoFact(string[] Train, string HeldOut, string Answer, string[] Statements, string Wrong, bool Chinese);
