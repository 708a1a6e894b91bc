namespace MiniMind.Engine.Tokenization;

/// <summary>A tokenizer file that cannot be used: names the file and the JSON field at fault.</summary>
public sealed class TokenizerFormatException(string file, string field, string problem)
    : FormatException(field == "$" ? $"{file}: {problem}" : $"{file}: field '{field}' {problem}")
{
    public string File { get; } = file;

    public string Field { get; } = field;
}
