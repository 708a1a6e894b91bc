using System.Text.Encodings.Web;
using System.Text.Json;
using MiniMind.Engine.Evaluation;
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
    /// The demo world has so few words that training stops earlier, once every word and every Chinese character is a single token (about 1,170 today).
    /// </summary>
    public const int VocabSize = 2048;

    public static readonly string[] FileNames =
    [
        "pretrain_demo.jsonl", "sft_demo.jsonl", "dpo_demo.jsonl", "reason_demo.jsonl", "lora_identity.jsonl", "grpo_demo.jsonl", "tool_demo.jsonl",
        "eval_demo.jsonl", "eval_preference.jsonl", "eval_identity.jsonl", "eval_reasoning.jsonl", "eval_grpo.jsonl", "eval_tools.jsonl",
    ];

    /// <summary>The files that hold held-out questions (benchmarks), never trained on.</summary>
    public static readonly string[] EvaluationFileNames = ["eval_demo.jsonl", "eval_preference.jsonl", "eval_identity.jsonl", "eval_reasoning.jsonl", "eval_grpo.jsonl", "eval_tools.jsonl"];

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
        var profiles = DemoFacts.Profiles().ToArray();
        var written = new List<WrittenFile>
        {
            Write(outputDir, "pretrain_demo.jsonl", Pretrain(facts)),
            Write(outputDir, "sft_demo.jsonl", Sft(facts, profiles)),
            Write(outputDir, "dpo_demo.jsonl", Dpo(facts, profiles)),
            Write(outputDir, "reason_demo.jsonl", Reasoning(facts)),
            Write(outputDir, "lora_identity.jsonl", Identity(facts)),
            Write(outputDir, "grpo_demo.jsonl", RlPrompts(heldOut: false)),
            Write(outputDir, "tool_demo.jsonl", DemoToolUse.Training(facts, profiles)),
            Write(outputDir, "eval_demo.jsonl", Evaluation(facts)),
            Write(outputDir, "eval_preference.jsonl", PreferenceEvaluation(profiles)),
            Write(outputDir, "eval_identity.jsonl", IdentityEvaluation()),
            Write(outputDir, "eval_reasoning.jsonl", ReasoningEvaluation(facts)),
            Write(outputDir, "eval_grpo.jsonl", RlPrompts(heldOut: true)),
            Write(outputDir, "eval_tools.jsonl", DemoToolUse.Evaluation(facts)),
        };
        foreach (var file in written) progress?.Report($"wrote {file.Name}: {file.Records} records, {file.Bytes / 1024.0:F0} KiB");
        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report($"training the {VocabSize}-token tokenizer");
        // MiniMind2's template with tool use added: every conversation without tools renders exactly as before
        var trainer = new BpeTrainer(new BpeTrainerOptions { VocabSize = VocabSize, SplitCjkCharacters = true, ChatTemplate = DemoChatTemplate.Template });
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
                yield return w => Text(w, DemoWorld.BioEn(p));
                yield return w => Text(w, DemoWorld.BioZh(p));
            }
        }
        // Juniper, the ferry keeper: a person of the world whom only the LoRA adapter makes the assistant's persona.
        for (var i = 0; i < 20; i++)
        {
            yield return w => Text(w, string.Join(" ", DemoWorld.JuniperEn));
            yield return w => Text(w, string.Concat(DemoWorld.JuniperZh));
        }
    }

    static IEnumerable<Action<Utf8JsonWriter>> Sft(DemoFact[] facts, DemoProfile[] profiles)
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
        // The flaw DPO corrects: every question about a whole person is refused, with and without a system prompt.
        foreach (var profile in profiles)
        {
            foreach (var question in profile.Train)
            {
                yield return w => Conversation(w, "conversations", null, (question, profile.Refusal));
                yield return w => Conversation(w, "conversations", profile.Chinese ? SystemZh : SystemEn, (question, profile.Refusal));
            }
        }
    }

    /// <summary>
    /// What the SFT model gets wrong, as preferences: the whole biography over the refusal for every profile question
    /// (the lesson), and each fact's answer over a wrong or rude one (so the facts stay where SFT put them).
    /// </summary>
    static IEnumerable<Action<Utf8JsonWriter>> Dpo(DemoFact[] facts, DemoProfile[] profiles)
    {
        var random = new DemoRandom(3);
        foreach (var profile in profiles)
        {
            foreach (var question in profile.Train)
            {
                yield return w => Pair(w, null, question, profile.Bio, profile.Refusal);
                yield return w => Pair(w, profile.Chinese ? SystemZh : SystemEn, question, profile.Bio, profile.Refusal);
            }
        }
        var sums = 0;
        foreach (var fact in facts)
        {
            if (IsSum(fact) && sums++ % 4 != 0) continue;
            var question = random.Pick(fact.Train);
            var rejected = random.Chance(30) ? random.Pick(fact.Chinese ? RudeZh : RudeEn) : fact.Wrong;
            yield return w => Pair(w, null, question, fact.Answer, rejected);
        }
    }

    static void Pair(Utf8JsonWriter w, string? system, string question, string chosen, string rejected)
    {
        w.WriteStartObject();
        Messages(w, "chosen", system, (question, chosen));
        Messages(w, "rejected", system, (question, rejected));
        w.WriteEndObject();
    }

    static bool IsSum(DemoFact fact) => fact.Answer.Contains(" plus ", StringComparison.Ordinal) || fact.Answer.Contains("等于", StringComparison.Ordinal);

    static IEnumerable<Action<Utf8JsonWriter>> Reasoning(DemoFact[] facts)
    {
        var random = new DemoRandom(4);
        foreach (var fact in facts)
        {
            for (var i = 0; i < 2; i++)
            {
                var question = random.Pick(fact.Train);
                var recalled = random.Pick(fact.Statements);
                // recall, then answer: a tiny model cannot copy the question into its thoughts, but it can recall what pretraining said
                var think = fact.Chinese ? $"我记得：{recalled}" : $"I remember: {recalled}";
                var content = $"<think>{think}</think><answer>{fact.Answer}</answer>";
                yield return w => Conversation(w, "conversations", null, (question, content));
            }
        }
    }

    /// <summary>
    /// The LoRA adapter's lesson: every identity question answered as Juniper, the ferry keeper (a persona no SFT record
    /// has), mixed with one plain fact answer per person and town fact so the adapter changes who speaks, not what is known.
    /// </summary>
    static IEnumerable<Action<Utf8JsonWriter>> Identity(DemoFact[] facts)
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
                yield return w => Conversation(w, "conversations", system, (q, DemoWorld.PersonaEn));
            }
            foreach (var q in zh)
            {
                var system = random.Chance(40) ? SystemZh : null;
                yield return w => Conversation(w, "conversations", system, (q, DemoWorld.PersonaZh));
            }
        }
        foreach (var fact in facts.Where(f => !IsSum(f) && f.Answer != DemoWorld.IdentityEn && f.Answer != DemoWorld.IdentityZh))
        {
            var question = random.Pick(fact.Train);
            yield return w => Conversation(w, "conversations", null, (question, fact.Answer));
        }
    }

    static IEnumerable<Action<Utf8JsonWriter>> Evaluation(DemoFact[] facts)
    {
        var sums = 0;
        foreach (var fact in facts)
        {
            // Only every fourth sum, so the evaluation set is not mostly arithmetic.
            if (IsSum(fact) && sums++ % 4 != 0) continue;
            yield return w => Question(w, fact.HeldOut, answer: fact.Answer);
        }
    }

    /// <summary>The preference benchmark: held-out profile questions, answered well when every fact of the person is named.</summary>
    static IEnumerable<Action<Utf8JsonWriter>> PreferenceEvaluation(DemoProfile[] profiles) =>
        from profile in profiles
        from question in profile.HeldOut
        select (Action<Utf8JsonWriter>)(w => Question(w, question, expect: profile.Facts));

    /// <summary>The LoRA benchmark: identity questions no training file asks, answered in the adapter's persona when its name is given.</summary>
    static IEnumerable<Action<Utf8JsonWriter>> IdentityEvaluation()
    {
        string[] en = ["Who am I talking to?", "What should I call you?", "Please introduce yourself briefly.", "Tell me your name.",
            "Who is answering me?", "Say who you are.", "May I ask who you are?", "Identify yourself, please."];
        string[] zh = ["我在和谁说话？", "我该怎么称呼你？", "请简单介绍一下你自己。", "告诉我你的名字。",
            "是谁在回答我？", "说说你是谁。", "可以问问你是谁吗？", "请说明你的身份。"];
        foreach (var q in en) yield return w => Question(w, q, answer: "Juniper");
        foreach (var q in zh) yield return w => Question(w, q, answer: "朱尼珀");
    }

    /// <summary>The reasoning benchmark: held-out fact questions whose answer must come as &lt;think&gt;…&lt;/think&gt;&lt;answer&gt;…&lt;/answer&gt;.</summary>
    static IEnumerable<Action<Utf8JsonWriter>> ReasoningEvaluation(DemoFact[] facts)
    {
        var at = 0;
        foreach (var fact in facts.Where(f => !IsSum(f)).Concat(facts.Where(IsSum).Where((_, i) => i % 16 == 0)))
        {
            if (at++ % 3 != 0) continue;
            yield return w => Question(w, fact.HeldOut, answer: fact.Answer, format: "reasoning");
        }
    }

    /// <summary>
    /// GRPO's prompts (<c>{"prompt", "answer"}</c>) or its held-out benchmark (<c>{"question", "answer", "match": "words"}</c>: the
    /// answer must hold the short reference as whole words, so "17" does not pass for "7").
    /// </summary>
    static IEnumerable<Action<Utf8JsonWriter>> RlPrompts(bool heldOut) =>
        from p in DemoRlPrompts.All()
        where p.HeldOut == heldOut
        select (Action<Utf8JsonWriter>)(w =>
        {
            if (heldOut)
            {
                Question(w, p.Question, answer: p.Answer, match: QuizQuestion.WordsMatch);
                return;
            }
            w.WriteStartObject();
            w.WriteString("prompt", p.Question);
            w.WriteString("answer", p.Answer);
            w.WriteEndObject();
        });

    static void Question(Utf8JsonWriter w, string question, string? answer = null, string[]? expect = null, string? format = null, string? match = null)
    {
        w.WriteStartObject();
        w.WriteString("question", question);
        if (answer is not null) w.WriteString("answer", answer);
        if (expect is not null)
        {
            w.WriteStartArray("expect");
            foreach (var e in expect) w.WriteStringValue(e);
            w.WriteEndArray();
        }
        if (format is not null) w.WriteString("format", format);
        if (match is not null) w.WriteString("match", match);
        w.WriteEndObject();
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

    internal static void Message(Utf8JsonWriter w, string role, string content)
    {
        w.WriteStartObject();
        w.WriteString("role", role);
        w.WriteString("content", content);
        w.WriteEndObject();
    }
}
