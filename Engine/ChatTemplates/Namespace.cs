namespace MiniMind.Engine.ChatTemplates;

/// <summary>The mutable object made by <c>namespace(...)</c>; the only thing <c>{% set a.b = %}</c> may assign into.</summary>
sealed class Namespace(Dictionary<string, object?> attributes)
{
    public Dictionary<string, object?> Attributes { get; } = attributes;
}
