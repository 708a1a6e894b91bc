using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Engine.Chat;
using OpenAI;
using OpenAI.Chat;
using EngineCompletion = MiniMind.Engine.Chat.ChatCompletion;
using EngineMessage = MiniMind.Engine.Data.ChatMessage;

namespace MiniMind.Studio.Tests.Api;

/// <summary>POST /v1/chat/completions through the official OpenAI .NET client and raw HTTP, on a real Kestrel port.</summary>
public sealed class ChatCompletionsApiTests(ApiServer server) : IClassFixture<ApiServer>
{
    const string Question = "你好，请介绍一下自己。";

    ChatClient Client(string model = "tiny") =>
        new(model, new ApiKeyCredential(ApiServer.Key), new OpenAIClientOptions { Endpoint = server.V1 });

    /// <summary>What the engine answers in process, to compare the wire with.</summary>
    async Task<EngineCompletion> Engine(string model, string question, ChatOptions options)
    {
        var chat = await server.Services.GetRequiredService<ModelCatalog>().GetAsync(model);
        return await chat.CompleteAsync([EngineMessage.User(question)], options);
    }

    async Task<(HttpStatusCode Status, JsonElement Body)> Post(string json, string? key = ApiServer.Key)
    {
        using var http = server.Http(key);
        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task NonStreaming_AnswersWithTheEnginesGreedyText_UsageAndFinishReason()
    {
        var expected = await Engine("tiny", Question, new ChatOptions { Temperature = 0, MaxTokens = 10 });

        var completion = (await Client().CompleteChatAsync([new UserChatMessage(Question)],
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 10 })).Value;

        Assert.Equal(expected.Choices[0].Content, completion.Content[0].Text);
        Assert.Equal(OpenAI.Chat.ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(10, completion.Usage.OutputTokenCount);
        Assert.Equal(expected.Usage.PromptTokens, completion.Usage.InputTokenCount);
        Assert.Equal(completion.Usage.InputTokenCount + 10, completion.Usage.TotalTokenCount);
        Assert.Equal("tiny", completion.Model);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
    }

    /// <summary>
    /// A minimind-3 checkpoint answers through the official client like any other, its prompt rendered by its own template:
    /// the prompt tokens are those of the original's rendering (Jinja2 golden), tokenized (the engine's tokenizer, which the
    /// engine suite holds to Hugging Face's ids).
    /// </summary>
    [Fact]
    public async Task AMinimind3Checkpoint_Answers_WithItsOwnTemplateAndTokenizer()
    {
        var golden = JsonDocument.Parse(File.ReadAllText(Repo.Fixture("minimind3", "chat_template.json"))).RootElement.GetProperty("cases")[0];
        var tokenizer = MiniMind.Engine.Tokenization.ByteLevelBpeTokenizer.Load(Repo.Fixture("minimind3", "tokenizer"));
        var expected = tokenizer.Encode(golden.GetProperty("text").GetString()!).Length;

        var completion = (await Client("mm3").CompleteChatAsync([new UserChatMessage(golden.GetProperty("messages")[0].GetProperty("content").GetString()!)],
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 6 })).Value;

        Assert.Equal("mm3", completion.Model);
        Assert.Equal(expected, completion.Usage.InputTokenCount);
        Assert.InRange(completion.Usage.OutputTokenCount, 1, 6);
        Assert.Contains(completion.FinishReason, new[] { OpenAI.Chat.ChatFinishReason.Stop, OpenAI.Chat.ChatFinishReason.Length });
    }

    [Fact]
    public async Task Streaming_SendsChunksThatAddUpToTheAnswer_ThenAFinishReason()
    {
        var expected = await Engine("tiny", Question, new ChatOptions { Temperature = 0, MaxTokens = 20 });
        var text = new StringBuilder();
        var updates = 0;
        OpenAI.Chat.ChatFinishReason? finish = null;

        await foreach (var update in Client().CompleteChatStreamingAsync([new UserChatMessage(Question)],
                           new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 20 }))
        {
            updates++;
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            finish = update.FinishReason ?? finish;
        }

        Assert.Equal(expected.Choices[0].Content, text.ToString());
        Assert.True(updates > 3, $"{updates} updates: the answer should stream in pieces");
        Assert.Equal(expected.Choices[0].FinishReason == MiniMind.Engine.Chat.ChatFinishReason.Length ? OpenAI.Chat.ChatFinishReason.Length : OpenAI.Chat.ChatFinishReason.Stop, finish);
    }

    [Fact]
    public async Task Streaming_OnTheWire_IsServerSentChunksEndingWithDone_AndUsageWhenAsked()
    {
        using var http = server.Http();
        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"tiny","messages":[{"role":"user","content":"你好"}],"stream":true,"temperature":0,"max_tokens":6,"stream_options":{"include_usage":true}}""",
            Encoding.UTF8, "application/json"));
        var raw = await response.Content.ReadAsStringAsync();
        var events = raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var expected = await Engine("tiny", "你好", new ChatOptions { Temperature = 0, MaxTokens = 6 });

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal("length", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var usage = chunks[^1].GetProperty("usage");
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal(6, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + 6, usage.GetProperty("total_tokens").GetInt32());
        // text travels as UTF-8, not \uXXXX escapes
        Assert.Contains(expected.Choices[0].Content[..1], raw);
        Assert.DoesNotContain("\\u", raw);
    }

    [Fact]
    public async Task N_ReturnsThatManyChoices_SampledApart_AndRepeatableWithASeed()
    {
        const string body = """{"model":"tiny","messages":[{"role":"user","content":"hi"}],"n":3,"temperature":1.5,"top_p":1,"seed":9,"max_tokens":12}""";

        var (status, first) = await Post(body);
        var (_, again) = await Post(body);

        Assert.Equal(HttpStatusCode.OK, status);
        var choices = first.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], choices.Select(c => c.GetProperty("index").GetInt32()));
        var texts = choices.Select(c => c.GetProperty("message").GetProperty("content").GetString()).ToList();
        Assert.True(texts.Distinct().Count() > 1, "three sampled choices should not all agree");
        Assert.Equal(texts, again.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("message").GetProperty("content").GetString()));
        Assert.Equal(first.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), again.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task StopSequence_CutsTheAnswerBeforeIt_WithFinishReasonStop()
    {
        var full = (await Engine("tiny", Question, new ChatOptions { Temperature = 0, MaxTokens = 30 })).Choices[0].Content;
        var stop = full.Substring(4, 2);
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 30 };
        options.StopSequences.Add(stop);

        var completion = (await Client().CompleteChatAsync([new UserChatMessage(Question)], options)).Value;

        Assert.Equal(full[..full.IndexOf(stop, StringComparison.Ordinal)], completion.Content[0].Text);
        Assert.Equal(OpenAI.Chat.ChatFinishReason.Stop, completion.FinishReason);
    }

    [Fact]
    public async Task LoRAAdapter_IsServedByItsId_AndAnswersDifferentlyFromItsBase()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 12 };

        var baseAnswer = (await Client("tiny").CompleteChatAsync([new UserChatMessage(Question)], options)).Value;
        var adapted = (await Client("lora/tiny-identity").CompleteChatAsync([new UserChatMessage(Question)], options)).Value;

        Assert.Equal("lora/tiny-identity", adapted.Model);
        Assert.NotEqual(baseAnswer.Content[0].Text, adapted.Content[0].Text);
    }

    [Fact]
    public async Task ThinkingModel_PutsItsReasoningInReasoningContent()
    {
        var expected = await Engine("thinker", "hi", new ChatOptions { Temperature = 0, MaxTokens = 8 });

        var (status, body) = await Post("""{"model":"thinker","messages":[{"role":"user","content":"hi"}],"temperature":0,"max_tokens":8}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var message = body.GetProperty("choices")[0].GetProperty("message");
        // the template opened <think> and the tiny model never closes it: all it says is reasoning
        Assert.False(string.IsNullOrEmpty(message.GetProperty("reasoning_content").GetString()));
        Assert.Equal(expected.Choices[0].Reasoning, message.GetProperty("reasoning_content").GetString());
        Assert.Equal("", message.GetProperty("content").GetString());
    }

    [Fact]
    public async Task TwoConcurrentClients_EachGetTheirOwnAnswer()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 16 };
        var expectedA = await Engine("tiny", Question, new ChatOptions { Temperature = 0, MaxTokens = 16 });
        var expectedB = await Engine("tiny", "What is 1 + 1?", new ChatOptions { Temperature = 0, MaxTokens = 16 });

        var a = Client().CompleteChatAsync([new UserChatMessage(Question)], options);
        var b = Client().CompleteChatAsync([new UserChatMessage("What is 1 + 1?")], options);
        await Task.WhenAll(a, b);

        Assert.Equal(expectedA.Choices[0].Content, (await a).Value.Content[0].Text);
        Assert.Equal(expectedB.Choices[0].Content, (await b).Value.Content[0].Text);
    }

    [Fact]
    public async Task ClientThatDisconnects_CancelsItsGeneration()
    {
        var chat = await server.Services.GetRequiredService<ModelCatalog>().GetAsync("long");
        long before = chat.GeneratedTokens;
        using var cancel = new CancellationTokenSource();
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 1800 };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in Client("long").CompleteChatStreamingAsync([new UserChatMessage("hi")], options, cancel.Token))
                if (update.ContentUpdate.Count > 0) cancel.Cancel(); // hang up after the first text
        });

        // the server notices the disconnect and stops: no request left, far fewer tokens than asked for
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (chat.ActiveRequests > 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(0, chat.ActiveRequests);
        long generated = chat.GeneratedTokens - before;
        Assert.True(generated < 1800, $"{generated} tokens generated after the client left");
        await Task.Delay(200);
        Assert.Equal(generated, chat.GeneratedTokens - before); // and nothing more afterwards
    }

    [Theory]
    [InlineData("""{"model":"tiny"}""", 400, "messages")]
    [InlineData("""{"model":"tiny","messages":[]}""", 400, "messages")]
    [InlineData("""{"model":"tiny","messages":[{"role":"wizard","content":"hi"}]}""", 400, "messages[0].role")]
    [InlineData("""{"model":"tiny","messages":[{"role":"user","content":"hi"}],"temperature":2.5}""", 400, "temperature")]
    [InlineData("""{"model":"tiny","messages":[{"role":"user","content":"hi"}],"top_p":1.5}""", 400, "top_p")]
    [InlineData("""{"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_tokens":100000}""", 400, "max_tokens")]
    [InlineData("""{"model":"tiny","messages":[{"role":"user","content":"hi"}],"n":0}""", 400, "n")]
    [InlineData("""{"model":"tiny","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}""", 400, "temperature")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""", 400, "model")]
    [InlineData("""{"model":"nope","messages":[{"role":"user","content":"hi"}]}""", 404, "model")]
    [InlineData("""{"model":"tiny","messages":[{"role":"user","content":"hi"}""", 400, null)]
    [InlineData("""[1, 2]""", 400, null)]
    public async Task BadRequest_AnswersWithAnOpenAiShapedError(string json, int status, string? param)
    {
        var (code, body) = await Post(json);

        Assert.Equal(status, (int)code);
        var error = body.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.True(error.TryGetProperty("code", out _));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task ABodyThatIsNotDeclaredJson_IsRefused_AsACrossSiteFormWouldSendIt(string contentType)
    {
        using var http = server.Http(ApiServer.Key);
        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"tiny","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, contentType));

        Assert.Equal(415, (int)response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("unsupported_media_type", error.GetProperty("code").GetString());
        Assert.Contains(contentType, error.GetProperty("message").GetString());
    }

    public static TheoryData<string, byte[]> NotUnicode => new()
    {
        // a lone surrogate written as a JSON escape, in the content and in the model name
        { "messages[0].content", Encoding.UTF8.GetBytes("""{"model":"tiny","messages":[{"role":"user","content":"a\ud800b"}]}""") },
        { "model", Encoding.UTF8.GetBytes("""{"model":"\udc00","messages":[{"role":"user","content":"hi"}]}""") },
        // a raw surrogate encoded as UTF-8 (ED A0 80) and a stray continuation byte: not UTF-8 at all
        { "messages[0].content", [.. "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\""u8, 0xED, 0xA0, 0x80, .. "\"}]}"u8] },
        { "messages[0].content", [.. "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"x"u8, 0x80, .. "\"}]}"u8] },
    };

    [Theory]
    [MemberData(nameof(NotUnicode))]
    public async Task ABodyThatIsNotUnicodeText_IsA400NamingTheField_NotAServerError(string field, byte[] body)
    {
        using var http = server.Http(ApiServer.Key);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await http.PostAsync("/v1/chat/completions", content);

        Assert.Equal(400, (int)response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(field, error.GetProperty("param").GetString());
        Assert.Contains("not valid Unicode text", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task AnotherMethodOnChatCompletions_Is405_WithAnAllowHeader(string method)
    {
        using var http = server.Http(ApiServer.Key);
        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/v1/chat/completions"));

        Assert.Equal(405, (int)response.StatusCode);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("method_not_allowed", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task UnknownModel_ThroughTheClient_IsA404NamingTheModel()
    {
        var e = await Assert.ThrowsAsync<ClientResultException>(() => Client("nope").CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(404, e.Status);
        Assert.Contains("model_not_found", e.Message);
    }

    [Fact]
    public async Task PromptTooLongForTheContext_IsA400ContextLengthError()
    {
        var (status, body) = await Post(JsonSerializer.Serialize(new
        {
            model = "tiny",
            messages = new[] { new { role = "user", content = string.Join(" ", Enumerable.Repeat("words", 300)) } },
        }));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("context_length_exceeded", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task WithoutTheConfiguredKey_RequestsAreRefusedWith401(string? key)
    {
        var (status, body) = await Post("""{"model":"tiny","messages":[{"role":"user","content":"hi"}]}""", key);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_api_key", body.GetProperty("error").GetProperty("code").GetString());
    }
}
