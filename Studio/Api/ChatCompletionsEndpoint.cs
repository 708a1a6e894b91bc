using System.Buffers;
using System.Text.Json;
using MiniMind.Engine.Chat;

namespace MiniMind.Studio.Api;

/// <summary>
/// <c>POST /v1/chat/completions</c>. Everything a request can get wrong is checked before the first
/// byte of the answer (so errors are 400/404 with an OpenAI error body, never a broken stream); the
/// client's disconnect cancels its generation.
/// </summary>
public static class ChatCompletionsEndpoint
{
    static readonly byte[] DataPrefix = "data: "u8.ToArray(), EventEnd = "\n\n"u8.ToArray(), Done = "data: [DONE]\n\n"u8.ToArray();

    public static async Task Handle(HttpContext http, ModelCatalog catalog)
    {
        var cancel = http.RequestAborted;
        // a cross-site form can post text/plain without asking first (no CORS preflight); it cannot post JSON
        if (!http.Request.HasJsonContentType())
            throw new ApiException(415, $"The request body must be JSON (Content-Type: application/json); got {(string.IsNullOrEmpty(http.Request.ContentType) ? "none" : http.Request.ContentType)}.", code: "unsupported_media_type");
        var request = await ChatCompletionRequest.ReadAsync(http.Request, cancel);
        var entry = catalog.Find(request.Model)
                    ?? throw new ApiException(404, $"The model '{request.Model}' does not exist. GET /v1/models lists the models this server has.", "model", "model_not_found");
        // a ChatRequestException from either becomes a 400 in the middleware (OpenAiApiMiddleware.Translate)
        request.Options.Validate(entry.Info.Config.MaxSeqLen); // before loading anything
        var model = await catalog.GetAsync(entry.Id, cancel);
        var prompt = model.BuildPrompt(request.Messages, request.Options);

        var id = $"chatcmpl-{Guid.NewGuid():N}";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (!request.Stream)
        {
            var completion = await model.CompleteAsync(prompt, request.Options, cancel);
            var tools = request.ToolNames.Count == 0 ? null : completion.Choices.Select(c => ToolCallParser.Parse(c.Content, request.ToolNames)).ToList();
            http.Response.ContentType = "application/json";
            await http.Response.Body.WriteAsync(ChatCompletionJson.Completion(id, created, entry.Id, completion, tools), cancel);
            return;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no"; // proxies must not hold the stream back
        var buffer = new ArrayBufferWriter<byte>(1024);
        using var json = new Utf8JsonWriter(buffer, ChatCompletionJson.Options);
        async Task Send(Action<Utf8JsonWriter> write)
        {
            buffer.ResetWrittenCount();
            json.Reset(buffer);
            write(json);
            json.Flush();
            await http.Response.Body.WriteAsync(DataPrefix, cancel);
            await http.Response.Body.WriteAsync(buffer.WrittenMemory, cancel);
            await http.Response.Body.WriteAsync(EventEnd, cancel);
            await http.Response.Body.FlushAsync(cancel);
        }

        // the opening chunk of every choice names the role, as OpenAI's does
        for (int i = 0; i < request.Options.N; i++)
        {
            int index = i;
            await Send(j => ChatCompletionJson.Chunk(j, id, created, entry.Id, index, role: true, "", null, null));
        }
        ChatUsage? usage = null;
        // with tools offered, text from a <tool_call> on is held until the choice ends, then sent as calls (or as marked text)
        var calls = request.ToolNames.Count == 0 ? null : Enumerable.Range(0, request.Options.N).Select(_ => new ToolCallStream(request.ToolNames)).ToArray();
        await foreach (var delta in model.StreamAsync(prompt, request.Options, cancel))
        {
            var content = calls is null ? delta.Content : calls[delta.Choice].Feed(delta.Content);
            if (content.Length > 0 || delta.Reasoning.Length > 0)
                await Send(j => ChatCompletionJson.Chunk(j, id, created, entry.Id, delta.Choice, role: false, content, delta.Reasoning, null));
            if (delta.FinishReason is { } finish)
            {
                var parsed = calls?[delta.Choice].Finish();
                if (parsed is { Text.Length: > 0 })
                    await Send(j => ChatCompletionJson.Chunk(j, id, created, entry.Id, delta.Choice, role: false, parsed.Text, null, null));
                if (parsed is { Calls.Count: > 0 })
                {
                    await Send(j => ChatCompletionJson.ToolCallsChunk(j, id, created, entry.Id, delta.Choice, parsed.Calls));
                    if (finish == ChatFinishReason.Stop)
                        await Send(j => ChatCompletionJson.ToolCallsFinishChunk(j, id, created, entry.Id, delta.Choice));
                    else
                        await Send(j => ChatCompletionJson.Chunk(j, id, created, entry.Id, delta.Choice, role: false, null, null, finish));
                }
                else await Send(j => ChatCompletionJson.Chunk(j, id, created, entry.Id, delta.Choice, role: false, null, null, finish));
            }
            usage = delta.Usage ?? usage;
        }
        if (request.IncludeUsage && usage is not null)
            await Send(j => ChatCompletionJson.UsageChunk(j, id, created, entry.Id, usage));
        await http.Response.Body.WriteAsync(Done, cancel);
        await http.Response.Body.FlushAsync(cancel);
    }
}
