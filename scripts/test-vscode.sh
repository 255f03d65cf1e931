#!/usr/bin/env bash
# The extension in real VS Code: code-server 4.100.3 (VS Code 1.100.3) driven by playwright-core in
# Debian's headless Chromium. Builds the VSIX, installs it into a private code-server, builds demo
# workspaces with real venvs (offline, wheels written by the test), then runs three phases:
#   trusted      squiggles, Problems rows, status bar, Ctrl+. quick fix, pip install seen live
#   restricted   workspace trust on: static findings only, "Restricted"; trusting lifts it
#   integration  the extension-host suite (client-extension/test/integration/suite.js) through
#                code-server's payload route (extensionDevelopmentPath/extensionTestsPath)
#   python-extension  the same route with a stand-in for ms-python.python installed
#                (client-extension/test/integration/python-extension.suite.js)
# Screenshots and logs go to test-artifacts/vscode/. The last line is "N passed, M failed".
# usage: scripts/test-vscode.sh [trusted] [restricted] [integration] [python-extension]
#        (default: all four)
# Needs scripts/setup-code-server.sh (run here; idempotent) and python3 with venv.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PHASES=("$@")
[ ${#PHASES[@]} -gt 0 ] || PHASES=(trusted restricted integration python-extension)
ARTIFACTS=$ROOT/test-artifacts/vscode
CS=${CS_DIR:-$ROOT/.cache/code-server}/node_modules/.bin/code-server
PY=${PINWISE_TEST_PYTHON:-python3}

log() { printf '\n==> %s\n' "$*"; }
# pip, run by the tests and by the server's commands, never reads this machine's configuration.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^PIP_' || true)
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
t0=$(date +%s)

log "setup (code-server, Chromium, playwright-core)"
scripts/setup-code-server.sh
[ -d node_modules/vscode-languageclient ] || npm ci --no-audit --no-fund

log "building the VSIX"
mkdir -p "$ROOT/.cache"
npm run --silent package >"$ROOT/.cache/package.log" 2>&1 || { cat "$ROOT/.cache/package.log"; exit 1; }
VSIX=$(ls -t dist/pinwise-*.vsix | head -1)
echo "$VSIX"

WORK=$(mktemp -d /tmp/pinwise-vscode.XXXXXX)
rm -rf "$ARTIFACTS" && mkdir -p "$ARTIFACTS"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "${KEEP_WORK:-}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# A private code-server profile: user data, extensions, config, settings.
make_profile() {  # NAME -> $WORK/NAME/{user,ext,config.yaml}
    local dir=$WORK/$1 port
    port=$(free_port)
    mkdir -p "$dir/user/User" "$dir/ext"
    printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$port" >"$dir/config.yaml"
    cat >"$dir/user/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "security.workspace.trust.startupPrompt": "never",
  "security.workspace.trust.banner": "never",
  "files.autoSave": "off",
  "editor.hover.delay": 150,
  "chat.disableAIFeatures": true
}
JSON
    echo "$port"
}

start_cs() {  # NAME PORT [extra args...] -> starts in the background, waits until it answers
    local name=$1 port=$2; shift 2
    local dir=$WORK/$name
    "$CS" --config "$dir/config.yaml" --user-data-dir "$dir/user" --extensions-dir "$dir/ext" \
        --disable-telemetry --disable-update-check --disable-getting-started-override "$@" \
        >"$ARTIFACTS/$name-code-server.log" 2>&1 &
    PIDS+=($!)
    local deadline=$(( $(date +%s) + 60 ))
    until curl -fs -o /dev/null "http://127.0.0.1:$port/healthz"; do
        [ "$(date +%s)" -lt "$deadline" ] || { echo "code-server $name did not answer"; cat "$ARTIFACTS/$name-code-server.log"; return 1; }
        sleep 0.2
    done
}

stop_cs() {
    local pid=${PIDS[-1]}
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset 'PIDS[-1]'
}

copy_logs() {  # NAME: the extension's output channel and the extension host logs
    local dir=$WORK/$1
    find "$dir/user/logs" -type f \( -name '*Pinwise*.log' -o -name 'exthost.log' -o -name 'remoteexthost.log' \) 2>/dev/null \
        | while read -r f; do cp "$f" "$ARTIFACTS/$1-$(basename "$f")"; done || true
}

passed=0; failed=0
run_phase() {  # MODE NAME PORT [env...]
    local mode=$1 name=$2 port=$3; shift 3
    local out=$ARTIFACTS/$name-driver.log
    local ts=$(date +%s)
    set +e
    env "$@" MODE="$mode" PORT="$port" ARTIFACTS="$ARTIFACTS" node client-extension/test/e2e/vscode.e2e.js | tee "$out"
    set -e
    local line
    line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -1 || true)
    if [ -z "$line" ]; then failed=$((failed + 1)); echo "$mode: the driver did not finish"; return; fi
    local p f
    p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line"); f=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$line")
    passed=$((passed + p)); failed=$((failed + f))
    echo "# ${name#cs-} phase took $(( $(date +%s) - ts )) s"
}

make_workspace() {  # DIR -> prints the info JSON into DIR.json
    "$PY" client-extension/test/e2e/make_workspace.py "$1" --template "$WORK/template" >"$1.json"
}

for phase in "${PHASES[@]}"; do
    case $phase in
    trusted|restricted)
        log "$phase: demo workspace, VSIX into a fresh code-server"
        make_workspace "$WORK/ws-$phase"
        ran=$WORK/$phase-interpreter-runs.log
        if [ "$phase" = restricted ]; then
            # The venv's interpreter logs every start: Restricted Mode must never run it.
            venv_bin=$WORK/ws-$phase/.venv/bin
            real=$(readlink -f "$venv_bin/python")
            rm "$venv_bin/python"
            printf '#!/bin/bash\necho "$$ $0 $*" >> %q\nexec -a "$0" %q "$@"\n' "$ran" "$real" >"$venv_bin/python"
            chmod +x "$venv_bin/python"
        fi
        port=$(make_profile "cs-$phase")
        "$CS" --config "$WORK/cs-$phase/config.yaml" --user-data-dir "$WORK/cs-$phase/user" \
            --extensions-dir "$WORK/cs-$phase/ext" --install-extension "$VSIX" >"$ARTIFACTS/$phase-install.log" 2>&1
        extra=()
        [ "$phase" = trusted ] && extra=(--disable-workspace-trust)
        start_cs "cs-$phase" "$port" "${extra[@]}"
        run_phase "$phase" "cs-$phase" "$port" WORKSPACE_INFO="$WORK/ws-$phase.json" INTERPRETER_RUNS="$ran"
        stop_cs
        copy_logs "cs-$phase"
        ;;
    integration|python-extension)
        log "$phase: extension-host suite (payload route)"
        npm run --silent build >/dev/null
        make_workspace "$WORK/ws-$phase"
        port=$(make_profile "cs-$phase")
        suite=$ROOT/client-extension/test/integration/suite.js
        if [ "$phase" = python-extension ]; then
            # A stand-in for ms-python.python (no gallery here), selecting .venv-alt.
            fake=$ROOT/client-extension/test/fixtures/fake-python
            (cd "$fake" && node "$ROOT/node_modules/@vscode/vsce/vsce" package --no-dependencies \
                --allow-missing-repository --skip-license --out "$WORK/fake-python.vsix" >/dev/null)
            "$CS" --config "$WORK/cs-$phase/config.yaml" --user-data-dir "$WORK/cs-$phase/user" \
                --extensions-dir "$WORK/cs-$phase/ext" --install-extension "$WORK/fake-python.vsix" \
                >"$ARTIFACTS/$phase-install.log" 2>&1
            "$PY" - "$WORK/ws-$phase" <<'PY'
import json, pathlib, sys
ws = pathlib.Path(sys.argv[1])
settings = ws / ".vscode" / "settings.json"
data = json.loads(settings.read_text())
data["fakePython.selected"] = str(ws / ".venv-alt" / "bin" / "python")
settings.write_text(json.dumps(data, indent=2) + "\n")
PY
            suite=$ROOT/client-extension/test/integration/python-extension.suite.js
        fi
        result=$WORK/$phase-result.json
        # The oldest Python the server supports, when this machine has one (pyenv or Debian).
        py39=$(ls /root/.pyenv/versions/3.9.*/bin/python3 /usr/bin/python3.9 2>/dev/null | head -1 || true)
        PINWISE_TEST_PY39=$py39 PINWISE_TEST_RESULT=$result start_cs "cs-$phase" "$port" --disable-workspace-trust
        run_phase integration "cs-$phase" "$port" WORKSPACE_INFO="$WORK/ws-$phase.json" \
            RESULT="$result" EXTENSION_ROOT="$ROOT" SUITE="$suite" LABEL="$phase"
        stop_cs
        copy_logs "cs-$phase"
        [ -f "$result" ] && cp "$result" "$ARTIFACTS/$phase-result.json"
        ;;
    *) echo "unknown phase $phase"; exit 2 ;;
    esac
done

echo
echo "# VS Code tests took $(( $(date +%s) - t0 )) s; artifacts in ${ARTIFACTS#$ROOT/}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
