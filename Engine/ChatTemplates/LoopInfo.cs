namespace MiniMind.Engine.ChatTemplates;

/// <summary>The <c>loop</c> variable inside a for loop.</summary>
sealed class LoopInfo(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }

    public object? Attribute(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(items.Count - Index0),
        "revindex0" => (long)(items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == items.Count - 1,
        "length" => (long)items.Count,
        "depth" => 1L,
        "depth0" => 0L,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : Undefined.Variable("loop.previtem"),
        "nextitem" => Index0 < items.Count - 1 ? items[Index0 + 1] : Undefined.Variable("loop.nextitem"),
        "cycle" => new BuiltinFunction("loop.cycle", Cycle),
        _ => Undefined.Member(this, name),
    };

    object? Cycle(CallArgs args) =>
        args.Positional.Count == 0
            ? throw new RuntimeFailure("loop.cycle() needs at least one argument")
            : args.Positional[Index0 % args.Positional.Count];
}
