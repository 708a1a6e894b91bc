using System.CommandLine;
using System.Text.Json;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Generation;
using MiniMind.Engine.IO;
using MiniMind.Engine.Model;
using MiniMind.Engine.Training;
using MiniMind.Engine.Training.Objectives;
using MiniMind.Studio.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Bench;

/// <summary>
/// <c>bench parity</c>: the engine on this device against the original MiniMind's golden outputs (the tiny-dense
/// reference fixture): full-sequence logits, KV-cache steps, greedy tokens (alone and inside a batch), and five
/// clipped AdamW steps. The unit tests check the same on the CPU; this is how a GPU (which CI never has) is
/// checked. One JSON line with the errors and whether each is within its tolerance; exit code 1 when one is not.
/// </summary>
public static class ParityBench
{
    public static Command Create()
    {
        var fixture = new Option<string>("--fixture") { Description = "The tiny-dense reference fixture folder", DefaultValueFactory = _ => "Engine.Tests/Fixtures/reference/tiny-dense" };
        var precision = new Option<string>("--precision") { Description = "fp32, or bf16 (projections in bf16: looser tolerances)", DefaultValueFactory = _ => "fp32" };
        var command = new Command("parity", "This device's logits, KV steps, greedy tokens and AdamW steps against the original's golden outputs") { fixture, precision };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            var runtime = StudioCli.StartEngine(parse);
            var device = runtime.Device;
            var dir = StudioCli.ResolvePath(parse.GetValue(fixture)!);
            bool bf16 = parse.GetValue(precision) switch
            {
                "fp32" => false,
                "bf16" => true,
                var other => throw new ArgumentException($"--precision must be fp32 or bf16; got {other}."),
            };
            var config = MiniMindConfig.FromJson(JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "golden.json"))).RootElement.GetProperty("config").GetRawText());
            var io = SafetensorsFile.Read(Path.Combine(dir, "io.safetensors")).ToDictionary(kv => kv.Key, kv => kv.Value.to(device));
            // bf16 as each path uses it: served models hold bf16 weights, training casts fp32 weights per projection
            MiniMindModel Load(bool training)
            {
                var m = ModelCheckpoint.Load(Path.Combine(dir, "weights.safetensors"), config, device);
                if (bf16 && training) m.ComputeType = ScalarType.BFloat16;
                else if (bf16) m.ConvertWeightsForInference(ScalarType.BFloat16);
                return m;
            }
            // bf16 rounds every projection's inputs and weights to 8 bits of mantissa: logits move by about 1e-2
            double logitTolerance = bf16 ? 0.1 : 1e-4, lossTolerance = bf16 ? 1e-2 : 1e-4, normTolerance = bf16 ? 2e-2 : 1e-3;

            using var model = Load(training: false);
            model.eval();
            var ids = io["input_ids"];
            double logitsError, kvError;
            using (no_grad())
            {
                var (logits, _) = model.Forward(ids);
                logitsError = MaxAbsDiff(logits, io["logits"]);
                using var cache = new KVCache(config, ids.shape[0], (int)ids.shape[1], device, bf16 ? ScalarType.BFloat16 : ScalarType.Float32);
                var steps = new List<Tensor> { model.Forward(ids.narrow(1, 0, 16), 0, cache, lastOnly: true).Logits };
                for (int p = 16; p < ids.shape[1]; p++) steps.Add(model.Forward(ids.narrow(1, p, 1), p, cache).Logits);
                kvError = MaxAbsDiff(cat(steps, 1), io["kv_step_logits"]);
            }

            var prompt = io["greedy_prompt"].cpu().data<long>().ToArray();
            var expected = io["greedy_tokens"].cpu().data<long>().ToArray();
            var alone = TokenGenerator.Generate(model, new GenerationRequest { Prompts = [prompt], MaxNewTokens = expected.Length })[0];
            var inBatch = TokenGenerator.Generate(model, new GenerationRequest
            {
                Prompts = [ids[0].narrow(0, 0, 13).cpu().data<long>().ToArray(), prompt, ids[1].narrow(0, 0, 3).cpu().data<long>().ToArray()],
                MaxNewTokens = expected.Length,
            })[1];
            int greedyAgree = expected.Zip(alone).TakeWhile(p => p.First == p.Second).Count();
            int batchAgree = expected.Zip(inBatch).TakeWhile(p => p.First == p.Second).Count();

            var (lossError, normError, sumError) = FiveSteps(Load(training: true), io);

            bool ok = logitsError <= logitTolerance && kvError <= logitTolerance && lossError <= lossTolerance && normError <= normTolerance
                && (bf16 || (greedyAgree == expected.Length && batchAgree == expected.Length));
            parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new
            {
                benchmark = "parity",
                device = device.ToString(),
                precision = parse.GetValue(precision),
                logits_max_abs_error = logitsError,
                kv_step_max_abs_error = kvError,
                logit_tolerance = logitTolerance,
                greedy_tokens = expected.Length,
                greedy_agreeing_prefix = greedyAgree,
                greedy_in_batch_agreeing_prefix = batchAgree,
                train_loss_max_abs_error = lossError,
                grad_norm_max_relative_error = normError,
                param_sum_relative_error = sumError,
                pass = ok,
            }));
            foreach (var t in io.Values) t.Dispose();
            return ok ? 0 : 1;
        }));
        return command;
    }

    /// <summary>Five steps of the training loop's objective and optimizer on the fixture's batch: masked CE + aux, clip 1.0, AdamW(1e-3, 0.9, 0.999, 1e-8, 0.01).</summary>
    static (double Loss, double Norm, double Sum) FiveSteps(MiniMindModel model, Dictionary<string, Tensor> io)
    {
        using var _ = model;
        model.train();
        var ids = io["input_ids"];
        long length = ids.shape[1] - 1;
        var x = ids.narrow(1, 0, length);
        var y = ids.narrow(1, 1, length);
        var mask = io["loss_mask"].to(ScalarType.Float32);
        using var flat = new FlatParameters(model.UniqueParameters());
        using var optimizer = new FusedAdamW(flat, 0.9, 0.999, 1e-8, 0.01);
        using var objective = new CrossEntropyObjective("pretrain"); // the loss the training loop backpropagates
        var losses = io["train_losses"].cpu().data<float>().ToArray();
        var norms = io["train_grad_norms"].cpu().data<float>().ToArray();
        double lossError = 0, normError = 0;
        for (int step = 0; step < 5; step++)
        {
            using var scope = NewDisposeScope();
            var loss = objective.Compute(model, new BatchTensors(x, y, mask)).Loss;
            loss.backward();
            double norm = optimizer.Step(1e-3, 1.0, loss).item<float>();
            flat.ZeroGrad();
            lossError = Math.Max(lossError, Math.Abs(loss.item<float>() - losses[step]));
            normError = Math.Max(normError, Math.Abs(norm - norms[step]) / norms[step]);
        }
        double sum = flat.Data.sum().item<float>(), expectedSum = io["param_sum_after"].item<float>();
        return (lossError, normError, Math.Abs(sum - expectedSum) / Math.Abs(expectedSum));
    }

    static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a.to(ScalarType.Float32) - b.to(ScalarType.Float32)).abs().max().item<float>();
    }
}
