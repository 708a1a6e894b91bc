using System.Diagnostics;
using System.Text;
using MiniMind.Engine.Chat;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Components.Shared;

/// <summary>An answer being streamed: text and reasoning so far, finish reason, speed; <see cref="RunAsync"/> reads the page's chat stream into it.</summary>
public sealed class StreamedAnswer
{
    readonly StringBuilder text = new();
    readonly StringBuilder reasoning = new();

    public string Text => text.ToString();
    public string Reasoning => reasoning.ToString();
    public string? Finish { get; private set; }
    public string? Error { get; private set; }
    public int CompletionTokens { get; private set; }
    public double Seconds { get; private set; }
    public bool Streaming => Finish is null && Error is null;
    /// <summary>The checkpoint (or adapter) path that wrote this answer, where the page can change models between answers.</summary>
    public string? Model { get; init; }

    /// <summary>An answer as a saved conversation holds it (finished).</summary>
    public static StreamedAnswer Restore(SavedAnswer saved)
    {
        var answer = new StreamedAnswer
        {
            Finish = saved.Finish ?? (saved.Error is null ? "stop" : null), Error = saved.Error, CompletionTokens = saved.CompletionTokens, Seconds = saved.Seconds,
            Model = saved.Model,
        };
        answer.text.Append(saved.Text);
        answer.reasoning.Append(saved.Reasoning);
        return answer;
    }

    /// <summary>Ends an answer that was never streamed (a round stopped before the model was asked again).</summary>
    public void End(string finish) => Finish ??= finish;

    /// <summary>What a saved conversation keeps of this answer.</summary>
    public SavedAnswer Save() => new(Text, Reasoning, Finish, Error, CompletionTokens, Seconds, Model);

    public string Footer => Error is not null ? Error
        : Finish is null ? "streaming…"
        : $"{Finish} · {CompletionTokens} tokens in {Seconds:F1} s ({(Seconds > 0 ? CompletionTokens / Seconds : 0):F1} tokens/s)";

    /// <summary>Reads the stream, calling <paramref name="changed"/> at most every 50 ms and at the end; errors end up in <see cref="Error"/>.</summary>
    public async Task RunAsync(EngineChatBackend backend, ChatRequest request, Func<Task> changed, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var lastUpdate = TimeSpan.Zero;
        try
        {
            await foreach (var delta in backend.StreamAsync(request, cancellationToken))
            {
                text.Append(delta.Content);
                reasoning.Append(delta.Reasoning);
                if (delta.FinishReason is { } finish)
                {
                    CompletionTokens = delta.Usage?.CompletionTokens ?? 0;
                    Finish = finish.ToString().ToLowerInvariant();
                }
                if (clock.Elapsed - lastUpdate > TimeSpan.FromMilliseconds(50))
                {
                    lastUpdate = clock.Elapsed;
                    await changed();
                }
            }
            Finish ??= cancellationToken.IsCancellationRequested ? "cancelled" : "stop";
        }
        catch (OperationCanceledException)
        {
            Finish = "cancelled";
        }
        catch (Exception e)
        {
            Error = e.Message;
        }
        Seconds = clock.Elapsed.TotalSeconds;
        await changed();
    }
}
