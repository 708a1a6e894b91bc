using System.Text.Json;

namespace MiniMind.Engine.Chat.Tools;

/// <summary>What running one call gave: the text the model reads next, and whether the tool failed (then the text says why).</summary>
public sealed record ToolResult(string Content, bool Failed);

/// <summary>
/// Runs a model's call of an offered tool within bounds: a time limit per call (a tool that hangs is abandoned and the
/// model told so), a size limit on the result (a longer one is cut, saying how much), and every failure as a result the
/// model can read, never an exception for the page.
/// </summary>
public static class ToolRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    public const int DefaultMaxResultChars = 4000;

    public static async Task<ToolResult> RunAsync(IReadOnlyCollection<IChatTool> tools, ToolCall call, CancellationToken cancellationToken,
        TimeSpan? timeout = null, int maxResultChars = DefaultMaxResultChars)
    {
        var tool = tools.FirstOrDefault(t => t.Name == call.Name);
        if (tool is null) return new ToolResult($"{{\"error\": \"no tool named {call.Name} is offered\"}}", true);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var bound = timeout ?? DefaultTimeout;
        limit.CancelAfter(bound);
        try
        {
            using var arguments = JsonDocument.Parse(call.Arguments);
            var root = arguments.RootElement.Clone();
            // the tool runs off the caller's thread, so one that blocks without looking at the token is still abandoned in time
            var content = await Task.Run(() => tool.InvokeAsync(root, limit.Token), limit.Token).WaitAsync(bound, cancellationToken);
            if (content.Length > maxResultChars)
                content = content[..maxResultChars] + $" [... {content.Length - maxResultChars} more characters cut]";
            return new ToolResult(content, false);
        }
        catch (ToolException e)
        {
            return new ToolResult(Error(e.Message), true);
        }
        catch (Exception e) when (e is TimeoutException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ToolResult(Error($"{call.Name} gave no result within {bound.TotalSeconds:0.#} s"), true);
        }
        catch (JsonException)
        {
            return new ToolResult(Error("the arguments are not valid JSON"), true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new ToolResult(Error($"{call.Name} failed: {e.Message}"), true);
        }
    }

    static string Error(string message) => JsonSerializer.Serialize(new Dictionary<string, string> { ["error"] = message },
        new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
