using System.Text.Json;
using MiniMind.Engine.Model;
using MiniMind.Engine.Training;
using static TorchSharp.torch;

namespace MiniMind.Studio.Tests.Services;

/// <summary>
/// A minimind-3-shaped model the studio's SFT teaches, in seconds, one tool-use conversation (over the original's
/// tokenizer and template): asked <see cref="Conversation.Question"/> with exactly these tools offered, it calls the tool
/// and then answers from the result. What the API's and the pages' tool loops need to be tested with a real model.
/// </summary>
public static class ToolModel
{
    public sealed record Conversation(string System, string ToolsJson, string Question, string CallName, string CallArguments, string Result, string Answer);

    public static string Train(string outDir, string name, Conversation c)
    {
        var system = new Dictionary<string, object?> { ["role"] = "system", ["content"] = c.System ?? "", ["tools"] = c.ToolsJson };
        var call = "[{\"type\": \"function\", \"function\": {\"name\": \"" + c.CallName + "\", \"arguments\": " + c.CallArguments + "}}]";
        var line = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["conversations"] = new object[]
            {
                system,
                new Dictionary<string, string> { ["role"] = "user", ["content"] = c.Question },
                new Dictionary<string, string> { ["role"] = "assistant", ["content"] = "", ["tool_calls"] = call },
                new Dictionary<string, string> { ["role"] = "tool", ["content"] = c.Result },
                new Dictionary<string, string> { ["role"] = "assistant", ["content"] = c.Answer },
            },
        });
        var data = Path.Combine(Path.GetTempPath(), $"minimind-toolmodel-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(data, Enumerable.Repeat(line, 16));
        try
        {
            manual_seed(11);
            var options = TrainingOptions.ForStage(TrainingStage.Sft) with
            {
                DataPath = data,
                TokenizerPath = Repo.Fixture("minimind3", "tokenizer"),
                OutDir = outDir,
                OutputName = name,
                InitFrom = TrainingOptions.Scratch, // a context of 1024: a page reserves up to 256 tokens for the answer, and the tools' system turn alone takes about 200
                Model = MiniMindConfig.Preset("minimind3-tiny") with { Dim = 64, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 1024 },
                Device = "cpu",
                Epochs = 40,
                BatchSize = 4,
                AccumulationSteps = 1,
                MaxSeqLen = 640,
                LearningRate = 3e-3,
                WarmupSteps = 10,
                SaveEvery = 10_000,
            };
            var result = TrainingJob.Execute(options, CPU, new MiniMind.Engine.Runtime.RuntimeInfo("test", "test", "test", CPU, 1),
                RunDirectory.Create(outDir, TrainingStage.Sft), false, null, null, CancellationToken.None);
            if (result.Outcome != RunOutcome.Completed) throw new InvalidOperationException($"the tool model did not train: {result.Message}");
            return result.OutputPath;
        }
        finally
        {
            File.Delete(data);
        }
    }
}
