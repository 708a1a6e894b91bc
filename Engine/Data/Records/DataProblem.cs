namespace MiniMind.Engine.Data;

/// <summary>One thing wrong with one record: the file, its 1-based line (jsonl) or row (parquet), the field (JSON path) and what is wrong.</summary>
public sealed record DataProblem(string File, long Line, string Field, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Field}: {Message}";
}
