namespace MiniMind.Engine.ChatTemplates;

/// <summary>Template statement nodes.</summary>
abstract record Node(SourcePosition Position);

sealed record TextNode(string Text, SourcePosition Position) : Node(Position);

sealed record OutputNode(Expr Value, SourcePosition Position) : Node(Position);

sealed record IfNode(IReadOnlyList<(Expr Condition, IReadOnlyList<Node> Body)> Branches, IReadOnlyList<Node> Else, SourcePosition Position) : Node(Position);

sealed record ForNode(
    IReadOnlyList<string> Targets,
    Expr Iterable,
    Expr? Filter,
    IReadOnlyList<Node> Body,
    IReadOnlyList<Node> Else,
    SourcePosition Position) : Node(Position);

/// <summary><c>{% set target = value %}</c>; the target is a name, a tuple of names or <c>ns.attr</c>.</summary>
sealed record SetNode(Expr Target, Expr Value, SourcePosition Position) : Node(Position);

/// <summary><c>{% set name %}...{% endset %}</c>: captures rendered output.</summary>
sealed record SetBlockNode(string Name, IReadOnlyList<Node> Body, SourcePosition Position) : Node(Position);

sealed record MacroNode(
    string Name,
    IReadOnlyList<(string Name, Expr? Default)> Parameters,
    IReadOnlyList<Node> Body,
    SourcePosition Position) : Node(Position);

sealed record BreakNode(SourcePosition Position) : Node(Position);

sealed record ContinueNode(SourcePosition Position) : Node(Position);

/// <summary>
/// HuggingFace's <c>{% generation %}</c> marker. transformers compiles it to a call block, so its body
/// renders in place but in its own frame.
/// </summary>
sealed record GenerationNode(IReadOnlyList<Node> Body, SourcePosition Position) : Node(Position);
