using System.Text.Json.Nodes;

using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Tests.Tokenization;
/// <summary>
/// Writes a Qwen2-style variant of the seed tokenizer: <c>&lt;|im_start|&gt;</c>-style added tokens beyond the
/// model vocab, NFC normalizer, Split(Qwen regex, Isolated) + ByteLevel(use_regex=false), merges as pairs,
/// <c>ignore_merges</c>, and a config with object-form special tokens.
/// </summary>
static class QwenStyleTokenizer
{
    public const string QwenPattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static void Write(string dir)
    {
        JsonNode root = JsonNode.Parse(File.ReadAllText(TestFiles.SeedTokenizerJson))!;
        var added = new JsonArray();
        string[] specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];
        for (int i = 0; i < specials.Length; i++)
        {
            added.Add(new JsonObject
            {
                ["id"] = 6400 + i, ["content"] = specials[i], ["single_word"] = false, ["lstrip"] = false,
                ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            });
        }
        root["added_tokens"] = added;
        root["normalizer"] = new JsonObject { ["type"] = "NFC" };
        root["pre_tokenizer"] = JsonNode.Parse($$"""
            {"type":"Sequence","pretokenizers":[
              {"type":"Split","pattern":{"Regex":{{JsonValue.Create(QwenPattern).ToJsonString()}}},"behavior":"Isolated","invert":false},
              {"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}]}
            """);
        JsonObject model = root["model"]!.AsObject();
        model["ignore_merges"] = true;
        var pairs = new JsonArray();
        foreach (JsonNode? merge in model["merges"]!.AsArray())
        {
            string[] parts = merge!.GetValue<string>().Split(' ');
            pairs.Add(new JsonArray(parts[0], parts[1]));
        }
        model["merges"] = pairs;
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), root.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """
            {"bos_token": null, "eos_token": {"content": "<|im_end|>", "special": true},
             "pad_token": "<|endoftext|>", "unk_token": null,
             "chat_template": "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}"}
            """);
    }
}
