using MiniMind.Engine.Evaluation;

namespace MiniMind.Studio.Services;

/// <summary>
/// What to evaluate: every checkpoint on every benchmark. <paramref name="Tokenizer"/> overrides the tokenizer the
/// checkpoints' sidecars name; <paramref name="Limit"/> keeps only the first N questions or documents.
/// </summary>
public sealed record EvaluationRequest(IReadOnlyList<string> Checkpoints, IReadOnlyList<EvaluationBenchmark> Benchmarks, string? Tokenizer = null, int? Limit = null);
