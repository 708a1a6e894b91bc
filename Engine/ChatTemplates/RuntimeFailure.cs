namespace MiniMind.Engine.ChatTemplates;

/// <summary>
/// A runtime error raised by value helpers that don't know where they are in the template;
/// the evaluator turns it into a <see cref="TemplateException"/> carrying the expression's position.
/// </summary>
sealed class RuntimeFailure(string message) : Exception(message);
