namespace MiniMind.Engine.Data;

/// <summary>
/// What a jsonl file holds, and so how its records become training examples.
/// LoRA domain data is SFT data; <see cref="Reasoning"/> is SFT data whose assistant turns carry
/// <c>&lt;think&gt;…&lt;/think&gt;&lt;answer&gt;…&lt;/answer&gt;</c> (the training loop up-weights the tag tokens itself).
/// </summary>
public enum DatasetKind
{
    /// <summary><c>{"text": ...}</c></summary>
    Pretrain,

    /// <summary><c>{"conversations": [{"role", "content"}, ...]}</c></summary>
    Sft,

    /// <summary><c>{"chosen": [messages], "rejected": [messages]}</c></summary>
    Dpo,

    /// <summary>SFT format with think/answer tags in the assistant turns.</summary>
    Reasoning,

    /// <summary>
    /// <c>{"prompt": ..., "answer": ...}</c> (or <c>"messages"</c> ending with a user turn): questions with reference answers,
    /// what GRPO samples completions for and scores them against.
    /// </summary>
    Prompts,
}
