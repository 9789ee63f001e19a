# Prints, for every operation of openapi.yaml, the answer statuses the
# running emulator gave (from its /_emulator/stats counters), and lists the
# operations that never answered a success. Informational: it never fails
# the run (some successes need inputs a generator cannot produce, such as a
# valid WebVTT file or a `.jpg` file name).
#
# usage: python conformance/coverage.py   (APIVIDEO_BASE_URL, APIVIDEO_API_KEY)

import collections
import os

import requests
import yaml

BASE = os.environ["APIVIDEO_BASE_URL"]
ADMIN = {"Authorization": "Bearer " + os.environ["APIVIDEO_EMULATOR_ADMIN_TOKEN"]}
METHODS = {"get", "post", "put", "patch", "delete"}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "openapi.yaml"), encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    stats = requests.get(BASE + "/_emulator/stats", headers=ADMIN, timeout=30).json()["responses"]
    seen = collections.defaultdict(dict)
    for key, count in stats.items():
        route, status = key.rsplit(" ", 1)
        seen[route][status] = count
    never = []
    for path, item in spec["paths"].items():
        for method in item:
            if method not in METHODS:
                continue
            route = f"{method.upper()} {path}"
            statuses = seen.get(route, {})
            shown = " ".join(f"{s}x{n}" for s, n in sorted(statuses.items()))
            print(f"  {route:50} {shown}")
            if not any(s.startswith("2") for s in statuses):
                never.append(route)
    print(f"operations never answering 2xx ({len(never)}): {', '.join(never) or 'none'}")


if __name__ == "__main__":
    main()
