using System.Security.Cryptography;
using CommandLine = MiniMind.Studio.Tests.Cli.Cli;

namespace MiniMind.Studio.Tests.Adversarial;

/// <summary>
/// Every kind of file the project reads, damaged every way in <see cref="Damages"/>, read by each verb that reads it: each
/// case is one "error:" line naming the file (or a finding naming file and line), a non-zero exit, no stack trace, and no file of the out folder changed. A damaged metrics.jsonl is the exception by design: the resume goes
/// on and every line of the history is kept (the unreadable ones moved to metrics.rejected.jsonl).
/// </summary>
public sealed class DamagedFilesTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("minimind-damaged-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    static readonly string[] Tiny = ["--device", "cpu", "--set", "batch_size=2", "max_seq_len=64", "accumulation_steps=1", "save_every=1"];

    /// <summary>A folder with what the verbs read: a checkpoint and its run, a LoRA adapter, a tokenizer, datasets and a benchmark.</summary>
    async Task<string> Pristine()
    {
        var dir = Path.Combine(root, "pristine");
        var dataset = Path.Combine(Repo.Root, "dataset");
        CopyFolder(Path.Combine(dataset, "tokenizer"), Path.Combine(dir, "tokenizer"));
        foreach (var file in new[] { "pretrain_demo.jsonl", "sft_demo.jsonl", "eval_demo.jsonl" }) File.Copy(Path.Combine(dataset, file), Path.Combine(dir, file));
        File.WriteAllText(Path.Combine(dir, "messages.json"), """[{"role": "user", "content": "hello"}]""");
        string[] Common(string data) => [.. Tiny, $"out_dir={dir}/out", $"data_path={dir}/{data}", $"tokenizer_path={dir}/tokenizer"];
        var pretrain = await CommandLine.Run(["train", "pretrain", .. Common("pretrain_demo.jsonl"), "max_steps=2"]);
        Assert.True(pretrain.Code == 0, pretrain.Err);
        var lora = await CommandLine.Run(["train", "lora", .. Common("sft_demo.jsonl"), "max_steps=1", $"init_from={dir}/out/pretrain_128.safetensors"]);
        Assert.True(lora.Code == 0, lora.Err);
        return dir;
    }

    static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>The damaged file (relative to the case folder) and the command that reads it ({0} = the case folder).</summary>
    public sealed record Kind(string Name, string File, string[] Command);

    static readonly Kind[] Kinds =
    [
        new("checkpoint weights", "out/pretrain_128.safetensors", ["generate", "--model", "{0}/out/pretrain_128.safetensors", "--ids", "[[1, 2, 3]]", "--max-new-tokens", "2"]),
        new("checkpoint sidecar", "out/pretrain_128.json", ["generate", "--model", "{0}/out/pretrain_128.safetensors", "--ids", "[[1, 2, 3]]", "--max-new-tokens", "2"]),
        new("LoRA adapter", "out/lora_identity_128.safetensors", ["eval", "--model", "{0}/out/lora_identity_128.safetensors", "--benchmark", "{0}/eval_demo.jsonl", "--limit", "1", "--out-dir", "{0}/out"]),
        new("tokenizer.json", "tokenizer/tokenizer.json", ["tokenize", "--tokenizer", "{0}/tokenizer", "--text", "hello"]),
        new("tokenizer_config.json", "tokenizer/tokenizer_config.json", ["tokenize", "--tokenizer", "{0}/tokenizer", "--text", "hello"]),
        // every other verb that reads a tokenizer: chat, detokenize, chat-template, eval, export
        new("tokenizer.json (chat)", "tokenizer/tokenizer.json", ["chat", "--model", "{0}/out/pretrain_128.safetensors", "--tokenizer", "{0}/tokenizer"]),
        new("tokenizer_config.json (chat)", "tokenizer/tokenizer_config.json", ["chat", "--model", "{0}/out/pretrain_128.safetensors", "--tokenizer", "{0}/tokenizer"]),
        new("tokenizer.json (detokenize)", "tokenizer/tokenizer.json", ["detokenize", "--tokenizer", "{0}/tokenizer", "--ids", "[1, 2]"]),
        new("tokenizer_config.json (chat-template)", "tokenizer/tokenizer_config.json", ["chat-template", "--tokenizer", "{0}/tokenizer", "--messages", "{0}/messages.json"]),
        new("tokenizer.json (eval)", "tokenizer/tokenizer.json", ["eval", "--model", "{0}/out/pretrain_128.safetensors", "--tokenizer", "{0}/tokenizer", "--benchmark", "{0}/eval_demo.jsonl", "--limit", "1", "--out-dir", "{0}/out"]),
        new("tokenizer.json (export)", "tokenizer/tokenizer.json", ["export", "{0}/out/pretrain_128.safetensors", "--format", "hf", "--tokenizer", "{0}/tokenizer", "--out", "{0}/export"]),
        new("resume weights", "out/runs/*pretrain*/resume/model.safetensors", ["train", "pretrain", "--resume", "{run}", "--set", "max_steps=4"]),
        new("resume optimizer state", "out/runs/*pretrain*/resume/optimizer.safetensors", ["train", "pretrain", "--resume", "{run}", "--set", "max_steps=4"]),
        new("resume state.json", "out/runs/*pretrain*/resume/state.json", ["train", "pretrain", "--resume", "{run}", "--set", "max_steps=4"]),
        new("run config.json", "out/runs/*pretrain*/config.json", ["train", "pretrain", "--resume", "{run}", "--set", "max_steps=4"]),
        new("benchmark jsonl", "eval_demo.jsonl", ["eval", "--model", "{0}/out/pretrain_128.safetensors", "--benchmark", "{0}/eval_demo.jsonl", "--limit", "2", "--out-dir", "{0}/out"]),
        new("dataset jsonl (validate)", "sft_demo.jsonl", ["dataset", "validate", "{0}/sft_demo.jsonl", "--kind", "sft"]),
        new("dataset jsonl (train)", "pretrain_demo.jsonl", ["train", "pretrain", "--set", "out_dir={0}/out2", "data_path={0}/pretrain_demo.jsonl", "tokenizer_path={0}/tokenizer", "max_steps=1", "fail_on_bad_records=true"]),
        new("metrics.jsonl", "out/runs/*pretrain*/metrics.jsonl", ["train", "pretrain", "--resume", "{run}", "--set", "max_steps=4"]),
    ];

    /// <summary>Cut in half, replaced by noise, emptied, the JSON literal null, and (tokenizer.json only) a vocabulary with no token.</summary>
    static readonly string[] Damages = ["half", "noise", "empty", "null", "empty vocabulary"];

    static bool Applies(string damage, string file) => damage != "empty vocabulary" || Path.GetFileName(file) == "tokenizer.json";

    static byte[] Damage(byte[] bytes, string how) => how switch
    {
        "half" => bytes[..(bytes.Length / 2)],
        "noise" => [.. Enumerable.Range(0, 4096).Select(i => (byte)((i * 7919 + 13) % 251))],
        "null" => "null"u8.ToArray(),
        "empty vocabulary" => EmptyVocabulary(bytes),
        _ => [],
    };

    static byte[] EmptyVocabulary(byte[] tokenizerJson)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(tokenizerJson)!;
        json["model"]!["vocab"] = new System.Text.Json.Nodes.JsonObject();
        json["model"]!["merges"] = new System.Text.Json.Nodes.JsonArray();
        return System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    static string Resolve(string dir, string pattern)
    {
        if (!pattern.Contains('*')) return Path.Combine(dir, pattern);
        var parts = pattern.Split('/');
        var runs = Path.Combine(dir, "out", "runs");
        var run = Directory.GetDirectories(runs, parts[2]).Single();
        return Path.Combine([run, .. parts[3..]]);
    }

    static IEnumerable<string> Lines(string path) => File.Exists(path) ? SplitLines(File.ReadAllBytes(path)) : [];

    /// <summary>Non-blank lines split at \n, as base64 of their exact bytes.</summary>
    static IEnumerable<string> SplitLines(byte[] bytes)
    {
        int start = 0;
        for (int i = 0; i <= bytes.Length; i++)
        {
            if (i < bytes.Length && bytes[i] != (byte)'\n') continue;
            var line = bytes[start..i];
            start = i + 1;
            if (line.Any(b => b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))) yield return Convert.ToBase64String(line);
        }
    }

    static Dictionary<string, string> Snapshot(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    [Fact]
    public async Task EveryReadFile_DamagedEveryWay_IsNamedInOneLine_AndNothingElseChanges()
    {
        var pristine = await Pristine();
        var failures = new List<string>();
        int tried = 0, survived = 0, lost = 0;
        foreach (var kind in Kinds)
            foreach (var damage in Damages.Where(d => Applies(d, kind.File)))
            {
                tried++;
                var name = $"{kind.Name}, {damage}";
                var dir = Path.Combine(root, $"case{tried}");
                CopyFolder(pristine, dir);
                var file = Resolve(dir, kind.File);
                var original = File.ReadAllBytes(file);
                File.WriteAllBytes(file, Damage(original, damage));
                var run = Path.GetDirectoryName(Resolve(dir, "out/runs/*pretrain*/config.json"))!;
                var before = Snapshot(Path.Combine(dir, "out"));

                var args = kind.Command.Select(a => a.Replace("{0}", dir).Replace("{run}", run)).Append("--device").Append("cpu").ToArray();
                var (code, output, err) = await CommandLine.Run(args);

                var problems = new List<string>();
                if ((err + output).Contains("   at ")) problems.Add("printed a stack trace");
                if (kind.Name == "metrics.jsonl")
                {
                    // the resume goes on; no line of the history is lost, byte for byte
                    var kept = Lines(Path.Combine(run, "metrics.jsonl")).Concat(Lines(Path.Combine(run, "metrics.rejected.jsonl"))).ToHashSet();
                    if (code != 0) problems.Add($"the resume failed: {err}");
                    if (SplitLines(Damage(original, damage)).Any(l => !kept.Contains(l))) { problems.Add("a line of the damaged history was dropped"); lost++; }
                }
                else
                {
                    if (code == 0) problems.Add("exit code 0");
                    var errors = err.Split('\n').Where(l => l.StartsWith("error: ")).ToList();
                    var findings = (output + err).Split('\n').Where(l => l.StartsWith(file + ":")).ToList();
                    if (!(errors.Count == 1 && errors[0].Contains(Path.GetFileName(file))) && findings.Count == 0)
                        problems.Add($"no one line names {Path.GetFileName(file)}: {err.Trim()}");
                    var after = Snapshot(Path.Combine(dir, "out"));
                    var changed = before.Where(kv => !after.TryGetValue(kv.Key, out var hash) || hash != kv.Value).Select(kv => kv.Key).ToList();
                    if (changed.Count > 0) { problems.Add($"changed or removed {string.Join(", ", changed)}"); lost++; }
                }
                if (problems.Count == 0) survived++;
                else failures.Add($"{name}: {string.Join("; ", problems)}");
                Directory.Delete(dir, recursive: true);
            }
        AdversarialReport.WriteAndAssert(new("damaged-files", tried, survived, lost, failures,
            new Dictionary<string, double> { ["kinds"] = Kinds.Length, ["damages"] = Damages.Length }));
    }
}
