#!/usr/bin/env bash
# The adversarial suite alone (it also runs in the full test command): kill -9 during training, damaged files, malformed
# dataset lines, API fuzz, foreign sites, script payloads in the browser. Prints each part's figures:
#   bash tools/adversarial.sh
set -euo pipefail
cd "$(dirname "$0")/.."
artifacts=Studio.Tests/bin/Debug/net10.0/artifacts/adversarial
rm -rf "$artifacts"
status=0
dotnet test Studio.Tests --filter "FullyQualifiedName~.Adversarial.|FullyQualifiedName~HostileTextBrowserTests" || status=$?
echo
echo "adversarial suite ($(date -u +%Y-%m-%d), $(nproc) cores):"
cat "$artifacts"/*.txt 2>/dev/null || echo "no figures were written"
exit $status
