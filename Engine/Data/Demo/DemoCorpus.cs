using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Data.Demo;

/// <summary>
/// Writes the studio's default datasets (a few MB, English and Chinese) about <see cref="DemoWorld"/> and trains their
/// tokenizer with the project's own <see cref="BpeTrainer"/>. Everything is drawn from fixed seeds, so running it again
/// rebuilds the committed files byte for byte.
/// </summary>
public static class DemoCorpus
{
    /// <summary>
    /// The vocabulary the trainer is asked for; small on purpose, as the CPU demo model's speed is dominated by its vocabulary head.
    /// The demo world has so few words that training stops earlier, once every word is a single token (1793 tokens today).
    /// </summary>
    public const int VocabSize = 2048;

    public static readonly string[] FileNames =
        ["pretrain_demo.jsonl", "sft_demo.jsonl", "dpo_demo.jsonl", "reason_demo.jsonl", "lora_identity.jsonl", "eval_demo.jsonl"];

    const string SystemEn = "You are MiniMind, a helpful assistant.";
    const string SystemZh = "你是 MiniMind，是一个有用的人工智能助手。";

    static readonly string[] RudeEn = ["I don't care, ask someone else.", "That's a stupid question.", "Figure it out yourself."];
    static readonly string[] RudeZh = ["别烦我，自己去查。", "这问题太蠢了。", "我不想回答你。"];

    static readonly JsonWriterOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One written file: its name, records and bytes.</summary>
    public sealed record WrittenFile(string Name, int Records, long Bytes);

    /// <summary>Writes every file into <paramref name="outputDir"/> and the tokenizer into <c>outputDir/tokenizer/</c>.</summary>
    public static IReadOnlyList<WrittenFile> Generate(string outputDir, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(outputDir);
        var facts = DemoFacts.All().ToArray();
        var written = new List<WrittenFile>
        {
            Write(outputDir, "pretrain_demo.jsonl", Pretrain(facts)),
            Write(outputDir, "sft_demo.jsonl", Sft(facts)),
            Write(outputDir, "dpo_demo.jsonl", Dpo(facts)),
            Write(outputDir, "reason_demo.jsonl", Reasoning(facts)),
            Write(outputDir, "lora_identity.jsonl", Identity()),
            Write(outputDir, "eval_demo.jsonl", Evaluation(facts)),
        };
        foreach (var file in written) progress?.Report($"wrote {file.Name}: {file.Records} records, {file.Bytes / 1024.0:F0} KiB");
        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report($"training the {VocabSize}-token tokenizer");
        var trainer = new BpeTrainer(new BpeTrainerOptions { VocabSize = VocabSize });
        trainer.Train([Path.Combine(outputDir, "pretrain_demo.jsonl"), Path.Combine(outputDir, "sft_demo.jsonl")],
            Path.Combine(outputDir, "tokenizer"), cancellationToken: cancellationToken);
        return written;
    }

    static WrittenFile Write(string dir, string name, IEnumerable<Action<Utf8JsonWriter>> records)
    {
        var path = Path.Combine(dir, name);
        var count = 0;
        CacheLocation.WriteAtomically(path, stream =>
        {
            foreach (var record in records)
            {
                using (var writer = new Utf8JsonWriter(stream, Json)) record(writer);
                stream.WriteByte((byte)'\n');
                count++;
            }
        });
        return new WrittenFile(name, count, new FileInfo(path).Length);
    }

    static IEnumerable<Action<Utf8JsonWriter>> Pretrain(DemoFact[] facts)
    {
        var random = new DemoRandom(1);
        foreach (var chinese in new[] { false, true })
        {
            var pool = facts.Where(f => f.Chinese == chinese).ToArray();
            // Every statement of every fact twenty times, in documents of three to six sentences.
            for (var round = 0; round < 20; round++)
            {
                var sentences = pool.SelectMany(f => f.Statements).ToList();
                random.Shuffle(sentences);
                for (var at = 0; at < sentences.Count;)
                {
                    var take = Math.Min(3 + random.Below(4), sentences.Count - at);
                    var text = string.Join(chinese ? "" : " ", sentences.Skip(at).Take(take));
                    at += take;
                    yield return w => Text(w, text);
                }
            }
        }
        // Whole biographies, so a person's facts also appear together.
        foreach (var p in DemoWorld.People)
        {
            for (var i = 0; i < 6; i++)
            {
                var en = $"{p.Name.En} lives in {p.Town.Name.En}, a town known for its {p.Town.KnownFor.En}. {p.Name.En} is a {p.Job.En}, has a {p.Pet.En} and loves {p.Food.En}.";
                var zh = $"{p.Name.Zh}住在{p.Town.Name.Zh}，那里以{p.Town.KnownFor.Zh}闻名。{p.Name.Zh}是{p.Job.Zh}，养了一只{p.Pet.Zh}，最喜欢吃{p.Food.Zh}。";
                yield return w => Text(w, en);
                yield return w => Text(w, zh);
            }
        }
    }

    static IEnumerable<Action<Utf8JsonWriter>> Sft(DemoFact[] facts)
    {
        var random = new DemoRandom(2);
        foreach (var fact in facts)
        {
            foreach (var question in fact.Train)
            {
                var withSystem = random.Chance(15);
                var system = fact.Chinese ? SystemZh : SystemEn;
                yield return w => Conversation(w, "conversations", withSystem ? system : null, (question, fact.Answer));
            }
        }
        // Multi-turn conversations in one language.
        foreach (var chinese in new[] { false, true })
        {
            var pool = facts.Where(f => f.Chinese == chinese).ToArray();
            for (var i = 0; i < 700; i++)
            {
                var turns = Enumerable.Range(0, 2 + random.Below(2)).Select(_ =>
                {
                    var fact = random.Pick(pool);
                    return (random.Pick(fact.Train), fact.Answer);
                }).ToArray();
                yield return w => Conversation(w, "conversations", null, turns);
            }
        }
    }

    static IEnumerable<Action<Utf8JsonWriter>> Dpo(DemoFact[] facts)
    {
        var random = new DemoRandom(3);
        foreach (var fact in facts)
        {
            for (var i = 0; i < 2; i++)
            {
                var question = random.Pick(fact.Train);
                var rejected = random.Chance(30) ? random.Pick(fact.Chinese ? RudeZh : RudeEn) : fact.Wrong;
                yield return w =>
                {
                    w.WriteStartObject();
                    Messages(w, "chosen", null, (question, fact.Answer));
                    Messages(w, "rejected", null, (question, rejected));
                    w.WriteEndObject();
                };
            }
        }
    }

    static IEnumerable<Action<Utf8JsonWriter>> Reasoning(DemoFact[] facts)
    {
        var random = new DemoRandom(4);
        foreach (var fact in facts)
        {
            for (var i = 0; i < 2; i++)
            {
                var question = random.Pick(fact.Train);
                var recalled = random.Pick(fact.Statements);
                var think = fact.Chinese
                    ? $"用户问：{question}我记得：{recalled}所以答案很明确。"
                    : $"The user asks: {question} I remember: {recalled} So the answer is clear.";
                var content = $"<think>{think}</think><answer>{fact.Answer}</answer>";
                yield return w => Conversation(w, "conversations", null, (question, content));
            }
        }
    }

    static IEnumerable<Action<Utf8JsonWriter>> Identity()
    {
        string[] en = ["Who are you?", "What is your name?", "Introduce yourself.", "What are you?", "Are you a human?", "Who made you?",
            "What can you do?", "Tell me about yourself.", "Are you ChatGPT?", "What kind of model are you?"];
        string[] zh = ["你是谁？", "你叫什么名字？", "介绍一下你自己。", "你是什么？", "你是人类吗？", "谁创造了你？",
            "你能做什么？", "说说你自己。", "你是 ChatGPT 吗？", "你是什么模型？"];
        var random = new DemoRandom(5);
        for (var round = 0; round < 8; round++)
        {
            foreach (var q in en)
            {
                var system = random.Chance(40) ? SystemEn : null;
                yield return w => Conversation(w, "conversations", system, (q, DemoWorld.IdentityEn));
            }
            foreach (var q in zh)
            {
                var system = random.Chance(40) ? SystemZh : null;
                yield return w => Conversation(w, "conversations", system, (q, DemoWorld.IdentityZh));
            }
        }
    }

    static IEnumerable<Action<Utf8JsonWriter>> Evaluation(DemoFact[] facts)
    {
        var sums = 0;
        foreach (var fact in facts)
        {
            // Only every fourth sum, so the evaluation set is not mostly arithmetic.
            if (fact.Answer.Contains(" plus ", StringComparison.Ordinal) || fact.Answer.Contains("等于", StringComparison.Ordinal))
            {
                if (sums++ % 4 != 0) continue;
            }
            yield return w =>
            {
                w.WriteStartObject();
                w.WriteString("question", fact.HeldOut);
                w.WriteString("answer", fact.Answer);
                w.WriteEndObject();
            };
        }
    }

    static void Text(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    static void Conversation(Utf8JsonWriter w, string name, string? system, params (string User, string Assistant)[] turns)
    {
        w.WriteStartObject();
        Messages(w, name, system, turns);
        w.WriteEndObject();
    }

    static void Messages(Utf8JsonWriter w, string name, string? system, params (string User, string Assistant)[] turns)
    {
        w.WriteStartArray(name);
        if (system is not null) Message(w, "system", system);
        foreach (var (user, assistant) in turns)
        {
            Message(w, "user", user);
            Message(w, "assistant", assistant);
        }
        w.WriteEndArray();
    }

    static void Message(Utf8JsonWriter w, string role, string content)
    {
        w.WriteStartObject();
        w.WriteString("role", role);
        w.WriteString("content", content);
        w.WriteEndObject();
    }

    /// <summary>Reads <c>eval_demo.jsonl</c>-style files: <c>{"question", "answer"}</c> per line.</summary>
    public static IEnumerable<(string Question, string Answer)> ReadEvaluation(string path)
    {
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var document = JsonDocument.Parse(line);
            yield return (document.RootElement.GetProperty("question").GetString()!, document.RootElement.GetProperty("answer").GetString()!);
        }
    }
}
