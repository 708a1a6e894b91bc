namespace MiniMind.Engine.Data;

/// <summary><c>{"text": ...}</c></summary>
public sealed record PretrainRecord(string Text) : DataRecord
{
    public override long Characters => Text.Length;
}
