using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using System.Text.Json;
using MiniMind.Studio.Tests.Services;
using OpenAI;
using OpenAI.Chat;

namespace MiniMind.Studio.Tests.Api;

/// <summary>
/// A server with one minimind-3-shaped model trained (in seconds, by the studio's SFT on one tool-use conversation) to
/// call <c>get_weather</c> for Shanghai and then answer from the tool's result: what a real round trip needs.
/// </summary>
public sealed class ToolCallServer : IDisposable
{
    public const string Model = "weather";
    public const string System = "你是助手。", Question = "上海天气？", Result = "{\"temp\": 18}", Answer = "上海18度。";

    /// <summary>The tool as the official client sends it: the model is trained on exactly this JSON.</summary>
    public static readonly ChatTool Weather = ChatTool.CreateFunctionTool("get_weather", "Weather of a city",
        BinaryData.FromString("""{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}"""));

    public ApiServer Server { get; } = new();

    public ToolCallServer()
    {
        var tool = ModelReaderWriter.Write(Weather).ToString();
        ToolModel.Train(Server.OutDir, Model, new ToolModel.Conversation(System, $"[{tool}]", Question, "get_weather", """{"city": "上海"}""", Result, Answer));
    }

    public void Dispose() => Server.Dispose();
}

/// <summary>
/// Tool calls through the OpenAI-compatible API with the official .NET client: tools offered, the model's
/// <c>&lt;tool_call&gt;</c> returned as <c>tool_calls</c> with <c>finish_reason: "tool_calls"</c>, the tool's result sent
/// back as a <c>tool</c> message, the final answer; streamed and not. Bad tools are 400s naming the field.
/// </summary>
public sealed class ToolCallsApiTests(ToolCallServer fixture) : IClassFixture<ToolCallServer>
{
    ChatClient Client() => new(ToolCallServer.Model, new ApiKeyCredential(ApiServer.Key), new OpenAIClientOptions { Endpoint = fixture.Server.V1 });

    static ChatCompletionOptions Options() => new() { Temperature = 0, MaxOutputTokenCount = 60, Tools = { ToolCallServer.Weather } };

    [Fact]
    public async Task ARoundTrip_CallsTheTool_TakesItsResult_AndAnswers()
    {
        List<OpenAI.Chat.ChatMessage> messages = [new SystemChatMessage(ToolCallServer.System), new UserChatMessage(ToolCallServer.Question)];

        var first = (await Client().CompleteChatAsync(messages, Options())).Value;

        Assert.Equal(OpenAI.Chat.ChatFinishReason.ToolCalls, first.FinishReason);
        var call = Assert.Single(first.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.StartsWith("call_", call.Id);
        Assert.Equal("上海", JsonDocument.Parse(call.FunctionArguments.ToString()).RootElement.GetProperty("city").GetString());

        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, ToolCallServer.Result));
        var second = (await Client().CompleteChatAsync(messages, Options())).Value;

        Assert.Equal(OpenAI.Chat.ChatFinishReason.Stop, second.FinishReason);
        Assert.Empty(second.ToolCalls);
        Assert.Equal(ToolCallServer.Answer, second.Content.Single().Text);
    }

    [Fact]
    public async Task Streamed_TheCallComesAsToolCallDeltas_WithTheToolCallsFinish()
    {
        List<OpenAI.Chat.ChatMessage> messages = [new SystemChatMessage(ToolCallServer.System), new UserChatMessage(ToolCallServer.Question)];
        var names = new StringBuilder();
        var arguments = new StringBuilder();
        var text = new StringBuilder();
        string? id = null;
        OpenAI.Chat.ChatFinishReason? finish = null;

        await foreach (var update in Client().CompleteChatStreamingAsync(messages, Options()))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            foreach (var tool in update.ToolCallUpdates)
            {
                id ??= tool.ToolCallId;
                names.Append(tool.FunctionName);
                arguments.Append(tool.FunctionArgumentsUpdate?.ToString());
            }
            finish = update.FinishReason ?? finish;
        }

        Assert.Equal(OpenAI.Chat.ChatFinishReason.ToolCalls, finish);
        Assert.Equal("get_weather", names.ToString());
        Assert.StartsWith("call_", id);
        Assert.Equal("上海", JsonDocument.Parse(arguments.ToString()).RootElement.GetProperty("city").GetString());
        Assert.DoesNotContain("<tool_call>", text.ToString());
    }

    /// <summary>
    /// Offered another tool, the model trained to call get_weather still starts that call (and, off its training, does not
    /// finish it well): not a valid call of an offered tool, so it comes back as text behind a marker saying why, never a 500.
    /// </summary>
    [Fact]
    public async Task ACallOfAToolNotOffered_ComesBackAsMarkedText()
    {
        using var http = fixture.Server.Http();
        var body = """{"model": "MODEL", "temperature": 0, "max_tokens": 60, "messages": [{"role": "system", "content": "SYSTEM"}, {"role": "user", "content": "QUESTION"}], "tools": [{"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}]}"""
            .Replace("MODEL", ToolCallServer.Model).Replace("SYSTEM", ToolCallServer.System).Replace("QUESTION", ToolCallServer.Question);

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var choice = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("choices")[0];
        var content = choice.GetProperty("message").GetProperty("content").GetString()!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(choice.GetProperty("message").TryGetProperty("tool_calls", out _));
        Assert.NotEqual("tool_calls", choice.GetProperty("finish_reason").GetString());
        Assert.True(content.Contains("[tool call not run: ", StringComparison.Ordinal) && content.Contains("<tool_call>", StringComparison.Ordinal), content);
    }

    [Theory]
    [InlineData("""[{"type": "function", "function": {"name": "bad name!"}}]""", "tools[0].function.name")]
    [InlineData("""[{"type": "function", "function": {"name": "f", "parameters": {"type": "string"}}}]""", "tools[0].function.parameters.type")]
    [InlineData("""[{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}, "required": ["x"]}}}]""", "tools[0].function.parameters.required")]
    [InlineData("""[{"type": "function"}]""", "tools[0].function")]
    [InlineData("""[{"type": "retrieval", "function": {"name": "f"}}]""", "tools[0].type")]
    [InlineData("""{"name": "f"}""", "tools")]
    public async Task ABadToolList_IsA400NamingTheField(string tools, string param)
    {
        using var http = fixture.Server.Http();
        var body = $$$"""{"model": "{{{ToolCallServer.Model}}}", "messages": [{"role": "user", "content": "hi"}], "tools": {{{tools}}}}""";

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("""{"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather"}}]}""", "messages[2].tool_calls[0].function.arguments")]
    [InlineData("""{"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{oops"}}]}""", "messages[2].tool_calls[0].function.arguments")]
    [InlineData("""{"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "[1]"}}]}""", "messages[2].tool_calls[0].function.arguments")]
    public async Task ACallInTheHistoryWithoutObjectArguments_IsA400(string assistant, string param)
    {
        using var http = fixture.Server.Http();
        var body = """{"model": "MODEL", "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}, ASSISTANT, {"role": "tool", "tool_call_id": "call_1", "content": "r"}]}"""
            .Replace("MODEL", ToolCallServer.Model).Replace("ASSISTANT", assistant);

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task ToolTurnsForAModelWhoseTemplateCannotRenderThem_AreA400()
    {
        using var http = fixture.Server.Http();
        var body = """{"model": "tiny", "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": null, "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}, {"role": "tool", "tool_call_id": "c", "content": "r"}]}""";

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("does not render tools", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ToolsForAModelWhoseTemplateCannotOfferThem_AreA400()
    {
        using var http = fixture.Server.Http();
        var body = """{"model": "tiny", "messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "function", "function": {"name": "f"}}]}""";

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("does not render tools", await response.Content.ReadAsStringAsync());
    }
}
