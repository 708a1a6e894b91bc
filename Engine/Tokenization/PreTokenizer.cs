namespace MiniMind.Engine.Tokenization;

/// <summary>
/// The configured pre-tokenizer: HF's <c>Sequence</c> of steps (a single ByteLevel is a one-step sequence),
/// each applied to every piece the previous step produced.
/// </summary>
sealed class PreTokenizer(IReadOnlyList<IPreTokenizerStage> stages)
{
    /// <summary>Splits <paramref name="text"/> into <paramref name="output"/>; <paramref name="scratch"/> is reused working space.</summary>
    public void Split(ReadOnlyMemory<char> text, List<ReadOnlyMemory<char>> output, List<ReadOnlyMemory<char>> scratch)
    {
        output.Clear();
        output.Add(text);
        foreach (IPreTokenizerStage stage in stages)
        {
            scratch.Clear();
            foreach (ReadOnlyMemory<char> piece in output)
            {
                stage.Split(piece, scratch);
            }
            output.Clear();
            output.AddRange(scratch);
        }
    }
}
