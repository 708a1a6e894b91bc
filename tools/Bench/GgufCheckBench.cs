using System.CommandLine;
using System.Text.Json;
using MiniMind.Engine.ChatTemplates;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Generation;
using MiniMind.Engine.Interop;
using MiniMind.Engine.Interop.Gguf;
using MiniMind.Engine.Tokenization;
using MiniMind.Studio.Cli;
using static TorchSharp.torch;

namespace MiniMind.Bench;

/// <summary>
/// <c>bench gguf-check</c>: how exactly llama.cpp runs a checkpoint's GGUF export, on held-out data: token ids of every
/// string in the given JSONL files, greedy continuations of every <c>question</c> through the chat template (both engines
/// stop at the end token), and next-token agreement with the studio's fp32 over each question and its <c>answer</c>.
/// One JSON line per weight type: the figures of docs/interop.md.
/// </summary>
public static class GgufCheckBench
{
    public static Command Create()
    {
        var checkpoint = new Option<FileInfo>("--model") { Description = "A studio checkpoint", Required = true };
        var data = new Option<FileInfo[]>("--data") { Description = "JSONL files: every string is tokenized; question/answer fields are asked", Required = true, AllowMultipleArgumentsPerToken = true };
        var quants = new Option<string[]>("--quant") { Description = "Weight types: f32 f16 q8_0", DefaultValueFactory = _ => ["f32", "f16", "q8_0"], AllowMultipleArgumentsPerToken = true };
        var newTokens = new Option<int>("--new-tokens") { Description = "Greedy tokens per question", DefaultValueFactory = _ => 50 };
        var command = new Command("gguf-check", "llama.cpp beside the studio on a checkpoint's GGUF: token ids, greedy answers, next-token agreement") { checkpoint, data, quants, newTokens };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            StudioCli.StartEngine(parse);
            var path = parse.GetValue(checkpoint)!.FullName;
            using var model = ModelCheckpoint.Load(path);
            model.eval();
            var tokenizerDir = ModelCheckpoint.ReadInfo(path)?.Tokenizer ?? throw new ArgumentException($"{path} names no tokenizer in its sidecar.");
            if (File.Exists(tokenizerDir)) tokenizerDir = Path.GetDirectoryName(Path.GetFullPath(tokenizerDir))!;
            var tokenizer = ByteLevelBpeTokenizer.Load(tokenizerDir);
            var template = ChatTemplate.Parse(tokenizer.ChatTemplate ?? throw new ArgumentException("The tokenizer has no chat template."));
            string Prompt(string question) => template.RenderChat(
                [new Dictionary<string, object?> { ["role"] = "user", ["content"] = question }], addGenerationPrompt: true, tokenizer.BosToken, tokenizer.EosToken);

            var strings = new HashSet<string>(StringComparer.Ordinal);
            var pairs = new List<(string Question, string Answer)>();
            foreach (var file in parse.GetValue(data)!)
            {
                foreach (var line in File.ReadLines(file.FullName).Where(l => l.Trim().Length > 0))
                {
                    using var document = JsonDocument.Parse(line);
                    Collect(document.RootElement, strings);
                    if (document.RootElement.TryGetProperty("question", out var q) && document.RootElement.TryGetProperty("answer", out var a))
                        pairs.Add((q.GetString()!, a.GetString()!));
                }
            }
            if (pairs.Count == 0) throw new ArgumentException("No question/answer records in --data.");
            int generate = parse.GetValue(newTokens);
            var stop = new HashSet<int> { tokenizer.EosId ?? -1 };
            var studioAnswers = pairs.Select(p => TokenGenerator.Generate(model, new GenerationRequest
            {
                Prompts = [[.. tokenizer.Encode(Prompt(p.Question)).Select(i => (long)i)]], MaxNewTokens = generate, EosId = tokenizer.EosId,
            })[0].Select(i => (int)i).ToList()).ToList();

            var dir = Directory.CreateTempSubdirectory("minimind-gguf-check-").FullName;
            try
            {
                var state = CheckpointExporter.FloatStateDict(model);
                var ggufTokenizer = GgufTokenizer.Read(tokenizerDir, model.Config.VocabSize);
                foreach (var quant in parse.GetValue(quants)!)
                {
                    var type = quant switch { "f32" => GgmlType.F32, "f16" => GgmlType.F16, "q8_0" => GgmlType.Q8_0, _ => throw new ArgumentException($"--quant takes f32, f16 or q8_0; got {quant}.") };
                    var file = Path.Combine(dir, $"check-{quant}.gguf");
                    GgufModelFile.Write(file, model.Config, state, ggufTokenizer, type, "check");
                    using var llama = LlamaCppModel.Load(file, threads: 2, contextSize: model.Config.MaxSeqLen);
                    int tokensEqual = strings.Count(s => llama.Tokenize(s).SequenceEqual(tokenizer.Encode(s)));
                    long tokenCount = strings.Sum(s => (long)tokenizer.Encode(s).Length);
                    int greedyEqual = 0, agree = 0, positions = 0;
                    for (int i = 0; i < pairs.Count; i++)
                    {
                        var prompt = tokenizer.Encode(Prompt(pairs[i].Question));
                        if (llama.Greedy(prompt, generate, stop).SequenceEqual(studioAnswers[i])) greedyEqual++;
                        var answer = tokenizer.Encode(pairs[i].Answer);
                        int[] ids = [.. prompt, .. answer];
                        var cpp = llama.AllLogits(ids);
                        using var noGrad = no_grad();
                        using var input = tensor(ids.Select(t => (long)t).ToArray()).unsqueeze(0);
                        using var studio = model.Forward(input).Logits[0].argmax(-1);
                        var studioNext = studio.data<long>().ToArray();
                        for (int p = prompt.Length - 1; p < ids.Length; p++, positions++)
                            if (studioNext[p] == LlamaCppModel.ArgMax(cpp[p])) agree++;
                    }
                    parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new
                    {
                        benchmark = "gguf-check",
                        model = path,
                        weights = quant,
                        gguf_bytes = new FileInfo(file).Length,
                        strings = strings.Count,
                        tokens = tokenCount,
                        strings_tokenized_alike = tokensEqual,
                        questions = pairs.Count,
                        new_tokens = generate,
                        greedy_answers_equal = greedyEqual,
                        answer_positions = positions,
                        next_token_agreement = Math.Round((double)agree / positions, 4),
                    }));
                }
                foreach (var t in state.Values) t.Dispose();
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
            return 0;
        }));
        return command;
    }

    static void Collect(JsonElement e, HashSet<string> strings)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String: strings.Add(e.GetString()!); break;
            case JsonValueKind.Object: foreach (var p in e.EnumerateObject()) Collect(p.Value, strings); break;
            case JsonValueKind.Array: foreach (var item in e.EnumerateArray()) Collect(item, strings); break;
        }
    }
}
