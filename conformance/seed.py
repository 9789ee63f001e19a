# Seeds a running emulator with one resource of each kind (an encoded video
# with a caption, a chapter and a summary written through the API, an upload
# token, a live stream, a player, a webhook, and player sessions with events
# through the emulator's admin API)
# and writes a schemathesis config that pins every path id to them, so the
# second schemathesis pass reaches the success answers of the id operations
# instead of their 404s.
#
# usage: python conformance/seed.py OUT.toml   (needs APIVIDEO_BASE_URL and
# APIVIDEO_API_KEY, set by conformance/with-emulator.sh)

import os
import sys
import time

import requests

BASE = os.environ["APIVIDEO_BASE_URL"]
AUTH = (os.environ["APIVIDEO_API_KEY"], "")
VTT = b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nseeded\n"
# Sessions fall in this month; the analytics `period` is pinned to it.
PERIOD = "2024-03"


def call(method, path, expect, **kwargs):
    response = requests.request(method, BASE + path, auth=AUTH, timeout=30, **kwargs)
    if response.status_code != expect:
        sys.exit(f"seed: {method} {path} answered {response.status_code}, not {expect}: {response.text}")
    return response.json() if response.content else None


def main():
    out = sys.argv[1]
    video = call("POST", "/videos", 201, json={"title": "seeded", "tags": ["seed"]})["videoId"]
    call("POST", f"/videos/{video}/source", 201, files={"file": ("seed.mp4", os.urandom(4096))})
    deadline = time.monotonic() + 30
    while not call("GET", f"/videos/{video}/status", 200)["encoding"]["playable"]:
        if time.monotonic() > deadline:
            sys.exit("seed: the video is not playable after 30s")
        time.sleep(0.05)
    call("POST", f"/videos/{video}/captions/en", 200, files={"file": ("en.vtt", VTT)})
    call("POST", f"/videos/{video}/chapters/en", 200, files={"file": ("en.vtt", VTT)})
    # Without `origin`, so that generated contents can be written to it.
    summary = call("POST", "/summaries", 201, json={"videoId": video})["summaryId"]
    token = call("POST", "/upload-tokens", 200, json={"ttl": 0})["token"]
    player = call("POST", "/players", 201, json={"name": "seeded"})["playerId"]
    live = call("POST", "/live-streams", 200, json={"name": "seeded"})["liveStreamId"]
    webhook = call(
        "POST", "/webhooks", 201, json={"events": ["video.encoding.quality.completed"], "url": "https://example.com/h"}
    )["webhookId"]
    sessions = []
    for parent in ({"videoId": video}, {"liveStreamId": live}):
        session = call(
            "POST",
            "/_emulator/analytics/sessions",
            201,
            json={**parent, "loadedAt": "2024-03-05T10:00:00Z", "endedAt": "2024-03-05T10:05:00Z"},
        )
        sessions.append(session["sessionId"])
    call(
        "POST",
        f"/_emulator/analytics/sessions/{sessions[0]}/events",
        201,
        json=[{"type": "ready", "at": 0}, {"type": "play", "at": 0}, {"type": "seek.forward", "from": 3, "to": 9}],
    )
    pins = {
        "path.videoId": video,
        "path.language": "en",
        "path.uploadToken": token,
        "path.playerId": player,
        "path.liveStreamId": live,
        "path.webhookId": webhook,
        "path.sessionId": sessions[0],
        "path.summaryId": summary,
        "query.period": PERIOD,
    }
    with open(out, "w", encoding="utf-8") as f:
        f.write("# Written by conformance/seed.py: path ids pinned to seeded resources.\n[parameters]\n")
        for key, value in pins.items():
            f.write(f'"{key}" = "{value}"\n')
    print("seeded: " + ", ".join(f"{k.split('.')[1]}={v}" for k, v in pins.items()))


if __name__ == "__main__":
    main()
