using System.Text.Json;
using System.Text.RegularExpressions;

namespace MiniMind.Engine.Tokenization;

/// <summary>
/// The parts of an HF <c>tokenizer.json</c> a byte-level BPE tokenizer needs: model (vocab, merges in the
/// <c>"a b"</c> or <c>["a","b"]</c> form, <c>ignore_merges</c>, <c>unk_token</c>), <c>added_tokens</c>,
/// <c>normalizer</c> and <c>pre_tokenizer</c>.
/// </summary>
sealed class TokenizerJson
{
    TokenizerJson(Dictionary<string, int> vocab, BpeModel model, IReadOnlyList<AddedToken> addedTokens, PreTokenizer preTokenizer, Normalizer? normalizer)
    {
        Vocab = vocab;
        Model = model;
        AddedTokens = addedTokens;
        PreTokenizer = preTokenizer;
        Normalizer = normalizer;
    }

    /// <summary>Model vocab plus added tokens.</summary>
    public Dictionary<string, int> Vocab { get; }

    public BpeModel Model { get; }

    public IReadOnlyList<AddedToken> AddedTokens { get; }

    public PreTokenizer PreTokenizer { get; }

    public Normalizer? Normalizer { get; }

    /// <summary>The model's <c>unk_token</c>, when set.</summary>
    public string? UnkToken { get; private init; }

    public static TokenizerJson Read(string path)
    {
        var fields = new JsonFields(path);
        using JsonDocument document = Parse(path);
        JsonElement root = document.RootElement;
        JsonElement model = fields.Required(root, "model", "$");
        string? type = fields.OptionalString(model, "type", "model");
        if (type is not null and not "BPE")
        {
            throw fields.Error("model.type", $"is '{type}', only BPE is supported");
        }
        foreach (string affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (fields.OptionalString(model, affix, "model") is { Length: > 0 })
            {
                throw fields.Error($"model.{affix}", "is not supported for byte-level BPE");
            }
        }

        Dictionary<string, int> vocab = ReadVocab(fields.Required(model, "vocab", "model"), fields);
        if (vocab.Count == 0)
        {
            throw fields.Error("model.vocab", "is empty: a byte-level BPE tokenizer needs its 256 byte tokens at least");
        }
        Dictionary<long, long> merges = ReadMerges(fields.Required(model, "merges", "model"), vocab, fields);
        List<AddedToken> added = ReadAddedTokens(JsonFields.Optional(root, "added_tokens"), fields);
        string? unkToken = fields.OptionalString(model, "unk_token", "model");

        var fullVocab = new Dictionary<string, int>(vocab);
        foreach (AddedToken token in added)
        {
            fullVocab[token.Content] = token.Id;
        }
        int? unkId = unkToken != null && fullVocab.TryGetValue(unkToken, out int id) ? id : null;
        bool ignoreMerges = fields.OptionalBool(model, "ignore_merges", "model", false);

        return new TokenizerJson(
            fullVocab,
            new BpeModel(vocab, merges, ignoreMerges, unkId),
            added,
            new PreTokenizer(ReadPreTokenizer(JsonFields.Optional(root, "pre_tokenizer"), "pre_tokenizer", fields)),
            Normalizer.Parse(JsonFields.Optional(root, "normalizer"), fields))
        {
            UnkToken = unkToken,
        };
    }

    static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(path, "$", $"is not valid JSON: {e.Message}");
        }
    }

    static Dictionary<string, int> ReadVocab(JsonElement json, JsonFields fields)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw fields.Error("model.vocab", "must be an object of token -> id");
        }
        var vocab = new Dictionary<string, int>();
        foreach (JsonProperty entry in json.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
            {
                throw fields.Error($"model.vocab[\"{entry.Name}\"]", "must be a non-negative integer id");
            }
            vocab[entry.Name] = id;
        }
        return vocab;
    }

    static Dictionary<long, long> ReadMerges(JsonElement json, Dictionary<string, int> vocab, JsonFields fields)
    {
        if (json.ValueKind != JsonValueKind.Array)
        {
            throw fields.Error("model.merges", "must be an array");
        }
        var merges = new Dictionary<long, long>(json.GetArrayLength(), PairKeyComparer.Instance);
        int rank = 0;
        foreach (JsonElement merge in json.EnumerateArray())
        {
            string field = $"model.merges[{rank}]";
            (string left, string right) = ReadMergePair(merge, field, fields);
            if (!vocab.TryGetValue(left, out int leftId) || !vocab.TryGetValue(right, out int rightId))
            {
                throw fields.Error(field, $"refers to a token missing from model.vocab ('{left}' '{right}')");
            }
            if (!vocab.TryGetValue(left + right, out int mergedId))
            {
                throw fields.Error(field, $"produces '{left + right}', which is missing from model.vocab");
            }
            // HF keeps the first rank when a pair is listed twice.
            merges.TryAdd(BpeModel.PackPair(leftId, rightId), BpeModel.PackMerge(rank, mergedId));
            rank++;
        }
        return merges;
    }

    static (string Left, string Right) ReadMergePair(JsonElement merge, string field, JsonFields fields)
    {
        if (merge.ValueKind == JsonValueKind.String)
        {
            string text = merge.GetString()!;
            int space = text.IndexOf(' ');
            if (space > 0 && text.IndexOf(' ', space + 1) < 0)
            {
                return (text[..space], text[(space + 1)..]);
            }
        }
        else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                 && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
        {
            return (merge[0].GetString()!, merge[1].GetString()!);
        }
        throw fields.Error(field, "must be \"left right\" or [\"left\", \"right\"]");
    }

    static List<AddedToken> ReadAddedTokens(JsonElement? json, JsonFields fields)
    {
        var tokens = new List<AddedToken>();
        if (json is not { } array)
        {
            return tokens;
        }
        int index = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            string path = $"added_tokens[{index++}]";
            tokens.Add(new AddedToken(
                fields.RequiredInt(item, "id", path),
                fields.RequiredString(item, "content", path),
                fields.OptionalBool(item, "special", path, false),
                fields.OptionalBool(item, "lstrip", path, false),
                fields.OptionalBool(item, "rstrip", path, false)));
        }
        return tokens;
    }

    static List<IPreTokenizerStage> ReadPreTokenizer(JsonElement? json, string path, JsonFields fields)
    {
        var stages = new List<IPreTokenizerStage>();
        if (json is not { } element)
        {
            return stages;
        }
        string type = fields.RequiredString(element, "type", path);
        switch (type)
        {
            case "ByteLevel":
                stages.Add(new ByteLevelPreTokenizer(
                    fields.OptionalBool(element, "add_prefix_space", path, true),
                    fields.OptionalBool(element, "use_regex", path, true)));
                break;
            case "Split":
                stages.Add(ReadSplit(element, path, fields));
                break;
            case "Sequence":
                int index = 0;
                foreach (JsonElement item in fields.Required(element, "pretokenizers", path).EnumerateArray())
                {
                    stages.AddRange(ReadPreTokenizer(item, $"{path}.pretokenizers[{index++}]", fields));
                }
                break;
            default:
                throw fields.Error($"{path}.type", $"'{type}' is not a supported pre-tokenizer (ByteLevel, Split, Sequence)");
        }
        return stages;
    }

    static RegexSplitPreTokenizer ReadSplit(JsonElement element, string path, JsonFields fields)
    {
        string behavior = fields.RequiredString(element, "behavior", path);
        if (behavior != "Isolated")
        {
            throw fields.Error($"{path}.behavior", $"is '{behavior}', only Isolated is supported");
        }
        JsonElement pattern = fields.Required(element, "pattern", path);
        string regex = fields.OptionalString(pattern, "Regex", $"{path}.pattern")
            ?? Regex.Escape(fields.OptionalString(pattern, "String", $"{path}.pattern")
                            ?? throw fields.Error($"{path}.pattern", "needs a 'Regex' or 'String' entry"));
        try
        {
            return new RegexSplitPreTokenizer(new Regex(regex, RegexOptions.Compiled | RegexOptions.CultureInvariant));
        }
        catch (ArgumentException e)
        {
            throw fields.Error($"{path}.pattern", $"is not a valid regex: {e.Message}");
        }
    }
}
