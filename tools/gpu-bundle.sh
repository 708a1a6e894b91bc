#!/usr/bin/env bash
# Packs the bench tool (tools/Bench, which carries the studio's command line) for tools/gpu-checks.sh on the lent GPU machine: ../shared/tools/device-bundle.sh, then
# without what only the web UI loads (MudBlazor, Plotly.Blazor, static web assets: about 26 MB), so the bundle
# and the working tree fit the 64 MiB that may travel. The CLI verbs never load those assemblies.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ../shared/tools/device-bundle.sh tools/Bench/MiniMind.Bench.csproj .device-bundle
rm -rf .device-bundle/app/wwwroot .device-bundle/app/MudBlazor.dll .device-bundle/app/Plotly.Blazor.dll
bundle=$(du -sm .device-bundle | cut -f1)
tree=$(git ls-files -z | du -cm --files0-from=- | tail -n 1 | cut -f1)
echo "bundle ${bundle} MiB + tracked files ${tree} MiB (limit 64 MiB for all that travels)"
