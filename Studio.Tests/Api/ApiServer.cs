using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Studio.Tests.Api;

/// <summary>
/// The studio host on a real Kestrel loopback port, serving a temporary out/ folder: <c>tiny</c> (the
/// tiny-dense reference model, context 128), <c>long</c> (a wider random model, dim 512 x 4 layers, with a
/// 2048-token context, for answers long enough to interrupt), <c>lora/tiny-identity</c> (an adapter on
/// tiny) and <c>thinker</c> (tiny with a template that opens a &lt;think&gt; block). All use the seed tokenizer.
/// </summary>
public sealed class ApiServer : IDisposable
{
    public const string Key = "test-key";
    readonly WebApplicationFactory<Program> factory;

    public ApiServer()
    {
        TorchRuntime.Initialize(new RuntimeOptions("cpu"));
        OutDir = Directory.CreateTempSubdirectory("minimind-api-").FullName;
        var tokenizer = Repo.Fixture("seed-tokenizer");
        var config = MiniMindConfig.FromJson(JsonDocument.Parse(File.ReadAllText(Repo.Fixture("tiny-dense", "golden.json"))).RootElement.GetProperty("config").GetRawText());
        var tinyPath = Path.Combine(OutDir, "tiny.safetensors");
        using (var tiny = ModelCheckpoint.Load(Repo.Fixture("tiny-dense", "weights.safetensors"), config))
        {
            ModelCheckpoint.Save(tiny, tinyPath, new CheckpointInfo { Config = config, Stage = "sft", Tokenizer = tokenizer });
            ModelCheckpoint.Save(tiny, Path.Combine(OutDir, "thinker.safetensors"), new CheckpointInfo { Config = config, Stage = "reason", Tokenizer = ThinkingTokenizer(tokenizer) });
            var lora = new LoraSettings(4, 8, "square");
            LoRAAdapters.Attach(tiny, lora);
            // seeded here, and both A and B drawn large: the adapter must change greedy answers whatever ran before
            manual_seed(3);
            using (no_grad())
                foreach (var p in LoRAAdapters.AdapterParameters(tiny)) p.normal_(0, 0.5);
            AdapterCheckpoint.Save(tiny, Path.Combine(OutDir, "lora", "tiny-identity.safetensors"),
                new CheckpointInfo { Config = config, Stage = "lora", Tokenizer = tokenizer, BaseCheckpoint = tinyPath, Lora = lora });
        }
        // "mm3": a minimind-3-shaped model (q/k norms, its FFN rule) with the current original's tokenizer and template
        manual_seed(2);
        var mm3 = MiniMindConfig.Preset("minimind3-tiny") with { Dim = 64, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 256 };
        using (var model = new MiniMindModel(mm3))
            ModelCheckpoint.Save(model, Path.Combine(OutDir, "mm3.safetensors"), new CheckpointInfo { Config = mm3, Stage = "sft", Tokenizer = Repo.Fixture("minimind3", "tokenizer") });
        // "long": wide enough that 1800 tokens take seconds on any CPU, so a client hanging up after its first
        // token is always noticed mid-answer (a dim-64 model can finish before the disconnect reaches the server)
        manual_seed(1);
        using (var longModel = new MiniMindModel(config with { Dim = 512, NLayers = 4, NHeads = 8, NKvHeads = 2, HiddenDim = null, MaxSeqLen = 2048 }))
            ModelCheckpoint.Save(longModel, Path.Combine(OutDir, "long.safetensors"), new CheckpointInfo { Config = longModel.Config, Stage = "pretrain", Tokenizer = tokenizer });

        Environment.SetEnvironmentVariable("MINIMIND_ROOT", Repo.Root);
        factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Engine:Device", "cpu")
            .UseSetting("Studio:OutDir", OutDir)
            .UseSetting("Api:ApiKey", Key)
            .UseSetting("Api:ModelCacheSize", "3"));
        factory.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    public string OutDir { get; }
    public Uri BaseAddress { get; }
    public Uri V1 => new(BaseAddress, "/v1");
    public IServiceProvider Services => factory.Services;

    /// <summary>A plain HTTP client of the real server (with the key unless told otherwise).</summary>
    public HttpClient Http(string? key = Key)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    /// <summary>The seed tokenizer with its template's generation prompt ending in an opened &lt;think&gt;.</summary>
    string ThinkingTokenizer(string seed)
    {
        var dir = Directory.CreateDirectory(Path.Combine(OutDir, "thinking-tokenizer")).FullName;
        File.Copy(Path.Combine(seed, "tokenizer.json"), Path.Combine(dir, "tokenizer.json"));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(seed, "tokenizer_config.json")))!;
        config["chat_template"] = config["chat_template"]!.GetValue<string>().Replace("<s>assistant\\n' }}", "<s>assistant\\n<think>\\n' }}");
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), config.ToJsonString());
        return dir;
    }

    public void Dispose()
    {
        factory.Dispose();
        Directory.Delete(OutDir, recursive: true);
    }
}
