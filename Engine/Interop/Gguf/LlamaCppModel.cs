using LLama;
using LLama.Common;
using LLama.Native;

namespace MiniMind.Engine.Interop.Gguf;

/// <summary>
/// A GGUF file loaded by llama.cpp itself, in-process (LLamaSharp and its CPU backend): the independent runtime the
/// export is checked against. Tokenizes as llama.cpp does and decodes greedily from its own logits.
/// </summary>
public sealed class LlamaCppModel : IDisposable
{
    static readonly Lock NativeSetup = new();
    static bool nativeReady;
    static readonly Queue<string> RecentErrors = new(); // llama.cpp's last warnings and errors, for a failed load's message

    readonly LLamaWeights weights;
    readonly LLamaContext context;

    LlamaCppModel(LLamaWeights weights, LLamaContext context)
    {
        this.weights = weights;
        this.context = context;
    }

    /// <summary>Vocabulary rows llama.cpp read from the file.</summary>
    public int VocabSize => context.Vocab.Count;

    /// <summary>The GGUF metadata as llama.cpp read it (values as text).</summary>
    public IReadOnlyDictionary<string, string> Metadata => weights.Metadata;

    /// <param name="path">The .gguf file.</param>
    /// <param name="threads">CPU threads for decoding and prefill.</param>
    /// <param name="contextSize">Positions the context holds (the KV cache).</param>
    /// <param name="exact">Keep the KV cache in float32 and attention unfused, so a float32 file computes what the
    /// studio computes; false: llama.cpp's defaults (an fp16 KV cache), what a user of llama.cpp or Ollama gets.</param>
    public static LlamaCppModel Load(string path, int threads = 1, int contextSize = 1024, bool exact = true)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"GGUF file not found: {path}", path);
        PrepareNative();
        lock (RecentErrors) RecentErrors.Clear();
        var parameters = new ModelParams(path)
        {
            GpuLayerCount = 0,
            Threads = threads,
            BatchThreads = threads,
            ContextSize = (uint)contextSize,
            BatchSize = (uint)contextSize,
            UBatchSize = (uint)contextSize,
        };
        if (exact)
        {
            parameters.TypeK = GGMLType.GGML_TYPE_F32;
            parameters.TypeV = GGMLType.GGML_TYPE_F32;
            parameters.FlashAttention = false;
        }
        LLamaWeights? weights = null;
        try
        {
            weights = LLamaWeights.LoadFromFile(parameters);
            return new LlamaCppModel(weights, weights.CreateContext(parameters));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            weights?.Dispose();
            string log;
            lock (RecentErrors) log = string.Join(" ", RecentErrors);
            throw new InvalidDataException($"llama.cpp could not load {path}: {e.Message}{(log.Length > 0 ? $" (llama.cpp: {log})" : "")}", e);
        }
    }

    /// <summary>llama.cpp's token ids for a text; special tokens written in the text are parsed as such, no BOS is added.</summary>
    public int[] Tokenize(string text) => [.. context.Tokenize(text, addBos: false, special: true).Select(t => (int)t)];

    /// <summary>The logits of the next token after a whole sequence (a fresh KV cache).</summary>
    public float[] NextLogits(IReadOnlyList<int> ids)
    {
        context.NativeHandle.MemoryClear(true);
        Feed(ids, 0);
        return context.NativeHandle.GetLogitsIth(-1).ToArray();
    }

    /// <summary>The logits at every position of a sequence (a fresh KV cache): row i predicts the token after ids[i].</summary>
    public float[][] AllLogits(IReadOnlyList<int> ids)
    {
        context.NativeHandle.MemoryClear(true);
        Feed(ids, 0, allLogits: true);
        return [.. Enumerable.Range(0, ids.Count).Select(i => context.NativeHandle.GetLogitsIth(i).ToArray())];
    }

    /// <summary>Greedy decoding of up to maxNew tokens after the prompt, stopping after a stop token (included).</summary>
    /// <param name="onToken">Called with each new token as it is chosen (a bench times the first).</param>
    public List<int> Greedy(IReadOnlyList<int> prompt, int maxNew, IReadOnlySet<int>? stop = null, Action<int>? onToken = null)
    {
        context.NativeHandle.MemoryClear(true);
        var output = new List<int>();
        Feed(prompt, 0);
        int position = prompt.Count;
        for (int i = 0; i < maxNew; i++)
        {
            int next = ArgMax(context.NativeHandle.GetLogitsIth(-1));
            output.Add(next);
            onToken?.Invoke(next);
            if (stop?.Contains(next) == true) break;
            Feed([next], position++);
        }
        return output;
    }

    void Feed(IReadOnlyList<int> ids, int start, bool allLogits = false)
    {
        if (ids.Count == 0) throw new ArgumentException("Nothing to decode: the sequence is empty.");
        if (start + ids.Count > context.ContextSize)
            throw new ArgumentException($"{start + ids.Count} positions exceed the llama.cpp context of {context.ContextSize}.");
        var batch = new LLamaBatch();
        for (int i = 0; i < ids.Count; i++) batch.Add(ids[i], start + i, LLamaSeqId.Zero, allLogits || i == ids.Count - 1);
        var result = context.NativeHandle.Decode(batch);
        if (result != DecodeResult.Ok) throw new InvalidOperationException($"llama.cpp could not decode: {result}.");
    }

    /// <summary>The first maximum (the studio's greedy choice breaks ties the same way).</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    public void Dispose()
    {
        context.Dispose();
        weights.Dispose();
    }

    /// <summary>
    /// Silences llama.cpp's loader chatter (it writes every key to stderr) before the library first loads, keeping its
    /// last warnings and errors for the message of a failed load.
    /// </summary>
    static void PrepareNative()
    {
        lock (NativeSetup)
        {
            if (nativeReady) return;
            if (!NativeLibraryConfig.LLama.LibraryHasLoaded)
                NativeLibraryConfig.All.WithLogCallback((level, message) =>
                {
                    if (level is not (LLamaLogLevel.Warning or LLamaLogLevel.Error) || string.IsNullOrWhiteSpace(message)) return;
                    lock (RecentErrors)
                    {
                        RecentErrors.Enqueue(message.Trim());
                        while (RecentErrors.Count > 4) RecentErrors.Dequeue();
                    }
                });
            nativeReady = true;
        }
    }
}
