using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using MiniMind.Engine.ChatTemplates;
using MiniMind.Engine.IO;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Studio.Cli;

/// <summary><c>tokenize</c>, <c>detokenize</c>, <c>chat-template</c> and <c>train-tokenizer</c>: the tokenizer from the command line.</summary>
public static class TokenizerCommands
{
    /// <summary>JSON output keeps non-ASCII text readable (no \uXXXX escapes).</summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static Option<string> TokenizerOption() => new("--tokenizer")
    {
        Description = "A tokenizer folder (tokenizer.json + tokenizer_config.json) or a tokenizer.json file",
        Required = true,
    };

    public static IEnumerable<Command> Create() => [Tokenize(), Detokenize(), RenderChatTemplate(), Train()];

    static Command Tokenize()
    {
        var tokenizer = TokenizerOption();
        var text = new Option<string?>("--text") { Description = "Text to encode (no special tokens are added)" };
        var input = new Option<FileInfo?>("--input") { Description = "A jsonl file with a \"text\" field per line: prints one {\"ids\": [...]} line per input line, in order" };
        var command = new Command("tokenize", "Encode text to token ids: prints {\"ids\": [...]}") { tokenizer, text, input };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            var tok = ByteLevelBpeTokenizer.Load(parse.GetValue(tokenizer)!);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(input) is { } file)
            {
                foreach (var chunk in ReadTexts(file.FullName).Chunk(4096))
                    foreach (var ids in tok.EncodeBatch(chunk))
                        output.WriteLine(JsonSerializer.Serialize(new { ids }, Json));
                return 0;
            }
            var value = parse.GetValue(text) ?? throw new ArgumentException("Give --text or --input.");
            output.WriteLine(JsonSerializer.Serialize(new { ids = tok.Encode(value) }, Json));
            return 0;
        }));
        return command;
    }

    /// <summary>The "text" field of each jsonl line, with the line number in any error.</summary>
    static IEnumerable<string> ReadTexts(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Input file not found: {path}", path);
        int line = 0;
        foreach (var raw in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(raw)) throw new InvalidDataException($"{path}:{line}: empty line (expected a JSON object with a \"text\" field).");
            JsonElement root;
            try
            {
                root = JsonDocument.Parse(raw).RootElement;
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{line}: malformed JSON ({e.Message}).", e);
            }
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{path}:{line}: expected an object with a string \"text\" field.");
            yield return text.GetString()!;
        }
    }

    static Command Detokenize()
    {
        var tokenizer = TokenizerOption();
        var ids = new Option<string>("--ids") { Description = "A JSON array of token ids, e.g. [1, 85, 736]", Required = true };
        var skip = new Option<bool>("--skip-special-tokens") { Description = "Leave special tokens out of the text" };
        var command = new Command("detokenize", "Decode token ids to text: prints {\"text\": \"...\"}") { tokenizer, ids, skip };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            var tok = ByteLevelBpeTokenizer.Load(parse.GetValue(tokenizer)!);
            int[] values;
            try
            {
                values = JsonSerializer.Deserialize<int[]>(parse.GetValue(ids)!) ?? throw new ArgumentException("--ids is null.");
            }
            catch (JsonException e)
            {
                throw new ArgumentException($"--ids must be a JSON array of integers ({e.Message}).", e);
            }
            var text = tok.Decode(values, parse.GetValue(skip));
            parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new { text }, Json));
            return 0;
        }));
        return command;
    }

    static Command RenderChatTemplate()
    {
        var tokenizer = TokenizerOption();
        var messages = new Option<FileInfo>("--messages") { Description = "A JSON file: an array of {\"role\", \"content\"} messages", Required = true };
        var generationPrompt = new Option<bool>("--add-generation-prompt") { Description = "End with the assistant's turn start" };
        var tools = new Option<FileInfo?>("--tools") { Description = "A JSON file: an array of tool definitions, for templates that use them" };
        var command = new Command("chat-template", "Render messages with the tokenizer's chat template; prints the text and nothing else")
            { tokenizer, messages, generationPrompt, tools };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            var tok = ByteLevelBpeTokenizer.Load(parse.GetValue(tokenizer)!);
            var template = ChatTemplate.Parse(tok.ChatTemplate ?? throw new InvalidDataException("This tokenizer has no chat_template in its tokenizer_config.json."));
            var text = template.RenderChat(ReadJson(parse.GetValue(messages)!), parse.GetValue(generationPrompt), tok.BosToken, tok.EosToken,
                parse.GetValue(tools) is { } t ? ReadJson(t) : null);
            parse.InvocationConfiguration.Output.Write(text);
            return 0;
        }));
        return command;
    }

    static JsonElement ReadJson(FileInfo file)
    {
        if (!file.Exists) throw new FileNotFoundException($"File not found: {file.FullName}", file.FullName);
        try
        {
            var root = JsonDocument.Parse(File.ReadAllText(file.FullName)).RootElement;
            return root.ValueKind == JsonValueKind.Array ? root : throw new InvalidDataException($"{file.FullName}: expected a JSON array.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file.FullName}: malformed JSON ({e.Message}).", e);
        }
    }

    static Command Train()
    {
        var data = new Option<FileInfo[]>("--data") { Description = "jsonl file(s): \"text\" fields, or all message contents of conversation data", Required = true, AllowMultipleArgumentsPerToken = true };
        var vocab = new Option<int>("--vocab-size") { Description = "Vocabulary size, specials and the 256 byte symbols included", DefaultValueFactory = _ => 6400 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for tokenizer.json and tokenizer_config.json", Required = true };
        var specials = new Option<string[]>("--special-tokens") { Description = "Special tokens at ids 0, 1, ... [default: <unk> <s> </s>]", AllowMultipleArgumentsPerToken = true };
        var command = new Command("train-tokenizer", "Train a byte-level BPE tokenizer on jsonl data") { data, vocab, output, specials };
        command.SetAction((parse, cancel) => Task.FromResult(StudioCli.Guard(parse, () =>
        {
            var options = new BpeTrainerOptions { VocabSize = parse.GetValue(vocab) };
            if (parse.GetValue(specials) is { Length: > 0 } s)
                options = options with { SpecialTokens = s, BosToken = s.Length > 1 ? s[1] : s[0], EosToken = s.Length > 2 ? s[2] : s[^1], PadToken = s[0], UnkToken = s[0] };
            var files = parse.GetValue(data)!.Select(f => f.Exists ? f.FullName : throw new FileNotFoundException($"Data file not found: {f.FullName}", f.FullName)).ToList();
            var bar = new ProgressBar(parse.InvocationConfiguration.Error);
            var result = new BpeTrainer(options).Train(files, parse.GetValue(output)!.FullName,
                new SynchronousProgress<BpeTrainingProgress>(p => bar.Report(p.Stage == BpeTrainingStage.CountingWords ? "counting words" : "merging", p.Done, p.Total)),
                cancel);
            bar.Done();
            parse.InvocationConfiguration.Output.WriteLine(
                $"vocabulary {result.VocabSize} ({result.MergeCount} merges, {result.UniqueWords} distinct words) -> {result.TokenizerJsonPath}");
            return 0;
        })));
        return command;
    }
}
