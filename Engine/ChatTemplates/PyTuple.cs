namespace MiniMind.Engine.ChatTemplates;

/// <summary>
/// A Python tuple: behaves as a list everywhere (indexing, iteration, JSON) but renders with
/// parentheses, e.g. the pairs from <c>dict.items()</c> or a literal <c>(1, 2)</c>.
/// </summary>
sealed class PyTuple : List<object?>
{
    public PyTuple(IEnumerable<object?> items) : base(items) { }
}
