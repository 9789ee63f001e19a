#!/usr/bin/env python3
"""Checks that the README's two commands share one build.

usage: one-build.py TEST_MESSAGES QUICKSTART_MESSAGES

Each file holds cargo's `--message-format=json` output, taken after the
test build:
- TEST_MESSAGES from `cargo test --workspace --no-run`: no dependency (a
  package outside the workspace) may have been compiled twice, e.g. once as
  a build dependency and once as a normal one because its features differ;
- QUICKSTART_MESSAGES from `cargo build --example quickstart`: every
  dependency must be fresh, i.e. the quickstart reuses the test build (and
  so, on a fresh machine, `cargo test` after the quickstart compiles no
  dependency again).
Exits 1 and names the packages otherwise.
"""
import json
import sys
from collections import defaultdict


def artifacts(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            message = json.loads(line)
            if message.get("reason") != "compiler-artifact":
                continue
            # Workspace members are `path+file://...`; their own recompiles
            # (another feature set, a test harness) are allowed.
            if message["package_id"].startswith("path+"):
                continue
            yield message


def name(package_id):
    return package_id.rsplit("#", 1)[-1]


def main():
    test_messages, quickstart_messages = sys.argv[1:3]
    failures = []

    builds = defaultdict(set)
    for message in artifacts(test_messages):
        target = message["target"]
        key = (message["package_id"], target["name"], tuple(target["kind"]))
        builds[key].add(tuple(message["filenames"]))
    twice = sorted(
        f"{name(pid)} ({target}): {len(files)} builds"
        for (pid, target, _), files in builds.items()
        if len(files) > 1
    )
    if twice:
        failures.append("compiled more than once by `cargo test`:\n  " + "\n  ".join(twice))
    if not builds:
        failures.append(f"{test_messages} lists no dependency: the check saw nothing")

    again = sorted(
        {name(m["package_id"]) for m in artifacts(quickstart_messages) if not m.get("fresh")}
    )
    if again:
        failures.append(
            "compiled again for the quickstart after `cargo test`:\n  " + "\n  ".join(again)
        )

    if failures:
        print("error: the README's commands do not share one build", file=sys.stderr)
        for failure in failures:
            print(failure, file=sys.stderr)
        print(
            "hint: a dependency whose features differ between its build-time and run-time"
            " roles is compiled twice; see the note in crates/apivideo-codegen/Cargo.toml",
            file=sys.stderr,
        )
        return 1
    print(f"one build: {len(builds)} dependency units, each compiled once and reused by the quickstart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
