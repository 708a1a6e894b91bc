using System.CommandLine;
using Microsoft.Extensions.Configuration;
using MiniMind.Engine.Chat;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Data;
using MiniMind.Studio.Hosting;

namespace MiniMind.Studio.Cli;

/// <summary>
/// <c>chat --model NAME|PATH</c>: an interactive conversation in the terminal, the answer streamed as it is
/// generated. Lines are read from standard input; <c>/reset</c> forgets the conversation, <c>/exit</c> (or
/// end of input) quits. Reasoning (a &lt;think&gt; block) is shown in brackets before the answer.
/// </summary>
public static class ChatCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model id under out/ (as GET /v1/models lists it) or a checkpoint / LoRA adapter .safetensors path", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder [default: the one the checkpoint's sidecar names]" };
        var outDir = new Option<string?>("--out-dir") { Description = "Where model ids are looked up [default: Studio:OutDir, else out/]" };
        var system = new Option<string?>("--system") { Description = "A system message opening the conversation" };
        var temperature = new Option<double>("--temperature") { Description = "0 = greedy", DefaultValueFactory = _ => 0.85 };
        var topP = new Option<double>("--top-p") { DefaultValueFactory = _ => 0.85, Description = "Nucleus sampling threshold" };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "Tokens per answer at most [default: up to the context]" };
        var seed = new Option<long?>("--seed") { Description = "Seed for reproducible sampling" };
        var command = new Command("chat", "Talk to a model in the terminal (answers stream as they are generated)");
        foreach (var o in new Option[] { model, tokenizer, outDir, system, temperature, topP, maxTokens, seed }) command.Options.Add(o);
        command.SetAction(async (parse, cancel) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            ChatModel chat;
            try
            {
                var runtime = StudioCli.StartEngine(parse);
                var options = new ChatModelOptions { Device = runtime.Device, TokenizerPath = parse.GetValue(tokenizer), Root = ContentRoot.Find() };
                chat = Load(parse.GetValue(model)!, parse.GetValue(outDir), options);
            }
            catch (Exception e) when (StudioCli.IsBadInput(e))
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
            using (chat)
            {
                var settings = new ChatOptions
                {
                    Temperature = parse.GetValue(temperature),
                    TopP = parse.GetValue(topP),
                    MaxTokens = parse.GetValue(maxTokens),
                    Seed = parse.GetValue(seed),
                };
                try
                {
                    settings.Validate(chat.ContextLength);
                }
                catch (ChatRequestException e)
                {
                    error.WriteLine($"error: {e.Message}");
                    return 1;
                }
                error.WriteLine($"chatting with {chat.Name} ({chat.Config.Dim}x{chat.Config.NLayers}, context {chat.ContextLength}); /reset forgets, /exit quits");
                await Converse(chat, settings, parse.GetValue(system), Console.In, output, error, cancel);
            }
            return 0;
        });
        return command;
    }

    /// <summary>A path loads that file (an adapter with its base); otherwise the id is looked up under the out folder.</summary>
    static ChatModel Load(string name, string? outDir, ChatModelOptions options)
    {
        if (File.Exists(name))
        {
            var info = ModelCheckpoint.ReadInfo(name);
            if (info?.Lora is not null)
                return ChatModel.Load(info.BaseCheckpoint ?? throw new ArgumentException($"{name} is a LoRA adapter whose sidecar names no base checkpoint."), name, options);
            return ChatModel.Load(name, null, options);
        }
        var root = ContentRoot.Find();
        outDir ??= new ConfigurationBuilder().AddJsonFile(Path.Combine(root, "appsettings.json"), optional: true).Build()["Studio:OutDir"];
        using var catalog = new ModelCatalog(new ModelCatalogOptions { OutDir = Path.GetFullPath(string.IsNullOrEmpty(outDir) ? "out" : outDir, root) });
        var entry = catalog.Find(name)
                    ?? throw new KeyNotFoundException($"No model '{name}': not a file, and not among the models under {catalog.OutDir} ({string.Join(", ", catalog.List().Select(e => e.Id).DefaultIfEmpty("none"))}).");
        return ChatModel.Load(entry.WeightsPath, entry.AdapterPath, options with { Name = entry.Id });
    }

    static async Task Converse(ChatModel chat, ChatOptions settings, string? system, TextReader input, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var history = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(system)) history.Add(ChatMessage.System(system));
        while (!cancel.IsCancellationRequested)
        {
            error.Write("> ");
            var line = await input.ReadLineAsync(cancel);
            if (line is null || line.Trim() == "/exit") break;
            if (line.Trim() == "/reset")
            {
                history.RemoveAll(m => m.Role != "system");
                error.WriteLine("(conversation forgotten)");
                continue;
            }
            if (string.IsNullOrWhiteSpace(line)) continue;
            history.Add(ChatMessage.User(line));
            var answer = new System.Text.StringBuilder();
            bool thinking = false;
            try
            {
                await foreach (var delta in chat.StreamAsync(history, settings, cancel))
                {
                    if (delta.Reasoning.Length > 0)
                    {
                        if (!thinking) output.Write("[");
                        thinking = true;
                        output.Write(delta.Reasoning);
                    }
                    if (delta.Content.Length > 0)
                    {
                        if (thinking) output.Write("]\n");
                        thinking = false;
                        output.Write(delta.Content);
                        answer.Append(delta.Content);
                    }
                    await output.FlushAsync(cancel);
                }
            }
            catch (ChatRequestException e)
            {
                history.RemoveAt(history.Count - 1);
                error.WriteLine($"error: {e.Message}");
                continue;
            }
            if (thinking) output.Write("]");
            output.WriteLine();
            history.Add(ChatMessage.Assistant(answer.ToString()));
        }
    }
}
