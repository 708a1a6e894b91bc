using MiniMind.Engine.Data;

namespace MiniMind.Engine.Tests.Data;

/// <summary>Validation names the file, line and field of each bad record, and never throws on bad data.</summary>
public sealed class RecordValidationTests
{
    static DataProblem? ProblemOf(string json, DatasetKind kind)
    {
        var record = RecordParser.Parse(System.Text.Encoding.UTF8.GetBytes(json), kind, "f.jsonl", 7, out var problem);
        Assert.True(record is null == problem is not null || json.Trim().Length == 0);
        return problem;
    }

    [Theory]
    [InlineData("{\"text\": \"ok\"", "$", "malformed JSON")]
    [InlineData("[1, 2]", "$", "expected a JSON object, found an array")]
    [InlineData("{\"txt\": \"ok\"}", "text", "missing field")]
    [InlineData("{\"text\": 42}", "text", "expected a string, found a number")]
    [InlineData("{\"text\": \"  \"}", "text", "empty text")]
    public void PretrainProblems_NameTheField(string json, string field, string message)
    {
        var problem = ProblemOf(json, DatasetKind.Pretrain)!;

        Assert.Equal(("f.jsonl", 7L, field), (problem.File, problem.Line, problem.Field));
        Assert.StartsWith(message, problem.Message);
    }

    [Theory]
    [InlineData("{\"conversations\": []}", "conversations", "empty conversation")]
    [InlineData("{\"conversations\": {}}", "conversations", "expected an array of messages, found an object")]
    [InlineData("{\"conversations\": [{\"role\": \"assistant\", \"content\": \"hi\"}]}", "conversations[0].role", "roles out of order: expected user, found assistant")]
    [InlineData("{\"conversations\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"user\", \"content\": \"b\"}]}", "conversations[1].role", "roles out of order: expected assistant, found user")]
    [InlineData("{\"conversations\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"system\", \"content\": \"b\"}]}", "conversations[1].role", "a system turn may only come first")]
    [InlineData("{\"conversations\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"bot\", \"content\": \"b\"}]}", "conversations[1].role", "unknown role 'bot'")]
    [InlineData("{\"conversations\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \" \"}]}", "conversations[1].content", "empty assistant turn")]
    [InlineData("{\"conversations\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\"}]}", "conversations[1].content", "missing field")]
    [InlineData("{\"conversations\": [{\"role\": \"user\", \"content\": [1]}]}", "conversations[0].content", "expected a string, found an array")]
    [InlineData("{\"conversations\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", \"content\": \"a\"}]}", "conversations", "the conversation ends with a user turn")]
    public void ConversationProblems_NameTheTurn(string json, string field, string message)
    {
        var problem = ProblemOf(json, DatasetKind.Sft)!;

        Assert.Equal(field, problem.Field);
        Assert.StartsWith(message, problem.Message);
    }

    [Fact]
    public void SystemThenAlternatingTurns_AreValid()
    {
        Assert.Null(ProblemOf("{\"conversations\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\", \"reasoning_content\": \"r\"}]}", DatasetKind.Sft));
    }

    [Fact]
    public void ReasoningTurnWithoutTags_IsAProblem_AndWithTagsIsNot()
    {
        const string plain = "{\"conversations\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"just an answer\"}]}";
        const string tagged = "{\"conversations\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"<think>x</think><answer>y</answer>\"}]}";

        Assert.Equal("conversations[1].content", ProblemOf(plain, DatasetKind.Reasoning)!.Field);
        Assert.Null(ProblemOf(tagged, DatasetKind.Reasoning));
    }

    [Fact]
    public void DpoProblems_NameWhichSide()
    {
        var problem = ProblemOf("{\"chosen\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\"}], \"rejected\": [{\"role\": \"user\", \"content\": \"a\"}]}", DatasetKind.Dpo)!;

        Assert.Equal("rejected", problem.Field);
        Assert.StartsWith("the conversation ends with a user turn", problem.Message);
    }

    [Fact]
    public void BlankLine_IsNeitherARecordNorAProblem()
    {
        Assert.Null(ProblemOf("   ", DatasetKind.Pretrain));
    }
}
