using System.CommandLine;
using System.Text.Json;
using MiniMind.Engine.Generation;

namespace MiniMind.Studio.Cli;

/// <summary><c>generate</c>: continues rows of token ids; the last line printed is <c>{"tokens": [[...], ...]}</c>.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var model = new ModelArguments();
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Tokens to generate per row", DefaultValueFactory = _ => 64 };
        var temperature = new Option<double>("--temperature") { Description = "0 = greedy decoding", DefaultValueFactory = _ => 0.0 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling threshold (1 keeps all)", DefaultValueFactory = _ => 1.0 };
        var topK = new Option<int>("--top-k") { Description = "Keep the k most likely tokens (0 keeps all)", DefaultValueFactory = _ => 0 };
        var seed = new Option<long?>("--seed") { Description = "Seed for reproducible sampling" };
        var eosId = new Option<long?>("--eos-id") { Description = "End-of-sequence id [default: the checkpoint's tokenizer eos, else 2 (MiniMind's </s>)]" };
        var ignoreEos = new Option<bool>("--ignore-eos") { Description = "Keep generating past the end-of-sequence token" };
        var command = new Command("generate", "Continue token ids with the KV cache (greedy at temperature 0)");
        model.AddTo(command);
        foreach (var o in new Option[] { maxNew, temperature, topP, topK, seed, eosId, ignoreEos }) command.Options.Add(o);
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            var runtime = StudioCli.StartEngine(parse);
            using var net = model.LoadModel(parse, runtime.Device);
            var rows = model.LoadIds(parse, net.Config.VocabSize, equalLength: false);
            var request = new GenerationRequest
            {
                Prompts = rows,
                MaxNewTokens = parse.GetValue(maxNew),
                Sampling = new SamplingOptions
                {
                    Temperature = parse.GetValue(temperature),
                    TopP = parse.GetValue(topP),
                    TopK = parse.GetValue(topK),
                    Seed = parse.GetValue(seed),
                },
                EosId = parse.GetValue(eosId) ?? DefaultEos,
                IgnoreEos = parse.GetValue(ignoreEos),
            };
            var tokens = TokenGenerator.Generate(net, request);
            parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new { tokens }));
            return 0;
        }));
        return command;
    }

    /// <summary>MiniMind2's tokenizer puts &lt;/s&gt; at id 2.</summary>
    const long DefaultEos = 2;
}
