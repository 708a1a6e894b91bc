namespace MiniMind.Engine.Tokenization;

/// <summary>
/// One step of HF's pre-tokenization: it refines each piece produced by the previous step into smaller
/// pieces (HF <c>PreTokenizedString::split</c>), so a <c>Sequence</c> is just these steps chained.
/// </summary>
interface IPreTokenizerStage
{
    /// <summary>Appends the sub-pieces of <paramref name="piece"/> to <paramref name="output"/>.</summary>
    void Split(ReadOnlyMemory<char> piece, List<ReadOnlyMemory<char>> output);
}
