using MiniMind.Engine.Model;
using MiniMind.Engine.Training;

namespace MiniMind.Studio.Components.Pages.Train;

/// <summary>The Train form's editable values: a stage's defaults, turned into <see cref="TrainingOptions"/> on Start.</summary>
public sealed class TrainFormModel
{
    public TrainingStage Stage { get; set; } = TrainingStage.Pretrain;
    public string Preset { get; set; } = "tiny";
    public int Dim { get; set; }
    public int Layers { get; set; }
    public int Heads { get; set; }
    public int KvHeads { get; set; }
    public bool UseMoe { get; set; }
    public int Experts { get; set; }
    public int ExpertsPerToken { get; set; }
    public bool SharedExpert { get; set; }
    public double AuxLossAlpha { get; set; }

    public string DataPath { get; set; } = "";
    public string TokenizerPath { get; set; } = "";
    public string? InitFrom { get; set; }
    public string? OutputName { get; set; }
    public int Epochs { get; set; }
    public long? MaxSteps { get; set; }
    public int BatchSize { get; set; }
    public int AccumulationSteps { get; set; }
    public double LearningRate { get; set; }
    public string LrSchedule { get; set; } = "cosine";
    public long WarmupSteps { get; set; }
    public double GradClip { get; set; }
    public double WeightDecay { get; set; }
    public int MaxSeqLen { get; set; }
    public bool Packed { get; set; }
    public long Seed { get; set; }
    public long SaveEvery { get; set; }
    public string Precision { get; set; } = "auto";
    public string Device { get; set; } = "auto";

    public string LoraName { get; set; } = "identity";
    public int LoraRank { get; set; }
    public string LoraTargets { get; set; } = "square";
    public double DpoBeta { get; set; }
    public double DpoSftWeight { get; set; }
    public string? Teacher { get; set; }
    public double DistillAlpha { get; set; }
    public double DistillTemperature { get; set; }
    public double TagWeight { get; set; }

    /// <summary>
    /// The options the form was last loaded from (a stage's defaults, or a run's): what the form's fields do not show is
    /// kept from them, and the GRPO fields below read and write them directly.
    /// </summary>
    public TrainingOptions Loaded { get; private set; } = new();

    // the advanced options (folded away on the form), read and written on the loaded options like GRPO's below
    public double AdamBeta1 { get => Loaded.AdamBeta1; set => Loaded = Loaded with { AdamBeta1 = value }; }
    public double AdamBeta2 { get => Loaded.AdamBeta2; set => Loaded = Loaded with { AdamBeta2 = value }; }
    public double AdamEps { get => Loaded.AdamEps; set => Loaded = Loaded with { AdamEps = value }; }
    public bool ChunkedHead { get => Loaded.ChunkedHead; set => Loaded = Loaded with { ChunkedHead = value }; }
    public string? Devices { get => Loaded.Devices; set => Loaded = Loaded with { Devices = string.IsNullOrWhiteSpace(value) ? null : value.Trim() }; }
    public bool FailOnBadRecords { get => Loaded.FailOnBadRecords; set => Loaded = Loaded with { FailOnBadRecords = value }; }
    public double SystemPromptRatio { get => Loaded.SystemPromptRatio; set => Loaded = Loaded with { SystemPromptRatio = value }; }
    public double EmptyThinkDropRatio { get => Loaded.EmptyThinkDropRatio; set => Loaded = Loaded with { EmptyThinkDropRatio = value }; }
    public double? LoraAlpha { get => Loaded.LoraAlpha; set => Loaded = Loaded with { LoraAlpha = value }; }
    public double LoraDropout { get => Loaded.LoraDropout; set => Loaded = Loaded with { LoraDropout = value }; }
    public int? SyncEvery { get => Loaded.SyncEvery; set => Loaded = Loaded with { SyncEvery = value }; }

    public int GrpoGroupSize { get => Loaded.GrpoGroupSize; set => Loaded = Loaded with { GrpoGroupSize = value }; }
    public double GrpoBeta { get => Loaded.GrpoBeta; set => Loaded = Loaded with { GrpoBeta = value }; }
    public double GrpoClipEps { get => Loaded.GrpoClipEps; set => Loaded = Loaded with { GrpoClipEps = value }; }
    public int GrpoEpochs { get => Loaded.GrpoEpochs; set => Loaded = Loaded with { GrpoEpochs = value }; }
    public int GrpoMaxNewTokens { get => Loaded.GrpoMaxNewTokens; set => Loaded = Loaded with { GrpoMaxNewTokens = value }; }
    public double GrpoTemperature { get => Loaded.GrpoTemperature; set => Loaded = Loaded with { GrpoTemperature = value }; }
    public double GrpoTopP { get => Loaded.GrpoTopP; set => Loaded = Loaded with { GrpoTopP = value }; }
    public string GrpoMatch { get => Loaded.GrpoMatch; set => Loaded = Loaded with { GrpoMatch = value }; }
    public int GrpoLengthTarget { get => Loaded.GrpoLengthTarget; set => Loaded = Loaded with { GrpoLengthTarget = value }; }
    public double RewardAnswer { get => Loaded.RewardAnswer; set => Loaded = Loaded with { RewardAnswer = value }; }
    public double RewardNumeric { get => Loaded.RewardNumeric; set => Loaded = Loaded with { RewardNumeric = value }; }
    public double RewardFormat { get => Loaded.RewardFormat; set => Loaded = Loaded with { RewardFormat = value }; }
    public double RewardLength { get => Loaded.RewardLength; set => Loaded = Loaded with { RewardLength = value }; }

    /// <summary>The run whose settings the form was loaded with (<see cref="FromRun"/>); null once defaults are loaded.</summary>
    public string? SourceRun { get; private set; }

    /// <summary>
    /// The settings a run was started with, every option of them (paths shown as <paramref name="display"/> shows them),
    /// so that Start begins a new run from them.
    /// </summary>
    public static TrainFormModel FromRun(string runId, TrainingOptions options, Func<string, string> display)
    {
        var model = new TrainFormModel();
        model.Load(options.WithPaths(display));
        model.SourceRun = runId;
        return model;
    }

    /// <summary>The recipe whose defaults a stage change or "Defaults" loads: <see cref="DemoRecipeName"/> or <see cref="SeedRecipeName"/>.</summary>
    public string Recipe { get; set; } = DemoRecipeName;

    public const string DemoRecipeName = "demo", SeedRecipeName = "seed";

    /// <summary>Whether the run builds new weights from the architecture fields (pretraining, or init_from scratch).</summary>
    public bool BuildsModel => Stage == TrainingStage.Pretrain || InitFrom == TrainingOptions.Scratch;

    /// <summary>A stage's defaults in a recipe: the demo recipe (checkpoints under <paramref name="outDir"/>) or the seed's.</summary>
    public static TrainingOptions Defaults(TrainingStage stage, string recipe, string outDir = "out") =>
        recipe == SeedRecipeName ? TrainingOptions.ForStage(stage) : DemoRecipe.For(stage, outDir);

    public static TrainFormModel For(TrainingStage stage, string recipe = DemoRecipeName, string outDir = "out")
    {
        var model = new TrainFormModel { Recipe = recipe };
        model.Load(Defaults(stage, recipe, outDir));
        return model;
    }

    /// <summary>Fills every field from options (a stage's defaults or an earlier run's options).</summary>
    public void Load(TrainingOptions o)
    {
        Loaded = o;
        SourceRun = null;
        Stage = o.Stage;
        Preset = o.Preset;
        ApplyConfig(o.Model ?? MiniMindConfig.Preset(MiniMindConfig.Presets.ContainsKey(o.Preset) ? o.Preset : "tiny"));
        (DataPath, TokenizerPath, InitFrom, OutputName) = (o.DataPath, o.TokenizerPath, o.InitFrom, o.OutputName);
        (Epochs, MaxSteps, BatchSize, AccumulationSteps, LearningRate, LrSchedule, WarmupSteps) =
            (o.Epochs, o.MaxSteps, o.BatchSize, o.AccumulationSteps, o.LearningRate, o.LrSchedule, o.WarmupSteps);
        (GradClip, WeightDecay, MaxSeqLen, Packed, Seed, SaveEvery, Precision, Device) =
            (o.GradClip, o.WeightDecay, o.MaxSeqLen, o.Packed, o.Seed, o.SaveEvery, o.Precision, o.Device);
        (LoraName, LoraRank, LoraTargets, DpoBeta, DpoSftWeight, Teacher, DistillAlpha, DistillTemperature, TagWeight) =
            (o.LoraName, o.LoraRank, o.LoraTargets, o.DpoBeta, o.DpoSftWeight, o.Teacher, o.DistillAlpha, o.DistillTemperature, o.TagWeight);
    }

    /// <summary>Sets the architecture fields from a preset's config.</summary>
    public void ApplyConfig(MiniMindConfig c)
    {
        (Dim, Layers, Heads, KvHeads) = (c.Dim, c.NLayers, c.NHeads, c.KvHeads);
        (UseMoe, Experts, ExpertsPerToken, SharedExpert, AuxLossAlpha) = (c.UseMoe, c.NRoutedExperts, c.NumExpertsPerTok, c.NSharedExperts, c.AuxLossAlpha);
    }

    /// <summary>The preset name for the options: the chosen preset while the architecture fields hold its values, else "custom".</summary>
    public string PresetName
    {
        get
        {
            if (!MiniMindConfig.Presets.TryGetValue(Preset, out var p)) return CustomPreset;
            var same = (Dim, Layers, Heads, KvHeads, UseMoe) == (p.Dim, p.NLayers, p.NHeads, p.KvHeads, p.UseMoe)
                && (!UseMoe || (Experts, ExpertsPerToken, SharedExpert, AuxLossAlpha) == (p.NRoutedExperts, p.NumExpertsPerTok, p.NSharedExperts, p.AuxLossAlpha));
            return same ? Preset : CustomPreset;
        }
    }

    /// <summary>What the options call an architecture edited away from every preset (its <c>model</c> config says what it is).</summary>
    public const string CustomPreset = "custom";

    /// <summary>The architecture as the form says (for pretraining from scratch; later stages take the checkpoint's).</summary>
    public MiniMindConfig Config(int vocabSize) => MiniMindConfig.Preset(MiniMindConfig.Presets.ContainsKey(Preset) ? Preset : "tiny") with
    {
        Dim = Dim,
        NLayers = Layers,
        NHeads = Heads,
        NKvHeads = KvHeads,
        UseMoe = UseMoe,
        NRoutedExperts = Experts,
        NumExpertsPerTok = ExpertsPerToken,
        NSharedExperts = SharedExpert,
        AuxLossAlpha = AuxLossAlpha,
        VocabSize = vocabSize,
    };

    /// <summary>The options to submit (not yet validated): the loaded options with the form's fields.</summary>
    public TrainingOptions ToOptions(int vocabSize) => Loaded with
    {
        Stage = Stage,
        Preset = BuildsModel ? PresetName : Preset,
        Model = BuildsModel ? Config(vocabSize) : null,
        DataPath = DataPath,
        TokenizerPath = TokenizerPath,
        InitFrom = string.IsNullOrWhiteSpace(InitFrom) ? null : InitFrom,
        OutputName = string.IsNullOrWhiteSpace(OutputName) ? null : OutputName,
        Epochs = Epochs,
        MaxSteps = MaxSteps,
        BatchSize = BatchSize,
        AccumulationSteps = AccumulationSteps,
        LearningRate = LearningRate,
        LrSchedule = LrSchedule,
        WarmupSteps = WarmupSteps,
        GradClip = GradClip,
        WeightDecay = WeightDecay,
        MaxSeqLen = MaxSeqLen,
        Packed = Packed,
        Seed = Seed,
        SaveEvery = SaveEvery,
        Precision = Precision,
        Device = Device,
        LoraName = LoraName,
        LoraRank = LoraRank,
        LoraTargets = LoraTargets,
        DpoBeta = DpoBeta,
        DpoSftWeight = DpoSftWeight,
        Teacher = string.IsNullOrWhiteSpace(Teacher) ? null : Teacher,
        DistillAlpha = DistillAlpha,
        DistillTemperature = DistillTemperature,
        TagWeight = TagWeight,
    };

    /// <summary>
    /// Field name (the options' JSON name, or the model config's) to message, for every problem found at once (the engine's
    /// rules: <see cref="TrainingOptions.Problems"/>, the model config's included); empty when the form can start.
    /// </summary>
    public Dictionary<string, string> Validate(int vocabSize)
    {
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(DataPath)) errors["data_path"] = "Choose a dataset.";
        if (string.IsNullOrWhiteSpace(TokenizerPath)) errors["tokenizer_path"] = "Choose a tokenizer.";
        foreach (var problem in ToOptions(vocabSize).Problems())
            errors.TryAdd(problem.Field, problem.Message); // the first problem of a field is the one to fix first
        return errors;
    }

    /// <summary>Rough training memory: fp32 weights, gradients and AdamW moments, plus activations of one micro-batch.</summary>
    public static long EstimateMemoryBytes(MiniMindConfig c, int batch, int seqLen)
    {
        long states = c.ParameterCount * 16;
        long perToken = (long)c.NLayers * c.Dim * 34 + c.VocabSize * 2L;
        long activations = (long)batch * seqLen * perToken * 4 / 2;
        return states + activations;
    }
}
