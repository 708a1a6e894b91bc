namespace MiniMind.Engine.ChatTemplates;

/// <summary>Turns character offsets into line:column positions for error messages.</summary>
sealed class SourceMap
{
    readonly List<int> lineStarts = [0];

    public SourceMap(string source)
    {
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] == '\n') lineStarts.Add(i + 1);
        }
    }

    public SourcePosition At(int offset)
    {
        var index = lineStarts.BinarySearch(offset);
        var line = index >= 0 ? index : ~index - 1;
        return new SourcePosition(line + 1, offset - lineStarts[line] + 1);
    }
}
