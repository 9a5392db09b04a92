#!/usr/bin/env bash
# Run by `mvn verify` (after package): unpacks target/promptly-VERSION.tar.gz into a temporary
# folder and runs a dialogue from there with Maven nowhere on PATH; --version must name the commit.
set -euo pipefail
archive=$1 commit=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar xzf "$archive" -C "$tmp"
home=$(echo "$tmp"/promptly-*)
# A PATH with sh, coreutils and java only: no mvn.
mkdir "$tmp/path"
for t in sh bash env sed readlink dirname cat echo printf; do
  ln -s "$(command -v "$t")" "$tmp/path/$t"
done
java=$(readlink -f "$(command -v java)")
ln -s "$java" "$tmp/path/java"
cat > "$tmp/hello.yaml" <<'YAML'
name: hello
command: [sh, -c, 'echo "hello from the release"']
steps:
  - expect: "hello from the release"
YAML
cd "$tmp"
env -i PATH="$tmp/path" HOME="$tmp" "$home/bin/promptly" --version | tee "$tmp/version"
grep -q "$commit" "$tmp/version" || { echo "release: --version does not name $commit" >&2; exit 1; }
env -i PATH="$tmp/path" HOME="$tmp" "$home/bin/promptly" run hello.yaml --json "$tmp/r.json"
grep -q '"passed" : true' "$tmp/r.json"
if env -i PATH="$tmp/path" bash -c "command -v mvn" >/dev/null 2>&1; then echo "mvn on PATH" >&2; exit 1; fi
echo "release: unpacked $(basename "$archive"), ran a dialogue from it, version names $commit"
