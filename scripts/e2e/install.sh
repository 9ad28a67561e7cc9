#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs, outside the repository, and reuses it when present:
#  - Debian's chromium (the browser playwright-core drives), ripgrep (VS Code's search, copied in so
#    nothing is downloaded), libkrb5-dev and a C++ toolchain (code-server's native modules build with
#    node-gyp);
#  - code-server (VS Code's web build, from npm) in $FORKSCOPE_E2E_CACHE, default
#    ~/.cache/forkscope-e2e/code-server-VERSION.
# A plain `npm install code-server` runs a postinstall that downloads ripgrep from outside the npm
# registry, which this kind of machine cannot reach; so the postinstall's steps are done by hand,
# as shared/vscode-e2e.md describes. Not being able to install is reported, not fatal: the test then
# skips with the reason.
set -uo pipefail

CODE_SERVER_VERSION="${FORKSCOPE_E2E_CODE_SERVER_VERSION:-4.100.3}"
CACHE="${FORKSCOPE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/forkscope-e2e}"
DIR="$CACHE/code-server-$CODE_SERVER_VERSION"

log() { echo "e2e install: $*"; }

# --- Debian packages -------------------------------------------------------------------------------
packages=(chromium ripgrep libkrb5-dev python3 make g++)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "apt-get install ${missing[*]} (about 2 minutes the first time)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null && apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null \
      || log "apt-get failed; the test will skip what is missing"
  else
    log "missing Debian packages ${missing[*]}; install them as root (the test will skip without them)"
  fi
fi

# --- code-server -----------------------------------------------------------------------------------
# The marker is written last, so an interrupted install is started again from scratch.
if [[ -f "$DIR/.complete" ]]; then
  log "code-server $CODE_SERVER_VERSION present in $DIR"
  exit 0
fi
if ! command -v rg >/dev/null || ! command -v g++ >/dev/null; then
  log "cannot build code-server without ripgrep and g++; the test will skip"
  exit 0
fi

install_code_server() {
  set -e
  rm -rf "$DIR"
  mkdir -p "$DIR"
  cd "$DIR"
  # An own package.json keeps npm from walking up into whatever project encloses the cache.
  echo '{ "name": "forkscope-e2e-code-server", "private": true }' > package.json
  # Native modules build from source with node-gyp instead of fetching prebuilt binaries from
  # outside the registry; node-pty's build runs `npx node-gyp`, which must not prompt.
  export npm_config_build_from_source=true npm_config_yes=true npm_config_fund=false npm_config_audit=false
  log "npm install code-server@$CODE_SERVER_VERSION"
  npm install --ignore-scripts --no-save "code-server@$CODE_SERVER_VERSION" </dev/null
  npm rebuild argon2 </dev/null
  cd node_modules/code-server/lib/vscode
  log "VS Code's own dependencies"
  npm install --omit=dev --ignore-scripts </dev/null
  mkdir -p node_modules/@vscode/ripgrep/bin
  cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  log "building VS Code's native modules (about 80 s on 2 cores)"
  npm rebuild </dev/null
  ln -sfn node_modules node_modules.asar
  (cd bin/remote-cli && ln -sfn code-linux.sh code-server)
  (cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
  (cd extensions && npm install --omit=dev </dev/null)
  touch "$DIR/.complete"
}

start=$SECONDS
if (install_code_server); then
  log "code-server $CODE_SERVER_VERSION installed in $DIR in $((SECONDS - start)) s"
else
  log "installing code-server failed (see above); the test will skip"
  rm -rf "$DIR"
fi
exit 0
