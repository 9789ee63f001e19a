# Drives the emulator with api.video's own Python client (PyPI `api.video`,
# imported as `apivideo`, version pinned in requirements.txt): authentication,
# videos with a chunked upload, the videos' tags, upload tokens with
# delegated uploads, captions, chapters, players with a logo, live streams
# with a thumbnail and a completed broadcast, webhooks, watermarks, and
# discarded videos restored or deleted for good, summaries. Each step
# asserts its result and prints one line; the first failure ends the run
# with exit status 1.
#
# Needs APIVIDEO_BASE_URL and APIVIDEO_API_KEY (conformance/with-emulator.sh
# sets both). Run: conformance/with-emulator.sh official \
#   target/conformance-venv/bin/python conformance/official_client.py

import io
import os
import struct
import sys
import tempfile
import time
import traceback
import zlib
from datetime import timedelta

import apivideo
import requests
from apivideo.api.captions_api import CaptionsApi
from apivideo.api.chapters_api import ChaptersApi
from apivideo.api.live_streams_api import LiveStreamsApi
from apivideo.api.player_themes_api import PlayerThemesApi
from apivideo.api.summaries_api import SummariesApi
from apivideo.api.tags_api import TagsApi
from apivideo.api.upload_tokens_api import UploadTokensApi
from apivideo.api.videos_api import VideosApi
from apivideo.api.watermarks_api import WatermarksApi
from apivideo.api.webhooks_api import WebhooksApi
from apivideo.api_client import ApiClient
from apivideo.configuration import MIN_CHUNK_SIZE, Configuration
from apivideo.exceptions import ApiAuthException, ApiException, NotFoundException
from apivideo.model.captions_update_payload import CaptionsUpdatePayload
from apivideo.model.discarded_video_update_payload import DiscardedVideoUpdatePayload
from apivideo.model.live_stream_creation_payload import LiveStreamCreationPayload
from apivideo.model.live_stream_update_payload import LiveStreamUpdatePayload
from apivideo.model.metadata import Metadata
from apivideo.model.player_theme_creation_payload import PlayerThemeCreationPayload
from apivideo.model.player_theme_update_payload import PlayerThemeUpdatePayload
from apivideo.model.summary_creation_payload import SummaryCreationPayload
from apivideo.model.summary_update_payload import SummaryUpdatePayload
from apivideo.model.token_creation_payload import TokenCreationPayload
from apivideo.model.video_creation_payload import VideoCreationPayload
from apivideo.model.video_thumbnail_pick_payload import VideoThumbnailPickPayload
from apivideo.model.video_update_payload import VideoUpdatePayload
from apivideo.model.video_watermark import VideoWatermark
from apivideo.model.webhooks_creation_payload import WebhooksCreationPayload

BASE_URL = os.environ["APIVIDEO_BASE_URL"]
API_KEY = os.environ["APIVIDEO_API_KEY"]
ADMIN_TOKEN = os.environ["APIVIDEO_EMULATOR_ADMIN_TOKEN"]
MIB = 1024 * 1024


def jpeg_8x8_gray():
    """A valid 8x8 gray baseline JPEG: one component, one DC code, end of block."""
    dqt = b"\xff\xdb\x00\x43\x00" + bytes([1] * 64)
    sof = b"\xff\xc0\x00\x0b\x08\x00\x08\x00\x08\x01\x01\x11\x00"
    dht_dc = b"\xff\xc4\x00\x14\x00\x01" + bytes(15) + b"\x00"
    dht_ac = b"\xff\xc4\x00\x14\x10\x01" + bytes(15) + b"\x00"
    sos = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x3f"
    return b"\xff\xd8" + dqt + sof + dht_dc + dht_ac + sos + b"\xff\xd9"


def png_1x1():
    """A valid 1x1 transparent PNG."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


JPEG = jpeg_8x8_gray()
PNG = png_1x1()
CAPTIONS = b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello from the official client\n"
CHAPTERS = b"WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nOpening\n\n00:00:05.000 --> 00:00:10.000\nMiddle\n"


class Scenario:
    """Runs named steps, prints `ok`/`FAIL` per step, stops at the first failure."""

    def __init__(self):
        self.count = 0

    def step(self, name, fn):
        self.count += 1
        started = time.monotonic()
        try:
            detail = fn()
        except Exception as exc:  # any failure ends the run with its trace
            print(f"FAIL {self.count:2} {name}: {type(exc).__name__}: {exc}", flush=True)
            traceback.print_exc()
            sys.exit(1)
        ms = int((time.monotonic() - started) * 1000)
        suffix = f" ({detail})" if detail else ""
        print(f"ok   {self.count:2} {name}{suffix} [{ms} ms]", flush=True)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def named(data, name):
    """A file object with a name, as the client sends `name` as the file name."""
    f = io.BytesIO(data)
    f.name = name
    return f


def expect_status(status, fn):
    try:
        fn()
    except ApiException as exc:
        check(exc.status == status, f"expected {status}, got {exc.status}: {exc.body}")
        return
    raise AssertionError(f"expected an error {status}, the call succeeded")


def admin(method, path, body):
    """A call to the emulator's admin API; its JSON answer. The project's own
    settings take its API key; the rest (the clock) the admin token."""
    if path.startswith("/_emulator/settings"):
        kwargs = {"auth": (API_KEY, "")}
    else:
        kwargs = {"headers": {"Authorization": f"Bearer {ADMIN_TOKEN}"}}
    answer = requests.request(method, f"{BASE_URL}{path}", json=body, timeout=30, **kwargs)
    check(answer.status_code == 200, f"{method} {path} answered {answer.status_code}: {answer.text}")
    return answer.json()


def new_client():
    """An AuthenticatedApiClient pointed at the emulator with 5 MiB chunks."""
    client = apivideo.AuthenticatedApiClient(API_KEY)
    # The client forces the production host in its constructor; point it here.
    client.configuration.host = BASE_URL
    client.configuration.chunk_size = MIN_CHUNK_SIZE
    return client


def main():
    s = Scenario()
    state = {}
    client = new_client()

    # Authentication ------------------------------------------------------
    def wrong_key():
        bad = apivideo.AuthenticatedApiClient("not-the-key")
        bad.configuration.host = BASE_URL
        try:
            bad.connect()
        except (ApiException, ApiAuthException) as exc:
            return f"rejected: {type(exc).__name__} {getattr(exc, 'status', '')}".strip()
        raise AssertionError("a wrong API key was accepted")

    s.step("auth: a wrong API key is rejected", wrong_key)

    def connect():
        client.connect()
        check(client._access_token, "no access token after connect")
        check(client.token_type == "Bearer", f"token type {client.token_type}")
        check(client.next_refresh > time.time(), "token already expired")
        state["first_token"] = client._access_token
        return f"expires in {int(client.next_refresh - time.time()) + 10}s"

    s.step("auth: POST /auth/api-key gives a bearer token", connect)

    def refresh():
        client.refresh_token()
        check(client._access_token != state["first_token"], "refresh gave the same token")
        check(client._refresh_token, "no refresh token")

    s.step("auth: POST /auth/refresh renews the token", refresh)

    videos = VideosApi(client)
    upload_tokens = UploadTokensApi(client)
    captions = CaptionsApi(client)
    chapters = ChaptersApi(client)
    players = PlayerThemesApi(client)
    live_streams = LiveStreamsApi(client)
    tags = TagsApi(client)
    webhooks = WebhooksApi(client)
    watermarks = WatermarksApi(client)
    summaries = SummariesApi(client)

    # Videos ---------------------------------------------------------------
    def create_video():
        video = videos.create(
            VideoCreationPayload(
                title="Official client",
                description="Created by api.video's Python client",
                public=False,
                tags=["conformance", "python"],
                metadata=[Metadata(key="suite", value="official")],
            )
        )
        check(video.video_id.startswith("vi"), f"video id {video.video_id}")
        check(video.title == "Official client", f"title {video.title}")
        check(sorted(video.tags) == ["conformance", "python"], f"tags {video.tags}")
        check(video.public is False, "public should be false")
        state["video"] = video.video_id
        return video.video_id

    s.step("videos: create with tags and metadata", create_video)

    def chunked_upload():
        size = 12 * MIB + 12345
        parts = []
        with tempfile.NamedTemporaryFile(suffix=".mp4") as f:
            f.write(os.urandom(size))
            f.flush()
            f.seek(0)
            video = videos.upload(
                state["video"], f, _progress_listener=lambda sent, total: parts.append((sent, total))
            )
        check(video.video_id == state["video"], f"upload answered video {video.video_id}")
        # The listener fires before each chunk with the bytes sent after it.
        check(len(parts) == 3, f"expected 3 chunks of at most 5 MiB, got {parts}")
        check(parts[-1] == (size, size), f"last progress {parts[-1]}")
        status = videos.get_status(state["video"])
        ingest = status.ingest
        check(ingest.filesize == size, f"ingest filesize {ingest.filesize}, sent {size}")
        check(len(ingest.received_parts.parts) == 3, f"received parts {ingest.received_parts.parts}")
        check(ingest.received_parts.total == 3, f"received total {ingest.received_parts.total}")
        check(ingest.status == "uploaded", f"ingest status {ingest.status}")
        return f"{size} bytes in {len(parts)} chunks of {MIN_CHUNK_SIZE // MIB} MiB"

    s.step("videos: chunked upload (12 MiB, 5 MiB chunks)", chunked_upload)

    def encoded():
        deadline = time.monotonic() + 30
        while True:
            status = videos.get_status(state["video"])
            if status.encoding.playable:
                break
            check(time.monotonic() < deadline, "still not playable after 30s")
            time.sleep(0.1)
        video = videos.get(state["video"])
        check(video.assets.hls.endswith(".m3u8"), f"hls {video.assets.hls}")
        check(video.assets.player, "no player URL")
        return f"{len(status.encoding.qualities)} qualities"

    s.step("videos: get_status until playable, assets present", encoded)

    def update_video():
        video = videos.update(
            state["video"],
            VideoUpdatePayload(title="Renamed", tags=["renamed"], metadata=[Metadata(key="k", value="v")]),
        )
        check(video.title == "Renamed", f"title {video.title}")
        check(video.tags == ["renamed"], f"tags {video.tags}")
        check([(m.key, m.value) for m in video.metadata] == [("k", "v")], f"metadata {video.metadata}")

    s.step("videos: update title, tags, metadata", update_video)

    def list_videos():
        page = videos.list(title="Renamed", tags=["renamed"], page_size=10)
        ids = [v.video_id for v in page.data]
        check(ids == [state["video"]], f"listed {ids}")
        check(page.pagination.items_total == 1, f"itemsTotal {page.pagination.items_total}")

    s.step("videos: list with title and tags filters", list_videos)

    def thumbnails():
        video = videos.upload_thumbnail(state["video"], named(JPEG, "thumb.jpg"))
        check(video.assets.thumbnail, "no thumbnail URL after upload")
        video = videos.pick_thumbnail(state["video"], VideoThumbnailPickPayload(timecode="00:00:01"))
        check(video.assets.thumbnail, "no thumbnail URL after pick")

    s.step("videos: upload and pick a thumbnail", thumbnails)

    def progressive_upload():
        video = videos.create(VideoCreationPayload(title="Progressive"))
        session = videos.create_upload_progressive_session(video.video_id)
        session.uploadPart(named(os.urandom(MIN_CHUNK_SIZE), "part1.mp4"))
        done = session.uploadLastPart(named(os.urandom(1000), "part2.mp4"))
        check(done.video_id == video.video_id, f"answered {done.video_id}")
        status = videos.get_status(video.video_id)
        check(status.ingest.filesize == MIN_CHUNK_SIZE + 1000, f"filesize {status.ingest.filesize}")
        state["progressive"] = video.video_id

    s.step("videos: progressive upload session (2 parts)", progressive_upload)

    # Tags -------------------------------------------------------------------
    def list_tags():
        videos.update(state["progressive"], VideoUpdatePayload(tags=["renamed", "Élan"]))
        page = tags.list()
        got = [(t.value, t.video_count) for t in page.data]
        check(got == [("Élan", 1), ("renamed", 2)], f"tags {got}")
        check(page.pagination.items_total == 2, f"itemsTotal {page.pagination.items_total}")
        page = tags.list(sort_by="videoCount", sort_order="desc")
        got = [(t.value, t.video_count) for t in page.data]
        check(got == [("renamed", 2), ("Élan", 1)], f"tags by count {got}")
        page = tags.list(value="ELAN")
        got = [t.value for t in page.data]
        check(got == ["Élan"], f"tags matching ELAN {got}")
        page = tags.list(page_size=1, current_page=2)
        check([t.value for t in page.data] == ["renamed"], f"page 2 {page.data}")
        check(page.pagination.pages_total == 2, f"pagesTotal {page.pagination.pages_total}")
        expect_status(400, lambda: tags.list(current_page=3, page_size=1))

    s.step("tags: list, by count, by value, paged", list_tags)

    # Upload tokens --------------------------------------------------------
    def create_token():
        token = upload_tokens.create_token(TokenCreationPayload(ttl=600))
        check(token.token.startswith("to"), f"token {token.token}")
        check(token.ttl == 600, f"ttl {token.ttl}")
        got = upload_tokens.get_token(token.token)
        check(got.token == token.token, "get_token answered another token")
        listed = [t.token for t in upload_tokens.list().data]
        check(token.token in listed, f"{token.token} not in {listed}")
        state["token"] = token.token
        return token.token

    s.step("upload tokens: create, get, list", create_token)

    def delegated_upload():
        # One chunk: the client's upload_with_upload_token drops `videoId`
        # after the first chunk (see conformance/README.md).
        delegated = VideosApi(ApiClient(Configuration(host=BASE_URL)))
        video = delegated.upload_with_upload_token(state["token"], named(os.urandom(200_000), "small.mp4"))
        check(video.video_id.startswith("vi"), f"video id {video.video_id}")
        got = videos.get(video.video_id)
        check(got.video_id == video.video_id, "the delegated video is not in the project")
        status = videos.get_status(video.video_id)
        check(status.ingest.filesize == 200_000, f"filesize {status.ingest.filesize}")
        return f"unauthenticated client, video {video.video_id}"

    s.step("upload tokens: upload_with_upload_token (one chunk)", delegated_upload)

    def delegated_progressive():
        # The progressive session does carry the videoId from part to part.
        delegated = VideosApi(ApiClient(Configuration(host=BASE_URL)))
        session = delegated.create_upload_with_upload_token_progressive_session(state["token"])
        first = session.uploadPart(named(os.urandom(MIN_CHUNK_SIZE), "p1.mp4"))
        check(first.video_id.startswith("vi"), f"first part answered {first.video_id}")
        done = session.uploadLastPart(named(os.urandom(4321), "p2.mp4"))
        check(done.video_id == first.video_id, f"last part went to {done.video_id}, not {first.video_id}")
        status = videos.get_status(done.video_id)
        check(status.ingest.filesize == MIN_CHUNK_SIZE + 4321, f"filesize {status.ingest.filesize}")
        return f"2 parts into {done.video_id}"

    s.step("upload tokens: progressive delegated upload (2 parts)", delegated_progressive)

    def delete_token():
        upload_tokens.delete_token(state["token"])
        expect_status(404, lambda: upload_tokens.get_token(state["token"]))

    s.step("upload tokens: delete, then 404", delete_token)

    # Captions ---------------------------------------------------------------
    def upload_caption():
        caption = captions.upload(state["video"], "en", named(CAPTIONS, "en.vtt"))
        check(caption.srclang == "en", f"srclang {caption.srclang}")
        check(caption.src and caption.src.endswith(".vtt"), f"src {caption.src}")
        got = captions.get(state["video"], "en")
        check(got.srclang == "en", f"get srclang {got.srclang}")

    s.step("captions: upload en, get", upload_caption)

    def default_caption():
        caption = captions.update(state["video"], "en", CaptionsUpdatePayload(default=True))
        check(caption.default is True, f"default {caption.default}")
        listed = captions.list(state["video"])
        check([c.srclang for c in listed.data] == ["en"], f"listed {listed.data}")

    s.step("captions: make default, list", default_caption)

    def delete_caption():
        captions.delete(state["video"], "en")
        expect_status(404, lambda: captions.get(state["video"], "en"))

    s.step("captions: delete, then 404", delete_caption)

    # Chapters ---------------------------------------------------------------
    def chapter_cycle():
        chapter = chapters.upload(state["video"], "fr", named(CHAPTERS, "fr.vtt"))
        check(chapter.language == "fr", f"language {chapter.language}")
        check(chapter.src and chapter.src.endswith(".vtt"), f"src {chapter.src}")
        got = chapters.get(state["video"], "fr")
        check(got.src == chapter.src, "get answered another chapter file")
        listed = chapters.list(state["video"])
        check([c.language for c in listed.data] == ["fr"], f"listed {listed.data}")
        chapters.delete(state["video"], "fr")
        expect_status(404, lambda: chapters.get(state["video"], "fr"))

    s.step("chapters: upload fr, get, list, delete", chapter_cycle)

    # Players ----------------------------------------------------------------
    def create_player():
        player = players.create(
            PlayerThemeCreationPayload(name="Conformance", link="rgba(255, 0, 0, 1)", hide_title=True)
        )
        check(player.player_id.startswith("pt"), f"player id {player.player_id}")
        check(player.name == "Conformance", f"name {player.name}")
        check(player.hide_title is True, "hideTitle not kept")
        state["player"] = player.player_id
        return player.player_id

    s.step("players: create", create_player)

    def player_logo():
        player = players.upload_logo(state["player"], named(PNG, "logo.png"), link="https://example.com/")
        check(player.assets.logo, "no logo URL")
        check(player.assets.link == "https://example.com/", f"logo link {player.assets.link}")
        players.delete_logo(state["player"])
        player = players.get(state["player"])
        # An optional field left out of the answer is absent from the model.
        assets = player.get("assets")
        check(assets is None or not assets.get("logo"), f"logo still there: {assets}")

    s.step("players: upload a PNG logo with a link, delete it", player_logo)

    def player_update_and_use():
        player = players.update(state["player"], PlayerThemeUpdatePayload(name="Renamed player"))
        check(player.name == "Renamed player", f"name {player.name}")
        video = videos.update(state["video"], VideoUpdatePayload(player_id=state["player"]))
        check(video.player_id == state["player"], f"video playerId {video.player_id}")
        listed = [p.player_id for p in players.list().data]
        check(state["player"] in listed, f"{state['player']} not in {listed}")

    s.step("players: update, attach to a video, list", player_update_and_use)

    # Live streams -----------------------------------------------------------
    def create_live():
        live = live_streams.create(LiveStreamCreationPayload(name="Conformance live", public=True))
        check(live.live_stream_id.startswith("li"), f"live stream id {live.live_stream_id}")
        check(live.stream_key, "no stream key")
        check(live.broadcasting is False, "a new stream should not be broadcasting")
        check(live.assets.hls, "no HLS URL")
        state["live"] = live.live_stream_id
        return live.live_stream_id

    s.step("live streams: create", create_live)

    def live_thumbnail():
        live = live_streams.upload_thumbnail(state["live"], named(JPEG, "live.jpg"))
        check(live.assets.thumbnail, "no thumbnail URL after upload")
        live = live_streams.delete_thumbnail(state["live"])
        check(live.live_stream_id == state["live"], "delete_thumbnail answered another stream")

    s.step("live streams: upload a thumbnail, delete it", live_thumbnail)

    def live_complete():
        # The emulator takes no RTMP: its admin API plays the encoder.
        on_air = requests.post(
            f"{BASE_URL}/_emulator/live-streams/{state['live']}/broadcast",
            auth=(API_KEY, ""),
            json={"broadcasting": True},
            timeout=30,
        )
        check(on_air.status_code == 200, f"broadcast start answered {on_air.status_code}")
        check(live_streams.get(state["live"]).broadcasting is True, "not broadcasting after the start")
        answer = live_streams.complete(state["live"])
        check(answer is None, f"complete answered {answer!r}")
        deadline = time.monotonic() + 30
        while live_streams.get(state["live"]).broadcasting:
            check(time.monotonic() < deadline, "still broadcasting 30s after complete")
            time.sleep(0.05)
        playlist = requests.get(live_streams.get(state["live"]).assets.hls, timeout=30).text
        check(playlist.rstrip().endswith("#EXT-X-ENDLIST"), f"playlist not closed: {playlist!r}")
        live_streams.complete(state["live"])
        expect_status(404, lambda: live_streams.complete("li0000000000000000000000"))

    s.step("live streams: complete a broadcast, which ends", live_complete)

    def live_update_list_delete():
        live = live_streams.update(
            state["live"], LiveStreamUpdatePayload(name="Renamed live", player_id=state["player"])
        )
        check(live.name == "Renamed live", f"name {live.name}")
        check(live.player_id == state["player"], f"playerId {live.player_id}")
        page = live_streams.list(name="Renamed live")
        check([l.live_stream_id for l in page.data] == [state["live"]], f"listed {page.data}")
        live_streams.delete(state["live"])
        expect_status(404, lambda: live_streams.get(state["live"]))

    s.step("live streams: update, list by name, delete", live_update_list_delete)

    # Webhooks ---------------------------------------------------------------
    def webhook_cycle():
        hook = webhooks.create(
            WebhooksCreationPayload(events=["video.encoding.quality.completed"], url="https://example.com/hook")
        )
        check(hook.webhook_id.startswith("webhook"), f"webhook id {hook.webhook_id}")
        check(hook.events == ["video.encoding.quality.completed"], f"events {hook.events}")
        got = webhooks.get(hook.webhook_id)
        check(got.url == "https://example.com/hook", f"url {got.url}")
        listed = webhooks.list(events="video.encoding.quality.completed")
        check([w.webhook_id for w in listed.data] == [hook.webhook_id], f"listed {listed.data}")
        webhooks.delete(hook.webhook_id)
        expect_status(404, lambda: webhooks.get(hook.webhook_id))

    s.step("webhooks: create, get, list by event, delete", webhook_cycle)

    # Watermarks -------------------------------------------------------------
    def watermark_cycle():
        png = watermarks.upload(named(PNG, "watermark.png"))
        check(png.watermark_id.startswith("watermark_"), f"watermark id {png.watermark_id}")
        check(png.created_at is not None, "no createdAt")
        jpeg = watermarks.upload(named(JPEG, "watermark.jpg"))
        expect_status(400, lambda: watermarks.upload(named(b"GIF89a", "watermark.gif")))
        placed = videos.create(
            VideoCreationPayload(
                title="Watermarked",
                watermark=VideoWatermark(
                    id=png.watermark_id, bottom="10px", right="10px", width="50%", opacity="70%"
                ),
            )
        )
        state["watermarked"] = placed.video_id
        expect_status(
            404,
            lambda: videos.create(
                VideoCreationPayload(title="Unknown watermark", watermark=VideoWatermark(id="watermark_nope"))
            ),
        )
        listed = watermarks.list(sort_by="createdAt", sort_order="desc")
        ids = [w.watermark_id for w in listed.data]
        check(ids == [jpeg.watermark_id, png.watermark_id], f"listed {ids}")
        watermarks.delete(png.watermark_id)
        watermarks.delete(jpeg.watermark_id)
        expect_status(404, lambda: watermarks.delete(png.watermark_id))
        check(watermarks.list().data == [], "watermarks left after delete")

    s.step("watermarks: upload PNG and JPEG, place on a video, list, delete", watermark_cycle)

    # Discarded videos -------------------------------------------------------
    def discard_and_restore():
        # Video Restore is off by default; the emulator's admin API turns it
        # on for this project.
        admin("PATCH", "/_emulator/settings", {"videoRestore": True})
        video = videos.create(
            VideoCreationPayload(title="To restore", tags=["bin"], metadata=[Metadata(key="reason", value="test")])
        )
        videos.delete(video.video_id)
        expect_status(404, lambda: videos.get(video.video_id))
        page = videos.list_discarded(tags=["bin"], metadata={"reason": "test"}, sort_by="title", sort_order="asc")
        ids = [v.video_id for v in page.data]
        check(ids == [video.video_id], f"discarded {ids}")
        shown = videos.get_discarded(video.video_id)
        check(shown.discarded is True, f"discarded {shown.discarded}")
        kept = shown.deletes_at - shown.discarded_at
        check(kept == timedelta(days=90), f"deletesAt - discardedAt = {kept}")
        expect_status(400, lambda: videos.update_discarded(video.video_id, DiscardedVideoUpdatePayload(discarded=True)))
        restored = videos.update_discarded(video.video_id, DiscardedVideoUpdatePayload(discarded=False))
        check(restored.discarded is False, f"discarded {restored.discarded}")
        # The emulator leaves out a null date (the API writes `null`), and the
        # client raises on reading an absent attribute, hence `get`.
        dates = (restored.get("discarded_at"), restored.get("deletes_at"))
        check(dates == (None, None), f"dates left after restore: {dates}")
        back = videos.get(video.video_id)
        check(back.tags == ["bin"], f"tags {back.tags}")
        check(videos.list_discarded().data == [], "discarded videos left after restore")
        expect_status(404, lambda: videos.get_discarded(video.video_id))

    s.step("discarded videos: discard, list, get, restore", discard_and_restore)

    def purge_discarded():
        video = videos.create(VideoCreationPayload(title="To purge"))
        videos.delete(video.video_id)
        videos.get_discarded(video.video_id)
        # 91 days later on the emulator's clock, it is deleted for good.
        clock = admin("POST", "/_emulator/clock/advance", {"days": 91})
        expect_status(404, lambda: videos.get_discarded(video.video_id))
        expect_status(
            404, lambda: videos.update_discarded(video.video_id, DiscardedVideoUpdatePayload(discarded=False))
        )
        admin("PATCH", "/_emulator/settings", {"videoRestore": False})
        return f"clock {clock['offsetMs'] // 86_400_000} days ahead"

    s.step("discarded videos: deleted for good after 90 days", purge_discarded)

    # Summaries --------------------------------------------------------------
    def summary_cycle():
        # The first video is encoded (an earlier step waited for it), so a
        # generated summary completes at once.
        auto = summaries.create(
            SummaryCreationPayload(video_id=state["video"], origin="auto", attributes=["abstract", "takeaways"])
        )
        check(auto.summary_id.startswith("summary_"), f"summary id {auto.summary_id}")
        check(auto.origin == "auto", f"origin {auto.origin}")
        check(auto.source_status == "completed", f"sourceStatus {auto.source_status}")
        expect_status(409, lambda: summaries.create(SummaryCreationPayload(video_id=state["video"])))
        expect_status(404, lambda: summaries.create(SummaryCreationPayload(video_id="vi_no_such_video")))
        source = summaries.get_summary_source(auto.summary_id)
        words = len(source.abstract.split())
        check(20 <= words <= 300, f"abstract of {words} words")
        check(len(source.takeaways) == 3, f"takeaways {source.takeaways}")
        expect_status(409, lambda: summaries.update(auto.summary_id, SummaryUpdatePayload(abstract="Mine.")))
        # Written through the API instead.
        manual = summaries.create(SummaryCreationPayload(video_id=state["progressive"]))
        check(manual.origin == "api", f"origin {manual.origin}")
        check(manual.source_status == "missing", f"sourceStatus {manual.source_status}")
        written = summaries.update(
            manual.summary_id, SummaryUpdatePayload(abstract="Two parts, sent progressively.", takeaways=["One.", "Two."])
        )
        check(written.takeaways == ["One.", "Two."], f"takeaways {written.takeaways}")
        listed = summaries.list(origin="auto", source_status="completed")
        check([x.summary_id for x in listed.data] == [auto.summary_id], f"listed {listed.data}")
        listed = summaries.list(sort_by="createdAt", sort_order="desc", page_size=1, current_page=2)
        check([x.summary_id for x in listed.data] == [auto.summary_id], f"page 2 {listed.data}")
        check(listed.pagination.pages_total == 2, f"pagesTotal {listed.pagination.pages_total}")
        summaries.delete(auto.summary_id)
        summaries.delete(manual.summary_id)
        expect_status(404, lambda: summaries.delete(auto.summary_id))
        expect_status(404, lambda: summaries.get_summary_source(manual.summary_id))
        check(summaries.list().data == [], "summaries left after delete")

    s.step("summaries: generate, write, list, read, delete", summary_cycle)

    # Cleanup ----------------------------------------------------------------
    def delete_videos():
        videos.delete(state["video"])
        videos.delete(state["progressive"])
        videos.delete(state["watermarked"])
        try:
            videos.get(state["video"])
        except NotFoundException:
            pass
        else:
            raise AssertionError("a deleted video is still there")
        players.delete(state["player"])
        expect_status(404, lambda: players.get(state["player"]))

    s.step("cleanup: delete videos and the player, then 404", delete_videos)

    client.close()
    print(f"all {s.count} steps passed")


if __name__ == "__main__":
    main()
