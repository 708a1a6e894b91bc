using MiniMind.Engine.Evaluation;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Evaluation;

public sealed class EvaluationTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-eval-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static ByteLevelBpeTokenizer Tokenizer() => ByteLevelBpeTokenizer.Load(Fixture.Path("seed-tokenizer"));

    string Write(string name, params string[] lines)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void DemoQuiz_IsZeroForAWrongModel_AndFullForAnOracle()
    {
        var questions = new[] { new QuizQuestion("Where does Alice live?", ["Alice lives in Mossford."]), new QuizQuestion("1+2=?", ["1+2=3"]) };

        var wrong = DemoQuiz.Run(questions, (_, _) => "I do not know.");
        var right = DemoQuiz.Run(questions, (q, _) => $"Sure! {q.Expected[0].ToUpperInvariant()}");

        Assert.Equal((0.0, 0, 2), (wrong.Accuracy, wrong.Correct, wrong.Total));
        Assert.Equal((1.0, 2, 2), (right.Accuracy, right.Correct, right.Total));
        Assert.Null(right.FormatValid);
        Assert.False(DemoQuiz.Contains("Alice lives in Moss.", "Alice lives in Mossford."));
    }

    [Fact]
    public void BehaviourQuestion_NeedsEveryExpectedText()
    {
        var path = Write("pref.jsonl", """{"question": "Describe Alice.", "expect": ["Mossford", "teacher", "cat", "noodles"]}""");
        var question = Assert.Single(QuizQuestion.Read(path));

        Assert.True(question.Passes("Alice lives in Mossford. Alice is a teacher, has a CAT and loves noodles!"));
        Assert.False(question.Passes("Alice lives in Mossford. Alice is a teacher, has a cat.")); // the food is missing
        Assert.False(question.Passes("Sorry, I can't share information about other people."));
    }

    [Fact]
    public void ReasoningQuestion_NeedsTheThinkAnswerShape_AndTheAnswerInsideIt()
    {
        var path = Write("reason.jsonl", """{"question": "Where does Alice live?", "answer": "Alice lives in Mossford.", "format": "reasoning"}""");
        var question = Assert.Single(QuizQuestion.Read(path));
        string[] answers =
        [
            "<think>I remember she lives there.</think><answer>Alice lives in Mossford.</answer>", // right
            "<think>Alice lives in Mossford.</think><answer>Alice lives in Pinecrest.</answer>", // the shape, a wrong answer
            "Alice lives in Mossford.", // right, no shape
            "<think>Alice lives in Mossford.</think>", // no answer part
        ];

        var result = DemoQuiz.Run([question, question, question, question], (_, _) => answers[0]);
        var each = answers.Select(a => (question.FormatHolds(a), question.Passes(a))).ToArray();

        Assert.Equal([(true, true), (true, false), (false, false), (false, false)], each);
        Assert.Equal(1.0, result.FormatValid);
    }

    [Theory]
    [InlineData("""{"question": "q"}""", "\"answer\" is missing")]
    [InlineData("""{"answer": "a"}""", "\"question\" is missing")]
    [InlineData("""{"question": "q", "expect": "a"}""", "array of strings")]
    [InlineData("""{"question": "q", "answer": "a", "format": "poem"}""", "unknown \"format\"")]
    [InlineData("""{"question": "q", "answer": ""}""", "empty")]
    [InlineData("""not json""", "expected")]
    public void BadQuestionLine_NamesTheFileAndLine(string line, string problem)
    {
        var path = Write("bad.jsonl", """{"question": "fine", "answer": "yes"}""", "", line);

        var error = Assert.Throws<InvalidDataException>(() => QuizQuestion.Read(path));

        Assert.Contains($"{path}:3:", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void MultipleChoice_PicksTheLetterWithTheHighestNextTokenLogit()
    {
        using var model = Fixture.TinyDenseModel();
        var tokenizer = Tokenizer();
        var item = new MultipleChoiceItem("math", "1+1=?", ["1", "2", "3", "4"], 'B');

        var result = new MultipleChoiceScorer(model, tokenizer).Score([item]);

        // by hand: the logits after the prompt, at the four letters' ids, softmaxed among themselves
        using var _ = no_grad();
        var ids = tensor(tokenizer.Encode(MultipleChoiceScorer.Prompt(item, [])).Select(i => (long)i).ToArray()).unsqueeze(0);
        var last = model.Forward(ids).Logits[0, -1];
        var letters = "ABCD".Select(c => (long)tokenizer.Encode(c.ToString())[0]).ToArray();
        var expected = last.index_select(0, tensor(letters)).softmax(0).data<float>().ToArray();
        var probabilities = result.Scores[0].Probabilities;
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], probabilities[i], 4);
        Assert.Equal("ABCD"[Array.IndexOf(expected, expected.Max())], result.Scores[0].Predicted);
        Assert.Equal(result.Scores[0].Predicted == 'B' ? 1.0 : 0.0, result.Accuracy);
    }

    [Fact]
    public void MultipleChoice_BatchedScoring_EqualsOneByOne()
    {
        using var model = Fixture.TinyDenseModel();
        var items = Enumerable.Range(0, 5).Select(i => new MultipleChoiceItem("s", $"问题{i}：{new string('x', i * 3)}?", ["甲", "乙", "丙", "丁"], 'A')).ToList();

        var batched = new MultipleChoiceScorer(model, Tokenizer(), batchSize: 5).Score(items);
        var single = new MultipleChoiceScorer(model, Tokenizer(), batchSize: 1).Score(items);

        for (int i = 0; i < items.Count; i++)
            for (int k = 0; k < 4; k++) Assert.Equal(single.Scores[i].Probabilities[k], batched.Scores[i].Probabilities[k], 5);
    }

    [Fact]
    public void Loaders_ReadCEvalCsvAndJsonl()
    {
        var csv = Write("computer_network_val.csv", "id,question,A,B,C,D,answer", "0,\"Which, with a comma?\",a,b,c,d,C", "1,\"two\nlines\",w,x,y,z,a");
        var jsonl = Write("quiz.jsonl", "{\"question\": \"q1\", \"choices\": [\"x\", \"y\", \"z\"], \"answer\": 2, \"subject\": \"logic\"}", "", "{\"question\": \"q2\", \"choices\": [\"x\", \"y\"], \"answer\": \"A\"}");

        var fromCsv = BenchmarkLoader.Load(csv);
        var fromJsonl = BenchmarkLoader.Load(jsonl);

        Assert.Equal(("computer_network", "Which, with a comma?", 'C'), (fromCsv[0].Subject, fromCsv[0].Question, fromCsv[0].Answer));
        Assert.Equal(["a", "b", "c", "d"], fromCsv[0].Choices);
        Assert.Equal("two\nlines", fromCsv[1].Question);
        Assert.Equal('A', fromCsv[1].Answer);
        Assert.Equal(("logic", 'C'), (fromJsonl[0].Subject, fromJsonl[0].Answer));
        Assert.Equal(("quiz", 'A'), (fromJsonl[1].Subject, fromJsonl[1].Answer));
    }

    [Theory]
    [InlineData("bad.csv", "question,A,B,C,D,answer\nq,a,b,c,d,A\nq2,a,b,c,d,E", "bad.csv:3: answer")]
    [InlineData("short.csv", "question,A,B,C,D,answer\nq,a,b,c,d", "short.csv:2: 5 fields")]
    [InlineData("noanswer.csv", "question,A,B,C,D\nq,a,b,c,d", "noanswer.csv:1:")]
    [InlineData("bad.jsonl", "{\"question\": \"q\", \"choices\": [\"a\", \"b\"], \"answer\": 0}\n{\"question\": \"q\", \"choices\": \"ab\", \"answer\": 0}", "bad.jsonl:2: choices")]
    [InlineData("broken.jsonl", "{\"question\": ", "broken.jsonl:1: malformed JSON")]
    public void Loaders_MalformedRows_NameFileAndLine(string name, string content, string message)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content);

        var e = Assert.Throws<InvalidDataException>(() => BenchmarkLoader.Load(path));

        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Perplexity_IsExpOfTheMeanTokenLoss_AndBitsPerByteFollow()
    {
        using var model = Fixture.TinyDenseModel();
        var tokenizer = Tokenizer();
        var text = "你好，世界！hello world";

        var result = new PerplexityEvaluator(model, tokenizer).Evaluate([text]);

        using var _ = no_grad();
        var ids = new long[] { 1 }.Concat(tokenizer.Encode(text).Select(i => (long)i)).Append(2).ToArray();
        var x = tensor(ids).unsqueeze(0);
        var ce = Engine.Training.Objectives.TokenLoss.PerTokenCrossEntropy(model.Forward(x.narrow(1, 0, ids.Length - 1)).Logits, x.narrow(1, 1, ids.Length - 1));
        double nats = ce.sum().item<float>();
        Assert.Equal(ids.Length - 1, result.Tokens);
        Assert.Equal(Math.Exp(nats / (ids.Length - 1)), result.Perplexity, 3);
        Assert.Equal(nats / Math.Log(2) / System.Text.Encoding.UTF8.GetByteCount(text), result.BitsPerByte, 5);
    }

    [Fact]
    public void Perplexity_OfAGiantDocument_ScoresItsFirstTokensOnly_AndSaysItWasCut()
    {
        using var model = Fixture.TinyDenseModel();
        var tokenizer = Tokenizer();
        var giant = string.Concat(Enumerable.Repeat("the quick brown fox jumps over 13 lazy dogs. 你好，世界！", 200_000)); // 10.6 M characters
        var evaluator = new PerplexityEvaluator(model, tokenizer);

        var result = evaluator.Evaluate([giant], budget: new PerplexityBudget(DocumentTokens: 40));

        Assert.Equal((40L, 1, 1, 0), (result.Tokens, result.Documents, result.Truncated, result.NotReached));
        // exactly what the first 41 ids (bos + 40 of the text) score: the same as evaluating that prefix alone
        var prefix = tokenizer.Decode(tokenizer.Encode(giant[..2000]).Take(40));
        var alone = evaluator.Evaluate([prefix], budget: new PerplexityBudget(DocumentTokens: 40));
        Assert.Equal(alone.Perplexity, result.Perplexity, 4);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(prefix), result.Bytes);
    }

    [Fact]
    public void Perplexity_StopsAtTheRunsTokenBudget_AndCountsTheDocumentsNotReached()
    {
        using var model = Fixture.TinyDenseModel();
        var documents = Enumerable.Range(0, 5).Select(i => $"document {i} says hello to the world").ToList();
        var evaluator = new PerplexityEvaluator(model, Tokenizer());
        long perDocument = evaluator.Evaluate(documents.Take(1).ToList()).Tokens;

        var result = evaluator.Evaluate(documents, budget: new PerplexityBudget(Tokens: perDocument + 3));

        Assert.Equal(perDocument + 3, result.Tokens);
        Assert.Equal((2, 5, 1, 3), (result.Documents, result.Given, result.Truncated, result.NotReached));
        Assert.Equal("12 tokens of 2 documents; 1 cut short by a token budget; 3 not reached (the run's token budget was spent)",
            EvaluationRecord.PerplexityScope(new Dictionary<string, double>
            {
                ["tokens"] = 12, ["documents"] = 2, ["truncated_documents"] = 1, ["documents_not_reached"] = 3,
            }));
        Assert.Throws<ArgumentException>(() => evaluator.Evaluate(documents, budget: new PerplexityBudget(DocumentTokens: 1)));
    }

    [Fact]
    public void Records_AreSavedAndListedNewestFirst()
    {
        var older = new EvaluationRecord { Checkpoint = "out/a.safetensors", Benchmark = "demo", Metrics = new Dictionary<string, double> { ["accuracy"] = 0.25 }, CreatedUtc = DateTimeOffset.UtcNow.AddMinutes(-1) };
        var newer = older with { Checkpoint = "out/b.safetensors", Metrics = new Dictionary<string, double> { ["accuracy"] = 0.5 }, CreatedUtc = DateTimeOffset.UtcNow };

        older.Save(dir);
        newer.Save(dir);
        var listed = EvaluationRecord.List(dir);

        Assert.Equal(["out/b.safetensors", "out/a.safetensors"], listed.Select(r => r.Checkpoint));
        Assert.Equal(0.5, listed[0].Metrics["accuracy"]);
    }
}
