namespace MiniMind.Engine.Data;

/// <summary>The metadata file of a <see cref="TokenCache"/>: what it was built from, so a change in either invalidates it.</summary>
public sealed record TokenCacheInfo(
    int Version,
    long SourceLength,
    long SourceLastWriteTicks,
    string Tokenizer,
    DatasetKind Kind,
    int TokenBytes,
    long Entries,
    long Tokens,
    DataStats Skipped)
{
    public const int CurrentVersion = 1;
}
