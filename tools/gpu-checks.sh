#!/usr/bin/env bash
# Every GPU check of the performance work in one call on the lent GPU machine (a session has 15 minutes of
# device time, so this runs in under 9 minutes and skips what no longer fits).
#
# Here (the dev machine):   bash tools/gpu-bundle.sh   (device-bundle.sh without the web UI's assets: 58 MiB with the tree)
# Then the device tool:     run  command "bash tools/gpu-checks.sh"  carry [".device-bundle"]  timeout_s 600
#                           kind nvidia-h200 where the figures are to be set beside ENGINEERING.md's H200 anchors
# Results come back under $OUT: gpu-checks.jsonl (each JSON line the app printed, with the check's name, exit code,
# seconds and the GPU memory in use at its peak as nvidia-smi saw it: the CUDA context and the caching allocator's
# reserve included, so an upper bound of what the tensors needed) and gpu-checks.log (everything printed).
#
# Dry run on a machine without a GPU (checks the script and the verbs, not the figures):
#   GPU_CHECKS_DEVICE=cpu GPU_CHECKS_QUICK=1 GPU_CHECKS_APP="dotnet tools/Bench/bin/Release/net10.0/MiniMind.Bench.dll" \
#   GPU_CHECKS_PYTHON=/usr/bin/python3 bash tools/gpu-checks.sh        (the PyTorch step needs a python3 with torch)
set -uo pipefail
out=${OUT:-/tmp/gpu-checks}
mkdir -p "$out"
results=$out/gpu-checks.jsonl
log=$out/gpu-checks.log
device=${GPU_CHECKS_DEVICE:-cuda}
app=${GPU_CHECKS_APP:-bash .device-bundle/run.sh}
quick=${GPU_CHECKS_QUICK:-}
budget=${GPU_CHECKS_BUDGET_S:-540}
began=$(date +%s)
: > "$results"

{
  date -u
  nvidia-smi --query-gpu=name,memory.total,memory.used,driver_version --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
  python3 -c 'import torch; print("pytorch", torch.__version__, "cuda", torch.version.cuda)' 2>/dev/null || true
} | tee -a "$log"

# check NAME LIMIT_S ARGS...: runs the app (ARGS, then --device) under a time limit while sampling the GPU's used
# memory every 50 ms, and appends each JSON line it prints, annotated, to the results;
# with CHECK_COMMAND set, runs that command with ARGS instead of the app
check() {
  local name=$1 limit=$2
  shift 2
  local left=$((budget - ($(date +%s) - began)))
  if [ "$left" -lt 20 ]; then
    echo "{\"check\":\"$name\",\"skipped\":\"out of time\"}" >> "$results"
    return
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  echo "== $name ($limit s): $*" | tee -a "$log"
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 50 > "$out/mem.tmp" 2>/dev/null &
  local sampler=$! start
  start=$(date +%s)
  if [ -n "${CHECK_COMMAND:-}" ]; then
    timeout "$limit" $CHECK_COMMAND "$@" > "$out/run.tmp" 2>> "$log"
  else
    timeout "$limit" $app "$@" --device "$device" > "$out/run.tmp" 2>> "$log"
  fi
  local rc=$?
  kill "$sampler" 2>/dev/null
  wait "$sampler" 2>/dev/null
  local peak
  peak=$(sort -n "$out/mem.tmp" 2>/dev/null | tail -n 1)
  cat "$out/run.tmp" >> "$log"
  NAME=$name RC=$rc SECONDS_TAKEN=$(($(date +%s) - start)) PEAK=${peak:-} python3 - "$out/run.tmp" >> "$results" <<'PY'
import json, os, sys
lines = [l for l in open(sys.argv[1], encoding="utf-8", errors="replace") if l.startswith("{")]
extra = {"check": os.environ["NAME"], "rc": int(os.environ["RC"]), "seconds": int(os.environ["SECONDS_TAKEN"])}
peak = os.environ.get("PEAK", "").strip()
if peak.isdigit():
    extra["gpu_memory_used_peak_mib"] = int(peak)
for line in lines or ['{"error": "no JSON line: see gpu-checks.log"}']:
    try:
        record = json.loads(line)
    except ValueError:
        record = {"unparsed": line.strip()}
    record.update(extra)
    print(json.dumps(record))
PY
  rm -f "$out/mem.tmp" "$out/run.tmp"
}

if [ -n "$quick" ]; then
  small="--preset tiny" base="--preset tiny" moe="--preset tiny" b=4 seq=64 steps=8 gen="--preset tiny --new-tokens 16 --runs 1"
else
  small="--preset small" base="--preset base" moe="--preset moe" b=32 seq=511 steps=120 gen="--preset small"
fi

# the engine must see the GPU: TorchSharp finds the PyTorch libtorch through run.sh's LD_LIBRARY_PATH; should that
# fail, bind it explicitly (MINIMIND_LIBTORCH, the engine's own loader) and say so in the log
if ! timeout 60 $app info --device "$device" >> "$log" 2>&1; then
  echo "info failed; retrying with MINIMIND_LIBTORCH" | tee -a "$log"
  MINIMIND_LIBTORCH=$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null)
  export MINIMIND_LIBTORCH
  timeout 60 $app info --device "$device" >> "$log" 2>&1 || echo "info failed again: see above" | tee -a "$log"
fi

# correctness first: the reference fixture on this device
check parity-fp32 60 parity
# generation (issue 6): batch 1 and 8, bf16 projections by default on CUDA
check generate 120 generate $gen --batch 1 8
# training (issue 10): the loop beside the same work in a bare loop and with TorchSharp's per-parameter AdamW
check train-small-compare 150 train $small --batch $b --seq $seq --steps $steps --precision bf16
# one model in memory: the throughput and memory figures set beside the anchors
check train-small 60 train $small --batch $b --seq $seq --steps $steps --precision bf16 --loop-only
# the chunked head lever (output head + cross-entropy fused a chunk of tokens at a time, the default) against
# the whole logits tensor: peak memory first, tokens/s second
check train-small-fullhead 60 train $small --batch $b --seq $seq --steps $steps --precision bf16 --loop-only --head full
# the bf16-pure lever (bf16 working copies, fp32 masters) beside the bf16 (cast per projection) default
check train-small-pure 60 train $small --batch $b --seq $seq --steps $steps --precision bf16-pure --loop-only
check train-base 75 train $base --batch $b --seq $seq --steps $((steps / 2)) --precision bf16 --loop-only
check train-base-pure 75 train $base --batch $b --seq $seq --steps $((steps / 2)) --precision bf16-pure --loop-only
check train-moe 75 train $moe --batch $b --seq $seq --steps $((steps / 2)) --precision bf16 --loop-only
check train-small-b128 60 train $small --batch $((b * 4)) --seq $seq --steps $((steps / 2)) --precision bf16 --loop-only
# the host-sync lever: a read of the loss after every step
check train-small-sync1 50 train $small --batch $b --seq $seq --steps $steps --precision bf16 --loop-only --sync-every 1
# packing on real lengths (the demo corpus: short documents)
check train-padded 50 train $small --batch $b --seq $((seq + 1)) --steps $((steps / 2)) --precision bf16 --loop-only \
  --data dataset/pretrain_demo.jsonl --tokenizer dataset/minimind_tokenizer
check train-packed 50 train $small --batch $b --seq $((seq + 1)) --steps $((steps / 2)) --precision bf16 --loop-only \
  --data dataset/pretrain_demo.jsonl --tokenizer dataset/minimind_tokenizer --packed
# PyTorch on the same card, the same shapes (tools/reference_step.py), for the side-by-side with the anchors
if [ -n "$quick" ]; then ref="--preset tiny --batch 2 --seq 32 --steps 2"; refmoe="--preset tiny --batch 2 --seq 32 --steps 2"
else ref="--preset small --batch 32 --seq 511 --steps 60"; refmoe="--preset moe --batch 32 --seq 511 --steps 20"; fi
CHECK_COMMAND="${GPU_CHECKS_PYTHON:-python3} tools/reference_step.py" check pytorch-small 60 $ref --device "$device"
CHECK_COMMAND="${GPU_CHECKS_PYTHON:-python3} tools/reference_step.py" check pytorch-moe 60 $refmoe --device "$device"
# the same checks in the other precisions
check parity-bf16 45 parity --precision bf16
check generate-fp32 60 generate $gen --batch 1 --dtype fp32
check generate-compute-only 60 generate $gen --batch 1 --compute-only

echo "done in $(($(date +%s) - began)) s" | tee -a "$log"
