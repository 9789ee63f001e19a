#!/usr/bin/env bash
# Checks that every published crate builds from its packaged form: what
# `cargo package` verifies, for the price of a `cargo check`.
#
# 1. `cargo package --no-verify` makes the five .crate files, in dependency
#    order. It fails on what the manifests get wrong: a workspace dependency
#    without a version, a missing readme, a dependency that does not
#    resolve.
# 2. The .crate files are unpacked side by side into a scratch workspace
#    whose `[patch.crates-io]` points each crate's dependencies on the
#    others at their unpacked forms, with the workspace's Cargo.lock and
#    profiles, and `cargo check` builds it: the build scripts run (the
#    raw client is generated from the packaged openapi.yaml, the command
#    line's commands from the path apivideo-raw's build script hands it)
#    and every source file is compiled, so a file that the package leaves
#    out fails here.
#
# `cargo package` with its own verification does the same with a full
# build of each crate alone (its features resolved alone), which compiles
# most of the dependency graph again several times: minutes, where this
# reuses the artifacts of the stages before it.
set -euo pipefail
cd "$(dirname "$0")/.."

crates=(apivideo-codegen apivideo-raw apivideo apivideo-emulator apivideo-cli)
version=$(cargo metadata --format-version 1 --no-deps --offline |
  python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "apivideo-raw"))')
target=$(realpath -m "${CARGO_TARGET_DIR:-target}")

args=()
for crate in "${crates[@]}"; do args+=(--package "$crate"); done
# --allow-dirty: the working tree as it is, uncommitted edits included.
cargo package --locked --offline --no-verify --allow-dirty "${args[@]}"

scratch=$target/package-check
rm -rf "$scratch"
mkdir -p "$scratch"
members=""
patches=""
for crate in "${crates[@]}"; do
  # -m: the files are dated now, not with the archive's fixed dates, which
  # could make cargo take a previous run's artifacts for fresh.
  tar -xzmf "$target/package/$crate-$version.crate" -C "$scratch"
  members+="\"$crate-$version\", "
  patches+="$crate = { path = \"$crate-$version\" }"$'\n'
  echo "$crate-$version.crate: $(tar -tzf "$target/package/$crate-$version.crate" | wc -l) files, $(stat -c %s "$target/package/$crate-$version.crate") bytes"
done
{
  echo "[workspace]"
  echo "members = [${members%, }]"
  echo 'resolver = "3"'
  echo
  echo "[patch.crates-io]"
  echo "$patches"
  # The workspace's profiles, so that the dependencies compiled by the
  # stages before are reused as they are.
  awk '/^\[/ { keep = ($0 ~ /^\[profile\./) } keep' Cargo.toml
} >"$scratch/Cargo.toml"
cp Cargo.lock "$scratch/"

# Not --locked: the scratch workspace lacks xtask, which cargo drops from
# its copy of the lock file; every version stays the one locked, and
# --offline guarantees that nothing new is fetched.
cargo check --offline --workspace --manifest-path "$scratch/Cargo.toml" --target-dir "$target"
