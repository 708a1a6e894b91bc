using System.Text.Json;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Interop.Gguf;

/// <summary>
/// A tokenizer folder as llama.cpp's <c>gpt2</c> BPE vocabulary: every token with its type, the merges, the special ids
/// and the chat template. llama.cpp does not run the tokenizer.json's pre-tokenizer: it picks a built-in one by the
/// <c>tokenizer.ggml.pre</c> name, so <see cref="Read"/> checks that the file's pipeline is the one llama.cpp's
/// <c>gpt-2</c> pre-tokenizer reproduces (GPT-2's split regex, byte-level, no normalizer, no prefix space) and refuses
/// any other with a message, rather than write a file that tokenizes differently.
/// </summary>
public sealed record GgufTokenizer(
    IReadOnlyList<string> Tokens, IReadOnlyList<int> TokenTypes, IReadOnlyList<string> Merges,
    int? BosId, int? EosId, int? PadId, int? UnkId, string? ChatTemplate)
{
    /// <summary>The llama.cpp pre-tokenizer whose regex is GPT-2's (llama-vocab.cpp, LLAMA_VOCAB_PRE_TYPE_GPT2).</summary>
    public const string PreTokenizer = "gpt-2";

    // llama_token_type (llama.h)
    const int Normal = 1, Control = 3, UserDefined = 4, Unused = 5;

    /// <param name="tokenizerDir">The folder with tokenizer.json (and tokenizer_config.json).</param>
    /// <param name="vocabSize">The model's embedding rows: tokens past the tokenizer's are written as unused padding.</param>
    public static GgufTokenizer Read(string tokenizerDir, int vocabSize)
    {
        var tokenizer = ByteLevelBpeTokenizer.Load(tokenizerDir);
        if (tokenizer.VocabSize > vocabSize)
            throw new ArgumentException($"The tokenizer in {tokenizerDir} has {tokenizer.VocabSize} tokens but the model's vocabulary is {vocabSize}: not this model's tokenizer.");
        var path = Path.Combine(tokenizerDir, "tokenizer.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        CheckPipeline(root, path);

        var tokens = new string[vocabSize];
        var types = new int[vocabSize];
        foreach (var (piece, id) in root.GetProperty("model").GetProperty("vocab").EnumerateObject().Select(p => (p.Name, p.Value.GetInt32())))
        {
            tokens[id] = piece;
            types[id] = Normal;
        }
        if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
        {
            foreach (var token in added.EnumerateArray())
            {
                int id = token.GetProperty("id").GetInt32();
                tokens[id] = token.GetProperty("content").GetString()!;
                types[id] = token.TryGetProperty("special", out var special) && special.ValueKind == JsonValueKind.True ? Control : UserDefined;
            }
        }
        for (int id = 0; id < vocabSize; id++)
        {
            if (tokens[id] is not null) continue;
            tokens[id] = $"[PAD{id}]"; // rows the model has and the tokenizer never produces (llama.cpp needs a token per row)
            types[id] = Unused;
        }
        var merges = root.GetProperty("model").GetProperty("merges").EnumerateArray()
            .Select(m => m.ValueKind == JsonValueKind.Array ? $"{m[0].GetString()} {m[1].GetString()}" : m.GetString()!)
            .ToArray();
        return new GgufTokenizer(tokens, types, merges, tokenizer.BosId, tokenizer.EosId, tokenizer.PadId, tokenizer.UnkId, tokenizer.ChatTemplate);
    }

    /// <summary>The tokenizer.* keys of a GGUF file.</summary>
    public void WriteTo(GgufWriter gguf, string preTokenizer = PreTokenizer)
    {
        gguf.Add("tokenizer.ggml.model", "gpt2");
        gguf.Add("tokenizer.ggml.pre", preTokenizer);
        gguf.Add("tokenizer.ggml.tokens", Tokens);
        gguf.Add("tokenizer.ggml.token_type", TokenTypes);
        gguf.Add("tokenizer.ggml.merges", Merges);
        if (BosId is int bos) gguf.Add("tokenizer.ggml.bos_token_id", (uint)bos);
        if (EosId is int eos) gguf.Add("tokenizer.ggml.eos_token_id", (uint)eos);
        if (UnkId is int unk) gguf.Add("tokenizer.ggml.unknown_token_id", (uint)unk);
        if (PadId is int pad) gguf.Add("tokenizer.ggml.padding_token_id", (uint)pad);
        // the studio's prompts carry their own markers: llama.cpp must add nothing (MiniMind's add_bos_token is false)
        gguf.Add("tokenizer.ggml.add_bos_token", false);
        gguf.Add("tokenizer.ggml.add_eos_token", false);
        if (ChatTemplate is not null) gguf.Add("tokenizer.chat_template", ChatTemplate);
    }

    /// <summary>Refuses a tokenizer.json whose text pipeline llama.cpp's gpt-2 pre-tokenizer would not reproduce.</summary>
    static void CheckPipeline(JsonElement root, string path)
    {
        void Refuse(string field, string why) => throw new ArgumentException(
            $"{path}: {field} {why}. llama.cpp would tokenize text differently from the studio (it reproduces only GPT-2's byte-level "
            + "pre-tokenizer for this vocabulary), so no GGUF is written for this tokenizer.");

        if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind != JsonValueKind.Null)
            Refuse("normalizer", $"is {TypeOf(normalizer)}, and llama.cpp applies no normalizer");
        var model = root.GetProperty("model");
        if (model.TryGetProperty("type", out var type) && type.GetString() != "BPE") Refuse("model.type", $"is \"{type.GetString()}\", not BPE");
        if (model.TryGetProperty("byte_fallback", out var fallback) && fallback.ValueKind == JsonValueKind.True) Refuse("model.byte_fallback", "is true");
        if (!root.TryGetProperty("pre_tokenizer", out var pre) || pre.ValueKind == JsonValueKind.Null) Refuse("pre_tokenizer", "is missing");
        if (TypeOf(pre) == "Sequence")
        {
            var stages = pre.GetProperty("pretokenizers").EnumerateArray().ToArray();
            if (stages.Length != 1) Refuse("pre_tokenizer", $"is a sequence of {stages.Length} stages ({string.Join(", ", stages.Select(TypeOf))})");
            pre = stages[0];
        }
        if (TypeOf(pre) != "ByteLevel") Refuse("pre_tokenizer", $"is {TypeOf(pre)}, not ByteLevel");
        if (pre.TryGetProperty("use_regex", out var regex) && regex.ValueKind == JsonValueKind.False) Refuse("pre_tokenizer.use_regex", "is false (no GPT-2 split)");
        if (pre.TryGetProperty("add_prefix_space", out var prefix) && prefix.ValueKind == JsonValueKind.True) Refuse("pre_tokenizer.add_prefix_space", "is true");
        if (root.TryGetProperty("decoder", out var decoder) && decoder.ValueKind != JsonValueKind.Null && TypeOf(decoder) != "ByteLevel")
            Refuse("decoder", $"is {TypeOf(decoder)}, not ByteLevel");
    }

    static string TypeOf(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var t) ? t.GetString() ?? "untyped" : e.ValueKind.ToString();
}
