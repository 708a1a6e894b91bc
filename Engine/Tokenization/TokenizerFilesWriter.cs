using System.Text.Encodings.Web;
using System.Text.Json;
using MiniMind.Engine.IO;

namespace MiniMind.Engine.Tokenization;

/// <summary>
/// Writes a trained model in HF's formats: tokenizer.json (BPE model, ByteLevel pre-tokenizer and decoder,
/// specials as added tokens, laid out like MiniMind2's file) and the transformers tokenizer_config.json.
/// </summary>
static class TokenizerFilesWriter
{
    static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // written to a temporary file and renamed into place (AtomicFile), so a crash mid-write never leaves half a tokenizer
    public static void WriteTokenizerJson(string path, IReadOnlyList<string> vocab, IReadOnlyList<(string Left, string Right)> merges, IReadOnlyList<string> specials) =>
        AtomicFile.Write(path, tmp => WriteTokenizerJsonTo(tmp, vocab, merges, specials));

    public static void WriteTokenizerConfig(string path, BpeTrainerOptions options) => AtomicFile.Write(path, tmp => WriteTokenizerConfigTo(tmp, options));

    static void WriteTokenizerJsonTo(string path, IReadOnlyList<string> vocab, IReadOnlyList<(string Left, string Right)> merges, IReadOnlyList<string> specials)
    {
        using FileStream stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, Options);
        json.WriteStartObject();
        json.WriteString("version", "1.0");
        json.WriteNull("truncation");
        json.WriteNull("padding");
        json.WriteStartArray("added_tokens");
        for (int id = 0; id < specials.Count; id++)
        {
            json.WriteStartObject();
            json.WriteNumber("id", id);
            json.WriteString("content", specials[id]);
            json.WriteBoolean("single_word", false);
            json.WriteBoolean("lstrip", false);
            json.WriteBoolean("rstrip", false);
            json.WriteBoolean("normalized", false);
            json.WriteBoolean("special", true);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteNull("normalizer");
        WriteByteLevel(json, "pre_tokenizer", addPrefixSpace: false);
        json.WriteNull("post_processor");
        WriteByteLevel(json, "decoder", addPrefixSpace: true);

        json.WriteStartObject("model");
        json.WriteString("type", "BPE");
        json.WriteNull("dropout");
        json.WriteNull("unk_token");
        json.WriteNull("continuing_subword_prefix");
        json.WriteNull("end_of_word_suffix");
        json.WriteBoolean("fuse_unk", false);
        json.WriteBoolean("byte_fallback", false);
        json.WriteBoolean("ignore_merges", false);
        json.WriteStartObject("vocab");
        for (int id = 0; id < vocab.Count; id++)
        {
            json.WriteNumber(vocab[id], id);
        }
        json.WriteEndObject();
        json.WriteStartArray("merges");
        foreach ((string left, string right) in merges)
        {
            json.WriteStringValue($"{left} {right}");
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    static void WriteTokenizerConfigTo(string path, BpeTrainerOptions options)
    {
        using FileStream stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, Options);
        json.WriteStartObject();
        json.WriteBoolean("add_bos_token", false);
        json.WriteBoolean("add_eos_token", false);
        json.WriteBoolean("add_prefix_space", false);
        json.WriteStartObject("added_tokens_decoder");
        for (int id = 0; id < options.SpecialTokens.Count; id++)
        {
            json.WriteStartObject(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("content", options.SpecialTokens[id]);
            json.WriteBoolean("lstrip", false);
            json.WriteBoolean("normalized", false);
            json.WriteBoolean("rstrip", false);
            json.WriteBoolean("single_word", false);
            json.WriteBoolean("special", true);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteStartArray("additional_special_tokens");
        json.WriteEndArray();
        json.WriteString("bos_token", options.BosToken);
        json.WriteBoolean("clean_up_tokenization_spaces", false);
        json.WriteString("eos_token", options.EosToken);
        json.WriteBoolean("legacy", true);
        json.WriteNumber("model_max_length", 32768);
        json.WriteString("pad_token", options.PadToken);
        json.WriteStartObject("sp_model_kwargs");
        json.WriteEndObject();
        json.WriteBoolean("spaces_between_special_tokens", false);
        json.WriteString("tokenizer_class", "PreTrainedTokenizerFast");
        json.WriteString("unk_token", options.UnkToken);
        if (options.ChatTemplate != null)
        {
            json.WriteString("chat_template", options.ChatTemplate);
        }
        json.WriteEndObject();
    }

    static void WriteByteLevel(Utf8JsonWriter json, string name, bool addPrefixSpace)
    {
        json.WriteStartObject(name);
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", addPrefixSpace);
        json.WriteBoolean("trim_offsets", true);
        json.WriteBoolean("use_regex", true);
        json.WriteEndObject();
    }
}
