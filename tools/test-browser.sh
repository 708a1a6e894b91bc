#!/usr/bin/env bash
# Installs what the studio's browser tests need: Debian's Chromium, and CJK fonts so that the screenshots show
# Chinese text. `dotnet test` runs it before Studio.Tests (target InstallTestBrowser in Studio.Tests.csproj).
# It installs only what is missing, through apt-get, as root or with passwordless sudo; MINIMIND_NO_INSTALL=1
# opts out, and MINIMIND_CHROMIUM (a browser of your own) leaves Chromium alone. It never stops the tests: without
# Chromium the browser tests are reported as skipped, with the reason.
# Usage: tools/test-browser.sh OUTCOME_FILE   (one line saying what happened, read back by the tests' skip reason;
# apt-get's own output goes to OUTCOME_FILE's .log). Exit status 0: nothing was missing or it was installed.
set -uo pipefail
outcome=${1:-/dev/null}
log=/dev/null
if [ "$outcome" != /dev/null ]; then mkdir -p "$(dirname "$outcome")"; log=${outcome%.*}.log; : > "$log"; fi
say() { echo "$*" > "$outcome"; echo "test browser: $*"; }

missing=()
if [ -z "${MINIMIND_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
if [ ! -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then missing+=(fonts-noto-cjk); fi
if [ ${#missing[@]} -eq 0 ]; then say "nothing to install"; exit 0; fi

if [ "${MINIMIND_NO_INSTALL:-}" = 1 ]; then say "not installing ${missing[*]}: MINIMIND_NO_INSTALL=1"; exit 0; fi
if ! command -v apt-get > /dev/null; then say "cannot install ${missing[*]}: no apt-get (not Debian or Ubuntu)"; exit 1; fi
if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo > /dev/null && sudo -n true 2> /dev/null; then sudo=(sudo -n)
else say "cannot install ${missing[*]}: not root, and no passwordless sudo"; exit 1; fi

echo "test browser: installing ${missing[*]} (apt-get, output in $log)"
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive timeout 900 apt-get -q -o Dpkg::Use-Pty=0)
if ! "${apt[@]}" update >> "$log" 2>&1; then say "apt-get update failed (no network or mirror?): see $log"; exit 1; fi
if ! "${apt[@]}" install -y "${missing[@]}" >> "$log" 2>&1; then
  say "apt-get install -y ${missing[*]} failed (Ubuntu ships Chromium only as a snap: set MINIMIND_CHROMIUM): see $log"; exit 1
fi
say "installed ${missing[*]}"
