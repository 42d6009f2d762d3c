#!/usr/bin/env bash
# Packages the VS Code extension (editors/vscode) as a .vsix, for VS Code's Marketplace
# and Open VSX (`npx vsce publish` / `npx ovsx publish FILE`) or
# `code --install-extension FILE`.
#
#   scripts/package-vscode.sh [--dir DIR] [--offline] [OUT.vsix]
#
# DIR is the extension folder (default: editors/vscode beside this script); OUT defaults
# to DIR/shipshape-VERSION.vsix. Installs the locked dependencies with `npm ci` when
# DIR/node_modules is missing (the npm registry is the only network access); with
# --offline, npm never reaches the registry and node_modules must be there already
# (tests/editors.rs packages a copy this way). Then the type check and bundle
# (`npm run compile`, minified by vsce's `vscode:prepublish`) and `vsce package`.
#
# The extension does not carry the binary: it runs `shipshape lsp` from PATH, or the
# binary the `shipshape.path` setting names.
set -euo pipefail

dir="$(cd "$(dirname "$0")/../editors/vscode" && pwd)"
offline=()
out=""
while (($#)); do
  case "$1" in
    --dir)
      dir="$(cd "$2" && pwd)"
      shift 2
      ;;
    --offline)
      offline=(--offline)
      shift
      ;;
    -h | --help)
      sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "package-vscode.sh: unknown option $1" >&2
      exit 2
      ;;
    *)
      out="$1"
      shift
      ;;
  esac
done

cd "$dir"
if [[ ! -d node_modules ]]; then
  if ((${#offline[@]})); then
    echo "package-vscode.sh: $dir/node_modules is missing (run npm ci there first)" >&2
    exit 1
  fi
  npm ci --no-audit --no-fund
fi
version="$(node -p 'require("./package.json").version')"
out="${out:-$dir/shipshape-$version.vsix}"
npm run compile "${offline[@]}"
npm exec "${offline[@]}" -- vsce package --out "$out"
echo "packaged $out"
