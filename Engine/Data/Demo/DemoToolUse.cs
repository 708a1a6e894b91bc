using System.Text.Json;

namespace MiniMind.Engine.Data.Demo;

/// <summary>
/// The demo's tool-use data: conversations where the assistant calls the studio's built-in tools (<c>calculate</c> for sums
/// of numbers far beyond the small ones it learned, <c>get_person</c> for the demo world's people) and answers from the result,
/// mixed with plain conversations that offer no tools (so it keeps answering without them), and the held-out benchmark: new
/// sums and held-out phrasings, with the call each expects.
/// </summary>
static class DemoToolUse
{
    public const string DefaultSystem = "你是 MiniMind，是一个有用的人工智能助手。";

    /// <summary>The tools every tool record offers: both built-in ones, as the Chat page offers them with both ticked.</summary>
    static readonly string ToolsJson = BuiltInTools.Json;

    static readonly Func<long, long, string>[] SumTrainEn = [(a, b) => $"What is {a} plus {b}?", (a, b) => $"Add {a} and {b}.", (a, b) => $"{a} + {b} = ?", (a, b) => $"What do {a} and {b} add up to?"];
    static readonly Func<long, long, string>[] SumTrainZh = [(a, b) => $"{a}加{b}等于多少？", (a, b) => $"算一下{a}加{b}。", (a, b) => $"{a} + {b} 是多少？", (a, b) => $"{a}和{b}的和是多少？"];
    static readonly Func<long, long, string> SumHeldOutEn = (a, b) => $"How much is {a} plus {b}?";
    static readonly Func<long, long, string> SumHeldOutZh = (a, b) => $"请问{a}加{b}是多少？";

    /// <summary>The sums of the benchmark (a seed of their own, and never a pair of the training file).</summary>
    static List<(long A, long B)> HeldOutSums()
    {
        var random = new DemoRandom(71);
        return Enumerable.Range(0, 40).Select(_ => ((long)13 + random.Below(987), (long)13 + random.Below(987))).ToList();
    }

    public static IEnumerable<Action<Utf8JsonWriter>> Training(DemoFact[] facts, DemoProfile[] profiles)
    {
        var random = new DemoRandom(70);
        var heldOut = HeldOutSums().ToHashSet();
        var records = new List<Action<Utf8JsonWriter>>();
        for (var i = 0; i < 1200; i++)
        {
            long a = 13 + random.Below(987), b = 13 + random.Below(987);
            if (heldOut.Contains((a, b))) continue;
            var chinese = i % 2 == 1;
            var question = chinese ? random.Pick(SumTrainZh)(a, b) : random.Pick(SumTrainEn)(a, b);
            var expression = Expression(a, b, chinese);
            var result = BuiltInTools.CalculateResult(a + b);
            var answer = chinese ? $"结果是 {a + b}。" : $"The sum is {a + b}.";
            records.Add(w => ToolConversation(w, question, "calculate", expression, result, answer));
        }
        foreach (var (person, fact) in PersonFacts(facts))
        {
            var name = fact.Chinese ? person.Name.Zh : person.Name.En;
            var arguments = JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = name }, Options);
            var result = BuiltInTools.PersonResult(name)!;
            foreach (var question in fact.Train.Take(4))
                records.Add(w => ToolConversation(w, question, "get_person", arguments, result, fact.Answer));
        }
        // plain conversations, no tools offered: the answers it gave before the stage (the facts, and the whole-person
        // answers DPO taught: without them the stage undid DPO, measured 95.8% -> 0% on the preference benchmark)
        foreach (var fact in facts)
            records.Add(w => Plain(w, random.Pick(fact.Train), fact.Answer));
        foreach (var profile in profiles)
            foreach (var question in profile.Train.Take(3))
                records.Add(w => Plain(w, question, profile.Bio));
        random.Shuffle(records);
        return records;
    }

    /// <summary>The benchmark: <c>{"question", "tool", "arguments", "answer"}</c>; the answer must hold the expected words.</summary>
    public static IEnumerable<Action<Utf8JsonWriter>> Evaluation(DemoFact[] facts)
    {
        var i = 0;
        foreach (var (a, b) in HeldOutSums())
        {
            var chinese = i++ % 2 == 1;
            yield return w => Item(w, chinese ? SumHeldOutZh(a, b) : SumHeldOutEn(a, b), "calculate", Expression(a, b, chinese), (a + b).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var people = PersonFacts(facts).ToList();
        // every fourth person fact, both languages: 40 questions in the held-out phrasings
        foreach (var (person, fact) in people.Where((_, k) => k % 4 == 0).Take(40))
        {
            var name = fact.Chinese ? person.Name.Zh : person.Name.En;
            yield return w => Item(w, fact.HeldOut, "get_person", JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = name }, Options), PersonAnswer(person, fact));
        }
    }

    /// <summary>
    /// The arguments of a sum's call, written so each number is the same tokens as in the question (the byte-level
    /// pre-tokenizer keeps a leading space with a number): " 8170 + 4509" after English words, "6362+7908" beside Chinese
    /// characters. A small model then copies tokens instead of re-spelling numbers; the answer likewise repeats the result
    /// as the tool wrote it (after a space).
    /// </summary>
    static string Expression(long a, long b, bool chinese) =>
        chinese ? $"{{\"expression\": \"{a}+{b}\"}}" : $"{{\"expression\": \" {a} + {b}\"}}";

    /// <summary>The word a right answer about a person must hold: the town, job, pet or food the fact names (in its language).</summary>
    static string PersonAnswer(DemoWorld.Person p, DemoFact fact)
    {
        string[] candidates = fact.Chinese ? [p.Town.Name.Zh, p.Job.Zh, p.Pet.Zh, p.Food.Zh] : [p.Town.Name.En, p.Job.En, p.Pet.En, p.Food.En];
        return candidates.First(c => fact.Answer.Contains(c, StringComparison.Ordinal));
    }

    /// <summary>Each person's eight facts (town, job, pet, food; English and Chinese) with the person, in DemoFacts' order.</summary>
    static IEnumerable<(DemoWorld.Person Person, DemoFact Fact)> PersonFacts(DemoFact[] facts)
    {
        var k = 0;
        foreach (var person in DemoWorld.People)
            for (var j = 0; j < 8; j++)
                yield return (person, facts[k++]);
    }

    static readonly JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static void ToolConversation(Utf8JsonWriter w, string question, string tool, string arguments, string result, string answer)
    {
        w.WriteStartObject();
        w.WriteStartArray("conversations");
        w.WriteStartObject();
        w.WriteString("role", "system");
        w.WriteString("content", DefaultSystem);
        w.WritePropertyName("tools");
        w.WriteRawValue(ToolsJson);
        w.WriteEndObject();
        Message(w, "user", question);
        w.WriteStartObject();
        w.WriteString("role", "assistant");
        w.WriteString("content", "");
        w.WriteStartArray("tool_calls");
        w.WriteStartObject();
        w.WriteString("type", "function");
        w.WriteStartObject("function");
        w.WriteString("name", tool);
        w.WritePropertyName("arguments");
        w.WriteRawValue(arguments);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        Message(w, "tool", result);
        Message(w, "assistant", answer);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    static void Plain(Utf8JsonWriter w, string question, string answer)
    {
        w.WriteStartObject();
        w.WriteStartArray("conversations");
        Message(w, "user", question);
        Message(w, "assistant", answer);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    static void Item(Utf8JsonWriter w, string question, string tool, string arguments, string answer)
    {
        w.WriteStartObject();
        w.WriteString("question", question);
        w.WriteString("tool", tool);
        w.WritePropertyName("arguments");
        w.WriteRawValue(arguments);
        w.WriteString("answer", answer);
        w.WriteEndObject();
    }

    static void Message(Utf8JsonWriter w, string role, string content) => DemoCorpus.Message(w, role, content);
}
