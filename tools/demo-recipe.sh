#!/usr/bin/env bash
# Runs the whole demo recipe from the command line (pretrain -> SFT -> DPO -> LoRA, reasoning, distillation, GRPO, tools) into
# OUT_DIR, times each stage, and prints every stage's held-out benchmark: the figures of docs/training.md.
#   bash tools/demo-recipe.sh [OUT_DIR]      (default: a new folder under /tmp; needs a Release build:
#                                             dotnet build Studio -c Release)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d /tmp/minimind-demo.XXXXXX)}"
studio=(dotnet Studio/bin/Release/net10.0/MiniMind.Studio.dll)
[ -f "${studio[1]}" ] || { echo "build first: dotnet build Studio -c Release" >&2; exit 1; }
stage() {
  local start=$SECONDS
  "${studio[@]}" train "$1" --recipe demo --set out_dir="$out" > "$out/$1.log" 2>&1 || { echo "$1 failed: $out/$1.log" >&2; tail -5 "$out/$1.log" >&2; exit 1; }
  echo "stage $1: $((SECONDS - start)) s"
}
score() { # checkpoint benchmark
  "${studio[@]}" eval --model "$out/$1.safetensors" --benchmark "$2" --out-dir "$out" 2>/dev/null | grep -E '^(accuracy|perplexity)' | sed "s/^/$1 $2: /"
}
mkdir -p "$out"
echo "out: $out"
for s in pretrain sft dpo lora reason distill grpo tools; do stage "$s"; done
for m in demo_pretrain demo_full_sft demo_rlhf demo_lora_juniper demo_reason demo_distill demo_grpo demo_tools; do score "$m" demo; done
for m in demo_full_sft demo_rlhf; do score "$m" preference; done
for m in demo_rlhf demo_lora_juniper; do score "$m" identity; done
for m in demo_rlhf demo_reason; do score "$m" reasoning; done
for m in demo_full_sft demo_rlhf demo_grpo; do score "$m" grpo; done
for m in demo_rlhf demo_tools; do score "$m" tools; done
