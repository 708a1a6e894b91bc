using System.CommandLine;
using System.Text;
using MiniMind.Engine.IO;
using MiniMind.Engine.Training;

namespace MiniMind.Studio.Cli;

/// <summary>
/// <c>train &lt;stage&gt; [--config file.json] [--set key=value ...] [--resume run-id]</c>: one training run in
/// the foreground with a progress bar; Ctrl+C stops it after saving a resume state.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var stage = new Argument<string>("stage") { Description = "pretrain, sft, lora, dpo, distill, reason or grpo" };
        var config = new Option<FileInfo?>("--config") { Description = "Training options as JSON (the keys below); --set overrides them" };
        var set = new Option<string[]>("--set") { Description = "key=value overrides, e.g. --set batch_size=16 --set preset=tiny", AllowMultipleArgumentsPerToken = true };
        var resume = new Option<string?>("--resume") { Description = "Continue a run: its id (under out/runs) or its folder" };
        var show = new Option<bool>("--show-config") { Description = "Print the resolved options as JSON and exit" };
        var recipe = new Option<string>("--recipe") { Description = "Whose defaults: seed (the original MiniMind's) or demo (what works on the bundled demo data; docs/training.md)", DefaultValueFactory = _ => "seed" };
        recipe.AcceptOnlyFromAmong("seed", "demo");
        var command = new Command("train", "Train a stage on the shared loop.\n\nOptions (key: pretrain default; other stages change learning_rate, batch_size, accumulation_steps, max_seq_len, data_path):\n" + OptionTable())
            { stage, config, set, resume, show, recipe };
        command.SetAction((parse, cancel) => Task.FromResult(StudioCli.Guard(parse, () =>
        {
            var output = parse.InvocationConfiguration.Output;
            var stageValue = TrainingStages.Parse(parse.GetValue(stage)!);
            var resumeId = parse.GetValue(resume);
            var options = Resolve(stageValue, parse.GetValue(recipe) == "demo", parse.GetValue(config), parse.GetValue(set) ?? [], resumeId);
            if (parse.GetValue(show))
            {
                output.WriteLine(options.ToJson());
                return 0;
            }
            var runtime = StudioCli.StartEngine(parse);
            var device = Engine.Runtime.TorchRuntime.ResolveDevice(options.Device == "auto" ? runtime.Device.ToString() : options.Device);
            var run = resumeId is null ? RunDirectory.Create(options.OutDir, options.Stage) : RunDirectory.Open(options.OutDir, resumeId);
            var error = parse.InvocationConfiguration.Error;
            error.WriteLine($"run {run.Id} ({run.Path})");
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            ConsoleCancelEventHandler onCtrlC = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += onCtrlC;
            try
            {
                var bar = new ProgressBar(error);
                var result = TrainingJob.Execute(options, device, runtime, run, resumeId is not null, new SynchronousProgress<string>(bar.Message),
                    m => bar.Report($"step {m.Step}/{m.TotalSteps}", m.Step, m.TotalSteps,
                        $"loss {m.Loss:F4} lr {m.LearningRate:G3} {m.TokensPerSecond:F0} tok/s ETA {TimeSpan.FromSeconds(Math.Round(m.EtaSeconds)):g}"), stop.Token);
                if (result.Steps > 0) bar.Done();
                output.WriteLine($"run: {run.Path}");
                output.WriteLine($"checkpoint: {Path.GetFullPath(result.OutputPath)}");
                if (result.Message is not null) error.WriteLine(result.Message);
                if (File.Exists(run.RejectedMetricsPath))
                    error.WriteLine($"unreadable lines of metrics.jsonl were kept in {run.RejectedMetricsPath}");
                return result.Outcome == RunOutcome.Completed ? 0 : result.Outcome == RunOutcome.Cancelled ? 130 : 1;
            }
            finally
            {
                Console.CancelKeyPress -= onCtrlC;
            }
        })));
        return command;
    }

    /// <summary>Stage defaults (the seed's or the demo recipe's), then the config file, then --set; a resumed run keeps its recorded options.</summary>
    static TrainingOptions Resolve(TrainingStage stage, bool demo, FileInfo? config, string[] sets, string? resumeId)
    {
        TrainingOptions options;
        if (resumeId is not null)
        {
            var outDir = StudioCli.ResolvePath(TrainingOptions.ForStage(stage).With(sets.Where(s => s.StartsWith("out_dir=", StringComparison.Ordinal))).OutDir);
            options = RunDirectory.Open(outDir, resumeId).ReadOptions();
            if (options.Stage != stage) throw new ArgumentException($"Run {resumeId} is a {options.Stage.Name()} run, not {stage.Name()}.");
            return options.Validate();
        }
        // the demo recipe chains its stages through out_dir: read it from --set first
        options = demo ? DemoRecipe.For(stage, TrainingOptions.ForStage(stage).With(sets.Where(s => s.StartsWith("out_dir=", StringComparison.Ordinal))).OutDir)
            : TrainingOptions.ForStage(stage);
        if (config is not null)
        {
            if (!config.Exists) throw new FileNotFoundException($"Training config not found: {config.FullName}", config.FullName);
            options = TrainingOptions.FromJson(File.ReadAllText(config.FullName), config.FullName) with { Stage = stage };
        }
        return options.With(sets).WithPaths(StudioCli.ResolvePath).Validate(); // relative: the working directory, else the studio's folder
    }

    static string OptionTable()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(TrainingOptions.ForStage(TrainingStage.Pretrain).ToJson())!.AsObject();
        var text = new StringBuilder();
        foreach (var (key, value) in json) text.AppendLine($"  {key} = {value?.ToJsonString() ?? "null"}");
        return text.ToString();
    }
}
