using System.Text;
using CommandLine = MiniMind.Studio.Tests.Cli.Cli;

namespace MiniMind.Studio.Tests.Adversarial;

/// <summary>
/// An SFT file where good records sit between malformed lines of many kinds: <c>dataset validate</c> names each bad line
/// (file:line) and no good one, <c>dataset stats</c> reads the file, and training on it skips the bad lines and finishes.
/// </summary>
public sealed class MalformedLinesTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-malformed-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    const string Good = """{"conversations": [{"role": "user", "content": "Where does Alice live?"}, {"role": "assistant", "content": "Alice lives in Mossford."}]}""";

    static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Each kind: the line's bytes, and whether validation must call it bad.</summary>
    static readonly (string Kind, byte[] Line, bool Bad)[] Cases =
    [
        ("not JSON", Utf8("hello there"), true),
        ("JSON cut short", Utf8("""{"conversations": [{"role": "user", "content": "hi"}"""), true),
        ("an array, not an object", Utf8("[1, 2, 3]"), true),
        ("null", Utf8("null"), true),
        ("a string", Utf8("\"conversations\""), true),
        ("no conversations field", Utf8("""{"messages": []}"""), true),
        ("conversations is null", Utf8("""{"conversations": null}"""), true),
        ("conversations is a string", Utf8("""{"conversations": "hi"}"""), true),
        ("conversations is empty", Utf8("""{"conversations": []}"""), true),
        ("a message without a role", Utf8("""{"conversations": [{"content": "hi"}, {"role": "assistant", "content": "yo"}]}"""), true),
        ("an unknown role", Utf8("""{"conversations": [{"role": "wizard", "content": "hi"}, {"role": "assistant", "content": "yo"}]}"""), true),
        ("content is a number", Utf8("""{"conversations": [{"role": "user", "content": 42}, {"role": "assistant", "content": "yo"}]}"""), true),
        ("a message that is not an object", Utf8("""{"conversations": ["hi", {"role": "assistant", "content": "yo"}]}"""), true),
        ("invalid UTF-8 bytes", [.. Utf8("""{"conversations": [{"role": "user", "content": "a"""), 0xC3, 0x28, 0xFF, .. Utf8("""b"}, {"role": "assistant", "content": "yo"}]}""")], true),
        ("a lone surrogate escape", Utf8("""{"conversations": [{"role": "user", "content": "a\ud800b"}, {"role": "assistant", "content": "yo"}]}"""), true),
        ("a raw NUL byte", [.. Utf8("""{"conversations": [{"role": "user", "content": "a"""), 0x00, .. Utf8("""b"}, {"role": "assistant", "content": "yo"}]}""")], true),
        ("nesting 10,000 deep", Utf8("{\"conversations\": " + new string('[', 10_000) + new string(']', 10_000) + "}"), true),
        ("trailing garbage after the record", Utf8(Good + " xyz"), true),
        ("two records on one line", Utf8(Good + Good), true),
        // not malformed: must be read as good records
        ("a 2 MB answer", Utf8($$"""{"conversations": [{"role": "user", "content": "long?"}, {"role": "assistant", "content": "{{new string('y', 2_000_000)}}"}]}"""), false),
        ("a record ending in CRLF", Utf8(Good + "\r"), false),
        ("non-ASCII text and escapes", Utf8("""{"conversations": [{"role": "user", "content": "你好 \u00e9 \n \"q\""}, {"role": "assistant", "content": "😀"}]}"""), false),
    ];

    [Fact]
    public async Task EveryMalformedLine_IsNamed_TheGoodOnesRead_AndTrainingFinishes()
    {
        var path = Path.Combine(dir, "mixed_sft.jsonl");
        var lines = new List<(byte[] Bytes, string Kind, bool Bad)> { ([0xEF, 0xBB, 0xBF, .. Utf8(Good)], "the first line after a UTF-8 BOM", false) };
        foreach (var c in Cases)
        {
            lines.Add((c.Line, c.Kind, c.Bad));
            lines.Add((Utf8(Good), "good", false));
        }
        lines.Add((Utf8("   "), "blank", false));
        using (var file = File.Create(path))
            foreach (var (bytes, _, _) in lines) { file.Write(bytes); file.WriteByte((byte)'\n'); }

        var validate = await CommandLine.Run("dataset", "validate", path, "--kind", "sft", "--max-errors", "1000", "--show", "1000");
        var stats = await CommandLine.Run("dataset", "stats", path, "--kind", "sft");
        var train = await CommandLine.Run("train", "sft", "--device", "cpu", "--set", $"out_dir={dir}/out", $"data_path={path}", "init_from=scratch",
            $"tokenizer_path={Path.Combine(Repo.Root, "dataset", "tokenizer")}", "max_steps=3", "batch_size=4", "max_seq_len=64", "accumulation_steps=1");

        var failures = new List<string>();
        int tried = 0, survived = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].Kind == "good") continue;
            tried++;
            bool named = validate.Out.Contains($"{path}:{i + 1}:");
            if (named == lines[i].Bad) survived++;
            else failures.Add($"line {i + 1} ({lines[i].Kind}): {(named ? "reported bad" : "not reported")}");
        }
        foreach (var (name, result) in new[] { ("validate", validate), ("stats", stats), ("train", train) })
        {
            tried++;
            if ((result.Out + result.Err).Contains("   at ")) failures.Add($"{name} printed a stack trace");
            else if (result.Code != 0) failures.Add($"{name} exited {result.Code}: {result.Err}");
            else survived++;
        }
        AdversarialReport.WriteAndAssert(new("malformed-dataset-lines", tried, survived, 0, failures,
            new Dictionary<string, double> { ["malformed_kinds"] = Cases.Count(c => c.Bad), ["valid_edge_kinds"] = Cases.Count(c => !c.Bad) + 2 }));
    }
}
