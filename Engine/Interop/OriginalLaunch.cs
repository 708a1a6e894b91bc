using MiniMind.Engine.Model;

namespace MiniMind.Engine.Interop;

/// <summary>
/// A launch script for continuing a minimind3 export with the current original's trainers (jingyaogong/minimind,
/// <c>trainer/</c>) on N machines of M GPUs: plain DDP under <c>torchrun</c>. Those trainers build the model from three
/// flags (<c>--hidden_size</c>, <c>--num_hidden_layers</c>, <c>--use_moe</c>) and the rest of its config's defaults, and
/// load <c>../out/{from_weight}_{hidden}{_moe}.pth</c>: a model whose other sizes differ from those defaults cannot be
/// rebuilt there, and gets no script (<see cref="Script"/> returns null).
/// </summary>
public static class OriginalLaunch
{
    public const string FileName = "continue_with_minimind.sh";

    /// <summary>The stage that naturally follows each export, as the original's trainer file and its data default.</summary>
    static (string Trainer, string Data) Next(string? stage) => stage switch
    {
        null or "pretrain" => ("train_full_sft.py", "../dataset/sft_t2t_mini.jsonl"),
        "sft" or "lora" or "distill" => ("train_dpo.py", "../dataset/dpo.jsonl"),
        _ => ("train_grpo.py", "../dataset/rlaif.jsonl"),
    };

    public static string? Script(MiniMindConfig config, string weightFile, string? stage)
    {
        var rebuilt = MiniMindConfig.Preset(config.UseMoe ? "minimind3-moe" : "minimind3") with { Dim = config.Dim, NLayers = config.NLayers };
        bool same = (config.NHeads, config.KvHeads, config.VocabSize, config.FfnHiddenDim, config.NormEps, config.RopeTheta)
            == (rebuilt.NHeads, rebuilt.KvHeads, rebuilt.VocabSize, rebuilt.FfnHiddenDim, rebuilt.NormEps, rebuilt.RopeTheta)
            && (!config.UseMoe || (config.NRoutedExperts, config.NumExpertsPerTok, config.NSharedExperts, config.NormTopkProb)
                == (rebuilt.NRoutedExperts, rebuilt.NumExpertsPerTok, rebuilt.NSharedExperts, rebuilt.NormTopkProb));
        if (!same) return null;
        var (trainer, data) = Next(stage);
        var from = weightFile[..weightFile.LastIndexOf('_')]; // pretrain_768.pth -> pretrain
        if (config.UseMoe) from = from[..from.LastIndexOf('_')];
        return $$"""
            #!/usr/bin/env bash
            # Continue this model with the current original MiniMind's trainers (github.com/jingyaogong/minimind), plain DDP
            # under torchrun. Written by MiniMind Studio's export. On every machine:
            #   MINIMIND=/path/to/minimind NNODES=2 NODE_RANK=0 MASTER_ADDR=10.0.0.1 NPROC=8 bash {{FileName}}
            # (NODE_RANK 0 on the first machine, 1 on the second, ...). The weights go to $MINIMIND/out/{{weightFile}}, the
            # data path below is the trainer's default; the result lands in $MINIMIND/out/ and comes back with
            #   dotnet run --project Studio -- import $MINIMIND/out/<result>.pth --out out/<name>.safetensors
            # (its sizes are read off the weights). The trainers use NCCL and CUDA; on CPU-only machines they need gloo.
            set -euo pipefail
            : "${MINIMIND:?set MINIMIND to a checkout of jingyaogong/minimind}"
            NNODES="${NNODES:-1}"; NODE_RANK="${NODE_RANK:-0}"; NPROC="${NPROC:-1}"
            MASTER_ADDR="${MASTER_ADDR:-127.0.0.1}"; MASTER_PORT="${MASTER_PORT:-29500}"
            DATA="${DATA:-{{data}}}"
            here="$(cd "$(dirname "$0")" && pwd)"
            mkdir -p "$MINIMIND/out"
            cp "$here/{{weightFile}}" "$MINIMIND/out/{{weightFile}}"
            cd "$MINIMIND/trainer"
            # TORCHRUN_ARGS adds torchrun options (e.g. --rdzv_backend c10d); the arguments of this script go to the trainer
            # shellcheck disable=SC2086
            torchrun --nnodes "$NNODES" --node_rank "$NODE_RANK" --nproc_per_node "$NPROC" \
              --master_addr "$MASTER_ADDR" --master_port "$MASTER_PORT" ${TORCHRUN_ARGS:-} \
              {{trainer}} --hidden_size {{config.Dim}} --num_hidden_layers {{config.NLayers}} --use_moe {{(config.UseMoe ? 1 : 0)}} \
              --from_weight {{from}} --data_path "$DATA" "$@"

            """;
    }
}
