using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Data;
using MiniMind.Engine.Generation;
using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;
using MiniMind.Engine.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Chat;

/// <summary>
/// A loaded checkpoint (with its LoRA adapter merged in, if any) and its tokenizer, answering
/// conversations. Requests are served one at a time in arrival order (a model runs one batch at a time;
/// the n choices of a request share that batch). Generation runs on its own thread and streams
/// through a channel, so awaiting callers never block on the model.
/// Dispose is deferred until running generations end, so a catalog may evict a model in use.
/// </summary>
public sealed class ChatModel : IDisposable
{
    readonly MiniMindModel model;
    readonly ChatPromptBuilder promptBuilder;
    readonly SemaphoreSlim gate = new(1, 1);
    readonly object sync = new();
    int active;
    long generatedTokens;
    bool disposeRequested, freed;

    /// <summary>Wraps a model and tokenizer already in memory; the chat model owns (and disposes) the model.</summary>
    public ChatModel(string name, MiniMindModel model, ByteLevelBpeTokenizer tokenizer)
    {
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabSize} tokens but the model only {model.Config.VocabSize}: they were not trained together.");
        Name = name;
        this.model = model;
        Tokenizer = tokenizer;
        promptBuilder = new ChatPromptBuilder(tokenizer);
        model.eval();
    }

    public string Name { get; }
    public MiniMindConfig Config => model.Config;
    public ByteLevelBpeTokenizer Tokenizer { get; }
    /// <summary>Tokens the model sees at once: prompt and answer together.</summary>
    public int ContextLength => model.Config.MaxSeqLen;
    /// <summary>The dtype the weights are served in (bf16 on CUDA unless chosen otherwise).</summary>
    public ScalarType WeightType => model.parameters().First().dtype;
    /// <summary>Requests streaming or waiting their turn now (a page can show the model as busy).</summary>
    public int ActiveRequests => Volatile.Read(ref active);
    /// <summary>Tokens generated over this model's life, all rows counted (a cancelled request stops adding to it).</summary>
    public long GeneratedTokens => Interlocked.Read(ref generatedTokens);
    public string? WeightsPath { get; private init; }
    public string? AdapterPath { get; private init; }
    public string? TokenizerPath { get; private init; }

    /// <summary>
    /// Loads a studio checkpoint (weights + sidecar), merges an optional LoRA adapter into it, and loads
    /// the tokenizer the sidecar names (the adapter's sidecar first, then the base's) unless overridden.
    /// </summary>
    public static ChatModel Load(string weightsPath, string? adapterPath = null, ChatModelOptions? options = null)
    {
        options ??= new ChatModelOptions();
        var info = ModelCheckpoint.ReadInfo(weightsPath);
        if (info is not null && info.Lora is not null)
            throw new ArgumentException($"{weightsPath} is a LoRA adapter, not a model: load its base ({info.BaseCheckpoint ?? "named in no sidecar"}) with this as the adapter.");
        var tokenizerPath = options.TokenizerPath
                            ?? (adapterPath is null ? null : ModelCheckpoint.TokenizerPathOf(adapterPath, options.Root))
                            ?? ModelCheckpoint.TokenizerPathOf(weightsPath, options.Root)
                            ?? throw new ArgumentException($"{weightsPath}: the sidecar names no tokenizer; give one (a tokenizer folder).");
        var tokenizer = ByteLevelBpeTokenizer.Load(tokenizerPath);
        var net = ModelCheckpoint.Load(weightsPath); // on the CPU: adapters are attached and merged there
        try
        {
            if (adapterPath is not null)
            {
                AdapterCheckpoint.Load(net, adapterPath);
                LoRAAdapters.Merge(net); // merged: inference costs what the base model costs
            }
            var device = options.Device ?? CPU;
            if (device.type != DeviceType.CPU) net.to(device);
            var dtype = options.ComputeType ?? (device.type == DeviceType.CUDA ? ScalarType.BFloat16 : ScalarType.Float32);
            if (dtype != ScalarType.Float32) net.ConvertWeightsForInference(dtype);
            var name = options.Name ?? Path.GetFileNameWithoutExtension(adapterPath ?? weightsPath);
            return new ChatModel(name, net, tokenizer)
            {
                WeightsPath = Path.GetFullPath(weightsPath),
                AdapterPath = adapterPath is null ? null : Path.GetFullPath(adapterPath),
                TokenizerPath = Path.GetFullPath(tokenizerPath),
            };
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks the options and renders the conversation, dropping its oldest turns when it does not fit
    /// beside the answer's budget (max_tokens, or a quarter of the context). Throws <see cref="ChatRequestException"/>.
    /// </summary>
    public ChatPrompt BuildPrompt(IReadOnlyList<ChatMessage> messages, ChatOptions options)
    {
        options.Validate(ContextLength);
        int reserve = options.MaxTokens ?? ContextLength / 4;
        if (!promptBuilder.TemplateTakesTools && (options.Tools is not null || messages.Any(m => m.Role == "tool" || m.ToolCalls is not null)))
            throw new ChatRequestException(options.Tools is not null ? "tools" : "messages",
                "This model's chat template does not render tools, tool calls or tool results (MiniMind2's does not); they need a template that does, such as minimind-3's.");
        return promptBuilder.Build(messages, ContextLength - reserve, options.EnableThinking, options.Tools);
    }

    /// <summary>Streams the answer(s) to a conversation. See <see cref="ChatDelta"/> for what comes when.</summary>
    public async IAsyncEnumerable<ChatDelta> StreamAsync(IReadOnlyList<ChatMessage> messages, ChatOptions options,
        [EnumeratorCancellation] CancellationToken cancel = default)
    {
        var prompt = BuildPrompt(messages, options);
        await foreach (var delta in StreamAsync(prompt, options, cancel)) yield return delta;
    }

    /// <summary>
    /// Streams the answer(s) to a prompt from <see cref="BuildPrompt"/>. Waits its turn behind earlier
    /// requests; cancelling (or abandoning the enumeration) stops generation within one token.
    /// </summary>
    public async IAsyncEnumerable<ChatDelta> StreamAsync(ChatPrompt prompt, ChatOptions options,
        [EnumeratorCancellation] CancellationToken cancel = default)
    {
        options.Validate(ContextLength);
        BeginUse();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        Task? producer = null;
        try
        {
            await gate.WaitAsync(stop.Token);
            // bounded: generation runs at most a few deltas ahead of the reader, so a reader that slows down or
            // goes away (a client that hung up) holds the generator back instead of letting it finish unseen
            var channel = Channel.CreateBounded<ChatDelta>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
            producer = Task.Factory.StartNew(() =>
            {
                try
                {
                    Generate(prompt, options, channel.Writer, stop.Token);
                    channel.Writer.Complete();
                }
                catch (Exception e)
                {
                    channel.Writer.Complete(e);
                }
                finally
                {
                    gate.Release();
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await foreach (var delta in channel.Reader.ReadAllAsync(stop.Token))
            {
                stop.Token.ThrowIfCancellationRequested(); // deltas already queued are not delivered after a cancel
                yield return delta;
            }
        }
        finally
        {
            stop.Cancel(); // a consumer that stops reading stops the generation too
            if (producer is not null) await producer;
            EndUse();
        }
    }

    /// <summary>Generates the whole answer(s) and returns them collected.</summary>
    public Task<ChatCompletion> CompleteAsync(IReadOnlyList<ChatMessage> messages, ChatOptions options, CancellationToken cancel = default) =>
        CompleteAsync(BuildPrompt(messages, options), options, cancel);

    /// <summary>Generates the whole answer(s) to a prompt from <see cref="BuildPrompt"/> and returns them collected.</summary>
    public async Task<ChatCompletion> CompleteAsync(ChatPrompt prompt, ChatOptions options, CancellationToken cancel = default)
    {
        var content = Enumerable.Range(0, options.N).Select(_ => new System.Text.StringBuilder()).ToArray();
        var reasoning = Enumerable.Range(0, options.N).Select(_ => new System.Text.StringBuilder()).ToArray();
        var finish = new ChatFinishReason[options.N];
        ChatUsage? usage = null;
        await foreach (var delta in StreamAsync(prompt, options, cancel))
        {
            content[delta.Choice].Append(delta.Content);
            reasoning[delta.Choice].Append(delta.Reasoning);
            if (delta.FinishReason is { } reason) finish[delta.Choice] = reason;
            usage = delta.Usage ?? usage;
        }
        var choices = Enumerable.Range(0, options.N)
            .Select(i => new ChatChoice(i, content[i].ToString(), reasoning[i].Length > 0 ? reasoning[i].ToString() : null, finish[i]))
            .ToList();
        return new ChatCompletion(choices, usage ?? new ChatUsage(prompt.Ids.Count, 0));
    }

    /// <summary>The decoding loop, on the generation thread: n copies of the prompt in one batch.</summary>
    /// <summary>Hands a delta to the reader, waiting while the bounded channel is full (on the generator's own thread).</summary>
    static void Put(ChannelWriter<ChatDelta> writer, ChatDelta delta, CancellationToken cancel)
    {
        while (!writer.TryWrite(delta))
            if (!writer.WaitToWriteAsync(cancel).AsTask().GetAwaiter().GetResult()) return;
    }

    void Generate(ChatPrompt prompt, ChatOptions options, ChannelWriter<ChatDelta> writer, CancellationToken cancel)
    {
        int n = options.N;
        CpuThreads.Apply(CpuWork.Decoding, model.Device, rows: n); // on the generating thread, for its n rows
        int maxNew = Math.Min(options.MaxTokens ?? int.MaxValue, ContextLength - prompt.Ids.Count);
        long? eos = Tokenizer.EosId;
        var choices = Enumerable.Range(0, n).Select(_ => new ChoiceStream(Tokenizer, options.Stop, prompt.StartsInReasoning)).ToArray();
        int open = n;
        ChatUsage Usage() => new(prompt.Ids.Count, choices.Sum(c => c.Tokens));

        using var session = new DecodingSession(model, Enumerable.Repeat(prompt.Ids, n).ToArray(), maxNew, options);
        while (session.TryStep(cancel, out var ids))
        {
            Interlocked.Add(ref generatedTokens, n);
            for (int r = 0; r < n; r++)
            {
                if (session.IsFinished(r)) continue;
                var (content, reasoning, done) = choices[r].Feed(ids[r], eos);
                if (done)
                {
                    session.Finish(r);
                    open--;
                    Put(writer, new ChatDelta(r, content, reasoning, ChatFinishReason.Stop, open == 0 ? Usage() : null), cancel);
                }
                else if (content.Length > 0 || reasoning.Length > 0)
                {
                    Put(writer, new ChatDelta(r, content, reasoning), cancel);
                }
            }
        }
        // the budget (max_tokens or the context) ran out before these choices ended
        for (int r = 0; r < n; r++)
        {
            if (session.IsFinished(r)) continue;
            var (content, reasoning) = choices[r].Finish();
            open--;
            Put(writer, new ChatDelta(r, content, reasoning, ChatFinishReason.Length, open == 0 ? Usage() : null), cancel);
        }
    }

    void BeginUse()
    {
        lock (sync)
        {
            ObjectDisposedException.ThrowIf(disposeRequested, this);
            active++;
        }
    }

    void EndUse()
    {
        bool free;
        lock (sync)
        {
            active--;
            free = disposeRequested && active == 0 && !freed;
            freed |= free;
        }
        if (free) Free();
    }

    /// <summary>Frees the model now, or when its running generations end.</summary>
    public void Dispose()
    {
        bool free;
        lock (sync)
        {
            disposeRequested = true;
            free = active == 0 && !freed;
            freed |= free;
        }
        if (free) Free();
    }

    void Free()
    {
        model.Dispose();
        gate.Dispose();
    }
}
