using System.Text.Json;
using MiniMind.Engine.Chat;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Data;
using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;
using MiniMind.Studio.Cli;

namespace MiniMind.Studio.Tests.Cli;

/// <summary>The chat verb as a person uses it: lines in on standard input, answers streamed out.</summary>
public sealed class ChatVerbTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-chat-verb-").FullName;
    readonly string checkpoint;

    public ChatVerbTests()
    {
        TorchRuntime.Initialize(new RuntimeOptions("cpu"));
        var config = MiniMindConfig.FromJson(JsonDocument.Parse(File.ReadAllText(Repo.Fixture("tiny-dense", "golden.json"))).RootElement.GetProperty("config").GetRawText());
        checkpoint = Path.Combine(dir, "tiny.safetensors");
        using var model = ModelCheckpoint.Load(Repo.Fixture("tiny-dense", "weights.safetensors"), config);
        ModelCheckpoint.Save(model, checkpoint, new CheckpointInfo { Config = config, Stage = "sft", Tokenizer = Repo.Fixture("seed-tokenizer") });
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static async Task<(int Code, string Out, string Err)> Chat(string input, params string[] args)
    {
        var stdin = Console.In;
        Console.SetIn(new StringReader(input));
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var code = await StudioCli.RunAsync(["chat", .. args, "--device", "cpu"], output, error);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetIn(stdin);
        }
    }

    [Fact]
    public async Task Chat_AnswersEachLineWithTheModelsGreedyReply_KeepingTheConversation()
    {
        using var chat = ChatModel.Load(checkpoint);
        var options = new ChatOptions { Temperature = 0, MaxTokens = 8 };
        var first = (await chat.CompleteAsync([ChatMessage.User("你好")], options)).Choices[0].Content;
        var second = (await chat.CompleteAsync([ChatMessage.User("你好"), ChatMessage.Assistant(first), ChatMessage.User("再见")], options)).Choices[0].Content;

        var (code, output, error) = await Chat("你好\n再见\n/exit\n", "--model", checkpoint, "--temperature", "0", "--max-tokens", "8");

        Assert.Equal(0, code);
        Assert.Equal([first, second], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("chatting with tiny", error);
    }

    [Fact]
    public async Task Chat_ByIdUnderAnOutFolder_FindsTheCheckpoint()
    {
        var (code, output, _) = await Chat("hi\n", "--model", "tiny", "--out-dir", dir, "--temperature", "0", "--max-tokens", "4");

        Assert.Equal(0, code);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Chat_WithAnUnknownModel_FailsNamingTheModelsThereAre()
    {
        var (code, _, error) = await Chat("", "--model", "nope", "--out-dir", dir);

        Assert.Equal(1, code);
        Assert.Contains("No model 'nope'", error);
        Assert.Contains("tiny", error);
    }
}
