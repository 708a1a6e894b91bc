using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Data;
using MiniMind.Engine.Generation;
using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;
using MiniMind.Engine.Tokenization;
using MiniMind.Engine.Tokenization.Templates;

namespace MiniMind.Studio.Services;

/// <summary>
/// Chat on the engine's KV-cache generator: loads a checkpoint (plus a LoRA adapter) with the tokenizer named in
/// its sidecar, renders the conversation with the tokenizer's chat template and streams the decoded answer.
/// Generation runs on its own thread; the last <see cref="StudioOptions.ChatModelCacheSize"/> models stay loaded.
/// </summary>
public sealed class LocalChatBackend(StudioPaths paths, StudioOptions options, RuntimeInfo runtime) : IChatBackend, IDisposable
{
    sealed class Loaded(MiniMindModel model, ByteLevelBpeTokenizer tokenizer, ChatTemplate template) : IDisposable
    {
        public MiniMindModel Model { get; } = model;
        public ByteLevelBpeTokenizer Tokenizer { get; } = tokenizer;
        public ChatTemplate Template { get; } = template;
        public Lock Gate { get; } = new();
        public void Dispose() => Model.Dispose();
    }

    readonly Lock cacheGate = new();
    readonly LinkedList<(string Key, Loaded Value)> cache = new();

    public async IAsyncEnumerable<ChatDelta> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<ChatDelta>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var worker = Task.Factory.StartNew(() =>
        {
            try { Generate(request, channel.Writer, cancellationToken); channel.Writer.TryComplete(); }
            catch (Exception e) { channel.Writer.TryComplete(e); }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await foreach (var delta in channel.Reader.ReadAllAsync(CancellationToken.None)) yield return delta;
        await worker;
    }

    void Generate(ChatRequest request, ChannelWriter<ChatDelta> output, CancellationToken cancel)
    {
        var loaded = Load(request.Checkpoint, request.Adapter);
        var s = request.Settings;
        var sampling = new SamplingOptions { Temperature = s.Temperature, TopP = s.TopP, TopK = s.TopK, RepetitionPenalty = s.RepetitionPenalty, Seed = s.Seed }.Validate();
        var messages = request.Messages.Select(m => (object?)new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content }).ToList();
        var prompt = loaded.Template.RenderChat(messages, addGenerationPrompt: true, loaded.Tokenizer.BosToken, loaded.Tokenizer.EosToken);
        var ids = loaded.Tokenizer.Encode(prompt).Select(i => (long)i).ToList();
        var room = loaded.Model.Config.MaxSeqLen - ids.Count;
        if (room <= 0) throw new ArgumentException($"The conversation ({ids.Count} tokens) fills the model's context of {loaded.Model.Config.MaxSeqLen} tokens: start a new chat.");
        var generation = new GenerationRequest
        {
            Prompts = [ids], MaxNewTokens = Math.Min(s.MaxNewTokens, room), Sampling = sampling, EosId = loaded.Tokenizer.EosId,
        };
        var decoder = loaded.Tokenizer.CreateStreamingDecoder(skipSpecialTokens: true);
        var splitter = new ReasoningSplitter();
        int produced = 0;
        string finish = "length";
        lock (loaded.Gate)
        {
            try
            {
                foreach (var step in TokenGenerator.Stream(loaded.Model, generation, cancel))
                {
                    produced++;
                    if (step[0] == loaded.Tokenizer.EosId) { finish = "stop"; break; }
                    var (text, reasoning) = splitter.Feed(decoder.Feed((int)step[0]));
                    if (text.Length + reasoning.Length > 0) output.TryWrite(new ChatDelta(text, reasoning));
                }
            }
            catch (OperationCanceledException)
            {
                finish = "cancelled";
            }
        }
        if (cancel.IsCancellationRequested) finish = "cancelled";
        var (restText, restReasoning) = splitter.Feed(decoder.Flush());
        var (t2, r2) = splitter.Flush();
        output.TryWrite(new ChatDelta(restText + t2, restReasoning + r2, finish, ids.Count, produced));
    }

    Loaded Load(string checkpoint, string? adapter)
    {
        var weights = paths.Resolve(checkpoint);
        var adapterPath = string.IsNullOrWhiteSpace(adapter) ? null : paths.Resolve(adapter);
        var key = weights + "|" + adapterPath;
        lock (cacheGate)
        {
            for (var node = cache.First; node is not null; node = node.Next)
            {
                if (node.Value.Key != key) continue;
                cache.Remove(node);
                cache.AddFirst(node);
                return node.Value.Value;
            }
            var info = ModelCheckpoint.ReadInfo(weights);
            var model = ModelCheckpoint.Load(weights, device: runtime.Device);
            try
            {
                if (adapterPath is not null) LoRAAdapters.Load(model, adapterPath);
                var tokenizerDir = info?.Tokenizer is { } t && (Directory.Exists(t) || File.Exists(t)) ? t : paths.Tokenizer;
                var tokenizer = ByteLevelBpeTokenizer.Load(tokenizerDir);
                var template = ChatTemplate.Parse(tokenizer.ChatTemplate ?? MiniMindChatTemplate.Template);
                var loaded = new Loaded(model, tokenizer, template);
                cache.AddFirst((key, loaded));
                while (cache.Count > Math.Max(1, options.ChatModelCacheSize))
                {
                    var last = cache.Last!.Value.Value;
                    cache.RemoveLast();
                    lock (last.Gate) last.Dispose();
                }
                return loaded;
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
    }

    public void Dispose()
    {
        lock (cacheGate)
        {
            foreach (var (_, loaded) in cache) loaded.Dispose();
            cache.Clear();
        }
    }
}
