#!/usr/bin/env bash
# Installs what the VS Code browser tests need, idempotently:
#   - Debian packages (only the missing ones): a C toolchain and headers for code-server's native
#     modules, ripgrep (code-server's search; its own postinstall would download one), Chromium;
#   - code-server (VS Code 1.100.3 in the browser) from the npm registry into .cache/code-server,
#     with its native modules rebuilt from source (no prebuilt downloads: only registries are
#     reachable);
#   - playwright-core (drives Debian's /usr/bin/chromium) in the project's node_modules.
# usage: scripts/setup-code-server.sh      (CS_VERSION, CS_DIR override the version and folder)
# Takes a few minutes cold, about a second when everything is already there.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VER=${CS_VERSION:-4.100.3}
DEST=${CS_DIR:-$ROOT/.cache/code-server}
STAMP=$DEST/.installed-$VER

log() { printf '[setup-code-server] %s\n' "$*"; }

# 1. Debian packages, installed only when missing.
need=()
for p in build-essential pkg-config libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev \
         ripgrep chromium python3 python3-venv; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    log "apt-get install ${need[*]}"
    if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq "${need[@]}" >/dev/null
fi

# 2. code-server from npm (skipped when the stamp of a finished install is there).
if [ -f "$STAMP" ] && [ -x "$DEST/node_modules/.bin/code-server" ]; then
    log "code-server $VER already in $DEST"
else
    log "installing code-server $VER into $DEST"
    export npm_config_nodedir=${NODEDIR:-/usr}   # node-gyp builds against the local headers
    export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
    mkdir -p "$DEST"
    (
        cd "$DEST"
        [ -f package.json ] || npm init -y >/dev/null
        # its postinstall would download ripgrep and prebuilt modules: skipped, rebuilt below
        npm install --ignore-scripts --no-save "code-server@$VER" >/dev/null
        npm_config_dangerously_allow_all_scripts=true npm rebuild argon2 >/dev/null
        cd node_modules/code-server/lib/vscode
        npm install --omit=dev --ignore-scripts >/dev/null
        mkdir -p node_modules/@vscode/ripgrep/bin
        cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
        pkgs=$(npm install-scripts ls 2>&1 | sed -n 's/^  \(.*\)@[^@]* (.*/\1/p' \
               | grep -v -E 'ripgrep|windows' || true)
        # native modules (node-pty, @parcel/watcher, spdlog, ...); node-pty's npx step may fail
        # harmlessly
        # shellcheck disable=SC2086
        npm_config_dangerously_allow_all_scripts=true npm rebuild $pkgs >/dev/null 2>&1 || true
        ln -sfn node_modules node_modules.asar
        (cd bin/remote-cli && ln -sfn code-linux.sh code-server)
        (cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
        cd extensions
        npm install --omit=dev --ignore-scripts >/dev/null
        node ./postinstall.mjs >/dev/null
    )
    "$DEST/node_modules/.bin/code-server" --version >/dev/null
    touch "$STAMP"
    log "code-server $VER installed: $DEST/node_modules/.bin/code-server"
fi

# 3. playwright-core, from package.json's devDependencies (or on its own when not yet installed).
cd "$ROOT"
if [ ! -d node_modules/playwright-core ]; then
    if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >/dev/null
    else npm install --no-save --no-audit --no-fund playwright-core >/dev/null; fi
fi
log "ready: $DEST/node_modules/.bin/code-server, /usr/bin/chromium, playwright-core"
