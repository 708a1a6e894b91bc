namespace MiniMind.Engine.Chat;

/// <summary>Why a choice ended: the model's end token or a stop string (Stop), or the token budget or context (Length).</summary>
public enum ChatFinishReason
{
    Stop,
    Length,
    /// <summary>The reader stopped the answer (a page's Stop button); an API client that hangs up gets no answer at all.</summary>
    Cancelled,
}
