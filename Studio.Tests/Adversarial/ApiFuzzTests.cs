using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Engine.Chat;
using MiniMind.Engine.Data;
using MiniMind.Studio.Tests.Api;

namespace MiniMind.Studio.Tests.Adversarial;

/// <summary>
/// The OpenAI-compatible API under fire on a real Kestrel port: hundreds of mutated request bodies sent eight at a time
/// (flipped bytes, cuts, every field given every wrong kind of value, bytes that are not UTF-8, lone surrogates, deep
/// nesting, wrong content types and methods), streaming clients that hang up after their first chunk, and a request of
/// 10,000 messages. Every answer must be a 2xx or a 4xx with an OpenAI-shaped error (never a 5xx), and afterwards the
/// server still answers a plain request with the engine's greedy text.
/// </summary>
public sealed class ApiFuzzTests(ApiServer server) : IClassFixture<ApiServer>
{
    const string Valid = """{"model":"tiny","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}],"max_tokens":4,"temperature":0,"top_p":0.9,"stream":false}""";

    static readonly string[] Fields = ["model", "messages", "max_tokens", "temperature", "top_p", "stream", "n", "stop", "seed", "top_k", "stream_options", "messages[0]", "content", "role"];

    static readonly string[] WrongValues =
    [
        "null", "true", "0", "-1", "2147483648", "1e400", "-1e400", "0.5", "\"\"", "\"x\"", "[]", "{}", "[null]", "[{}]",
        "\"\\ud800\"", "\"\\udc00x\"", "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]", "\"" + new string('a', 100_000) + "\"", "{\"type\":\"image_url\"}",
    ];

    /// <summary>A request body and content type drawn from the mutations; <paramref name="random"/> makes the run repeatable.</summary>
    static (byte[] Body, string? ContentType, string Method, string Path) Mutate(Random random)
    {
        var body = Encoding.UTF8.GetBytes(Valid);
        string? type = "application/json";
        string method = "POST", path = "/v1/chat/completions";
        switch (random.Next(10))
        {
            case 0: // flipped bytes
                body = (byte[])body.Clone();
                for (int i = random.Next(1, 6); i > 0; i--) body[random.Next(body.Length)] = (byte)random.Next(256);
                break;
            case 1: // cut short
                body = body[..random.Next(body.Length)];
                break;
            case 2 or 3: // a field given a wrong kind of value
            {
                var field = Fields[random.Next(Fields.Length)];
                var value = WrongValues[random.Next(WrongValues.Length)];
                var text = field switch
                {
                    "messages[0]" => Valid.Replace("""{"role":"system","content":"Be brief."}""", value),
                    "content" => Valid.Replace("\"content\":\"hi\"", $"\"content\":{value}"),
                    "role" => Valid.Replace("\"role\":\"user\"", $"\"role\":{value}"),
                    _ when Valid.Contains($"\"{field}\":") => System.Text.RegularExpressions.Regex.Replace(Valid, $"\"{field}\":(\\[[^\\]]*\\]|\"[^\"]*\"|[^,}}]+)", $"\"{field}\":{value}"),
                    _ => Valid.TrimEnd('}') + $",\"{field}\":{value}}}",
                };
                body = Encoding.UTF8.GetBytes(text);
                break;
            }
            case 4: // bytes that are not UTF-8 inside a string
            {
                var at = Valid.IndexOf("hi", StringComparison.Ordinal);
                body = [.. body[..at], 0xC3, 0x28, (byte)random.Next(0x80, 0x100), .. body[at..]];
                break;
            }
            case 5: // nesting far deeper than the parser allows, or an unbalanced pile
                body = Encoding.UTF8.GetBytes(new string('[', random.Next(1, 200_000)) + (random.Next(2) == 0 ? new string(']', 10) : ""));
                break;
            case 6: // the body's type is not JSON, or not said
                type = new[] { "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", null, "application/jsonx" }[random.Next(5)];
                break;
            case 7: // another method, or a URL that does not exist
                (method, path) = new[] { ("GET", path), ("PUT", path), ("DELETE", path), ("PATCH", "/v1/models"), ("POST", "/v1/embeddings"), ("POST", "/v1/chat/completions/x") }[random.Next(6)];
                break;
            case 8: // options out of range
                body = Encoding.UTF8.GetBytes(Valid.Replace("\"max_tokens\":4", new[] { "\"max_tokens\":0", "\"max_tokens\":100000000", "\"n\":1000,\"max_tokens\":1", "\"temperature\":-3,\"max_tokens\":1", "\"top_p\":7,\"max_tokens\":1", "\"top_k\":-5,\"max_tokens\":1" }[random.Next(6)]));
                break;
            default: // a valid request, streamed or not: the server must keep answering those among the rest
                body = Encoding.UTF8.GetBytes(random.Next(2) == 0 ? Valid : Valid.Replace("\"stream\":false", "\"stream\":true"));
                break;
        }
        return (body, type, method, path);
    }

    /// <summary>Whether an answer is acceptable: a 2xx, or a 4xx whose body is {"error": {"message": ...}}.</summary>
    static bool WellFormed(HttpStatusCode status, string body)
    {
        if ((int)status < 300) return true;
        if ((int)status >= 500) return false;
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.GetProperty("error").GetProperty("message").GetString() is { Length: > 0 };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    [Fact]
    public async Task MutatedRequests_ConcurrentAndHungUp_NeverAServerError_AndTheServerStillAnswers()
    {
        const int Requests = 400, Concurrency = 8, HangUps = 16;
        var random = new Random(20261205);
        var cases = Enumerable.Range(0, Requests).Select(_ => Mutate(random)).ToList();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        int survived = 0, refused = 0;
        using var http = server.Http();
        http.Timeout = TimeSpan.FromMinutes(2);

        await Parallel.ForEachAsync(cases.Select((c, i) => (c, i)), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (item, cancel) =>
        {
            var (c, i) = item;
            using var request = new HttpRequestMessage(new HttpMethod(c.Method), c.Path) { Content = new ByteArrayContent(c.Body) };
            if (c.ContentType is not null) request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(c.ContentType);
            try
            {
                using var response = await http.SendAsync(request, cancel);
                var text = await response.Content.ReadAsStringAsync(cancel);
                if ((int)response.StatusCode >= 400) Interlocked.Increment(ref refused);
                if (WellFormed(response.StatusCode, text)) Interlocked.Increment(ref survived);
                else failures.Add($"#{i} {c.Method} {c.Path} {c.ContentType}: {(int)response.StatusCode} {text[..Math.Min(200, text.Length)]} <- {Encoding.UTF8.GetString(c.Body[..Math.Min(200, c.Body.Length)])}");
            }
            catch (HttpRequestException e)
            {
                failures.Add($"#{i}: the connection failed: {e.Message}");
            }
        });

        // streaming clients that hang up after their first chunk, four at a time, on the slow model
        int hungUp = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, HangUps), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, cancel) =>
        {
            using var client = server.Http();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"long","messages":[{"role":"user","content":"hi"}],"max_tokens":1500,"stream":true}""", Encoding.UTF8, "application/json"),
            };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
            await using var stream = await response.Content.ReadAsStreamAsync(cancel);
            var first = new byte[64];
            if (await stream.ReadAsync(first, cancel) > 0) Interlocked.Increment(ref hungUp);
            // leaving the using blocks drops the connection mid-answer
        });

        // a conversation of 10,000 messages: trimmed to what fits, in bounded time
        var messages = string.Join(",", Enumerable.Range(0, 10_000).Select(i => i % 2 == 0 ? $$"""{"role":"user","content":"question {{i}}"}""" : $$"""{"role":"assistant","content":"answer {{i}}"}"""));
        var clock = Stopwatch.StartNew();
        using var huge = await http.PostAsync("/v1/chat/completions", new StringContent($$"""{"model":"tiny","messages":[{{messages}},{"role":"user","content":"last"}],"max_tokens":2,"temperature":0}""", Encoding.UTF8, "application/json"));
        var hugeSeconds = clock.Elapsed.TotalSeconds;
        if (huge.StatusCode != HttpStatusCode.OK) failures.Add($"10,000 messages: {(int)huge.StatusCode} {await huge.Content.ReadAsStringAsync()}");

        // and the server still answers exactly as the engine does
        var chat = await server.Services.GetRequiredService<ModelCatalog>().GetAsync("tiny");
        var expected = await chat.CompleteAsync([ChatMessage.User("hi")], new ChatOptions { Temperature = 0, MaxTokens = 6 });
        using var plain = await http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_tokens":6,"temperature":0}""", Encoding.UTF8, "application/json"));
        var answer = JsonDocument.Parse(await plain.Content.ReadAsStringAsync()).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        if (answer != expected.Choices[0].Content) failures.Add($"after the fuzz the answer changed: '{answer}' vs '{expected.Choices[0].Content}'");

        AdversarialReport.WriteAndAssert(new("api-fuzz", Requests + HangUps + 2, survived + hungUp + (huge.IsSuccessStatusCode ? 1 : 0) + (answer == expected.Choices[0].Content ? 1 : 0), 0, [.. failures],
            new Dictionary<string, double> { ["answered_4xx"] = refused, ["answered_2xx"] = Requests - refused - failures.Count, ["concurrency"] = Concurrency, ["hang_ups"] = hungUp, ["ten_thousand_messages_s"] = Math.Round(hugeSeconds, 2) }));
    }
}
