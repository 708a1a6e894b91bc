using MiniMind.Engine.Chat;
using MiniMind.Engine.Chat.Tools;
using MiniMind.Engine.Data;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Components.Shared;

/// <summary>One call of a round: its result once run (a built-in tool) or typed (a declared one).</summary>
public sealed class ToolStep(ToolCall call, bool declared)
{
    readonly TaskCompletionSource<string> typed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ToolCall Call { get; } = call;
    public bool Declared { get; } = declared;
    public string? Result { get; private set; }
    public bool Failed { get; private set; }
    public bool Pending => Result is null;

    public void Complete(string result, bool failed = false)
    {
        (Result, Failed) = (result, failed);
        typed.TrySetResult(result);
    }

    /// <summary>The person's result of a declared call; cancelled with the answer.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => typed.Task.WaitAsync(cancellationToken);

    public static ToolStep Restore(SavedToolStep saved)
    {
        var step = new ToolStep(new ToolCall(saved.Id, saved.Name, saved.Arguments), declared: false);
        if (saved.Result is not null) step.Complete(saved.Result, saved.Failed);
        return step;
    }

    public SavedToolStep Save() => new(Call.Id, Call.Name, Call.Arguments, Result, Failed);
}

/// <summary>An answer that called tools: what it wrote besides the calls, and the calls.</summary>
public sealed record ToolRound(StreamedAnswer Answer, string Text, IReadOnlyList<ToolStep> Steps);

/// <summary>
/// One answer to a message when tools are offered: the model answers; when it calls tools, each call is run (built-in) or
/// waits for the person's result (declared), the results go back to it, and it answers again, up to
/// <see cref="ToolSet.MaxRounds"/> rounds. Shared by Chat and every pane of Compare.
/// </summary>
public sealed class ToolTurn
{
    readonly List<ToolRound> rounds = [];

    public ToolTurn(StreamedAnswer first) => Answer = first;

    /// <summary>The answers that called tools, in order.</summary>
    public IReadOnlyList<ToolRound> Rounds => rounds;

    /// <summary>The answer being written, or the last one (the turn's answer once done).</summary>
    public StreamedAnswer Answer { get; private set; }

    /// <summary>Why the loop ended early (the round limit), or null.</summary>
    public string? Note { get; private set; }

    public bool Busy => Answer.Streaming || Waiting;

    /// <summary>Whether a declared call waits for the person's result.</summary>
    public bool Waiting => rounds.Count > 0 && rounds[^1].Steps.Any(s => s.Pending);

    /// <summary>The turn as the next request's history: each round's text and calls, its results, then the answer.</summary>
    public IEnumerable<ChatMessage> History()
    {
        foreach (var round in rounds)
        {
            yield return new ChatMessage("assistant", round.Text, ToolCalls: ToolCall.ToJson(round.Steps.Select(s => s.Call)));
            foreach (var step in round.Steps) yield return new ChatMessage("tool", step.Result ?? "{\"error\": \"no result was given\"}");
        }
        if (Answer.Error is null && !Answer.Streaming) yield return new ChatMessage("assistant", Answer.Text);
    }

    /// <summary>
    /// Answers <paramref name="request"/> (its messages end with the user's) with <paramref name="tools"/>, calling
    /// <paramref name="changed"/> as it goes.
    /// </summary>
    public async Task RunAsync(EngineChatBackend backend, ChatRequest request, ToolSet tools, Func<Task> changed, CancellationToken cancellationToken)
    {
        var messages = request.Messages.ToList();
        var settings = request.Settings with { Tools = tools.Json };
        var builtIn = tools.BuiltIn;
        var names = tools.Names;
        for (var round = 0; ; round++)
        {
            if (round > 0) Answer = new StreamedAnswer { Model = Answer.Model };
            await Answer.RunAsync(backend, request with { Messages = messages, Settings = settings }, changed, cancellationToken);
            if (!tools.Any || Answer.Error is not null || Answer.Finish != "stop") return;
            var parsed = ToolCallParser.Parse(Answer.Text, names);
            if (parsed.Calls.Count == 0) return;
            var steps = parsed.Calls.Select(c => new ToolStep(c, declared: builtIn.All(t => t.Name != c.Name))).ToList();
            if (round >= tools.MaxRounds)
            {
                foreach (var step in steps) step.Complete("{\"error\": \"not run: the round limit was reached\"}", failed: true);
                rounds.Add(new ToolRound(Answer, parsed.Text, steps));
                Note = $"Stopped after {tools.MaxRounds} rounds of tool calls: the model kept calling tools, so its last calls were not run.";
                Answer = new StreamedAnswer { Model = Answer.Model };
                Answer.End("stop");
                await changed();
                return;
            }
            rounds.Add(new ToolRound(Answer, parsed.Text, steps));
            var waiting = new StreamedAnswer { Model = Answer.Model };
            Answer = waiting; // not streaming, not finished: the round's calls run
            await changed();
            try
            {
                foreach (var step in steps.Where(s => !s.Declared))
                {
                    var result = await ToolRunner.RunAsync(builtIn, step.Call, cancellationToken);
                    step.Complete(result.Content, result.Failed);
                    await changed();
                }
                foreach (var step in steps.Where(s => s.Declared)) await step.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // stopped (the Stop button, a new chat, leaving the page): the calls left get no result, and the turn ends
                foreach (var step in steps.Where(s => s.Pending)) step.Complete("{\"error\": \"not run: the answer was stopped\"}", failed: true);
                waiting.End("cancelled");
                await changed();
                return;
            }
            messages.Add(new ChatMessage("assistant", parsed.Text, ToolCalls: ToolCall.ToJson(parsed.Calls)));
            foreach (var step in steps) messages.Add(new ChatMessage("tool", step.Result!));
        }
    }

    public SavedTurn Save(string prompt) => new(prompt, Answer.Save())
    {
        Rounds = rounds.Count == 0 ? null : rounds.Select(r => new SavedToolRound(r.Answer.Save(), r.Text, r.Steps.Select(s => s.Save()).ToList())).ToList(),
    };

    public static ToolTurn Restore(SavedTurn saved)
    {
        var turn = new ToolTurn(StreamedAnswer.Restore(saved.Answer));
        foreach (var r in saved.Rounds ?? []) turn.rounds.Add(new ToolRound(StreamedAnswer.Restore(r.Answer), r.Text, r.Steps.Select(ToolStep.Restore).ToList()));
        return turn;
    }
}
