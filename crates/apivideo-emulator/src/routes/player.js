// The emulator's player page script: reports to the emulator's collector
// (see collector.rs) what the viewer does with the <video> element, as
// api.video's player reports to api.video's collector. One session per
// page view: opening it is the impression; then `ready`, `play`, `pause`,
// `resume`, the seeks and `end`, each `pause` and `end` with the seconds
// of media played since the playback started or resumed (the media
// element's own clock, so the watch time does not depend on the network).
// Leaving the page ends the session.
(function () {
  "use strict";

  var MAX_EVENTS_PER_REPORT = 64;
  var MAX_REFERRER = 2048;

  var config = JSON.parse(document.getElementById("player-config").textContent);
  var video = document.getElementById("player");

  // What the page has reported so far, for scripts that drive it.
  var status = { sessionId: null, queued: 0, recorded: 0, failed: 0 };
  window.emulatorPlayer = status;

  var sessionId = null;
  var closed = false; // the session was refused or has ended
  var queue = []; // events not sent yet
  var sending = false;
  var ready = false;
  var playing = false; // a stretch of playback is open
  var started = false; // a play was reported since the load or the last end
  var last = 0; // position when last looked at, while playing
  var watched = 0; // seconds played in the current stretch
  var shown = 0; // position at the last timeupdate, where a seek starts

  function position() {
    var t = video.currentTime;
    return isFinite(t) && t > 0 ? t : 0;
  }

  function eventsUrl() {
    return config.collector + "/sessions/" + encodeURIComponent(sessionId) + "/events";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      keepalive: true
    }).then(function (answer) {
      if (!answer.ok) {
        throw new Error("the collector answered " + answer.status);
      }
      return answer.json();
    });
  }

  // Sends the queued events, one report at a time, in order.
  function flush() {
    if (sending || closed || sessionId === null || queue.length === 0) {
      return;
    }
    var events = queue.splice(0, MAX_EVENTS_PER_REPORT);
    sending = true;
    post(eventsUrl(), { events: events })
      .then(
        function (answer) {
          status.recorded += answer.recorded;
        },
        function (error) {
          status.failed += events.length;
          console.warn("player report not recorded:", error);
        }
      )
      .then(function () {
        sending = false;
        flush();
      });
  }

  function report(event) {
    if (closed) {
      return;
    }
    status.queued += 1;
    queue.push(event);
    flush();
  }

  function openSession() {
    var referrer = document.referrer;
    if (!/^https?:\/\//.test(referrer) || referrer.length > MAX_REFERRER) {
      referrer = null;
    }
    post(config.collector + "/sessions", { videoId: config.videoId, referrer: referrer }).then(
      function (answer) {
        sessionId = answer.sessionId;
        status.sessionId = sessionId;
        flush();
      },
      function (error) {
        closed = true;
        status.failed += queue.length;
        queue = [];
        console.warn("player session not opened:", error);
      }
    );
  }

  // Adds the media time played since the last look.
  function advance() {
    var t = position();
    if (playing && !video.seeking && t > last) {
      watched += t - last;
    }
    last = t;
  }

  video.addEventListener("loadedmetadata", function () {
    if (!ready) {
      ready = true;
      report({ type: "ready", at: 0 });
    }
  });

  video.addEventListener("play", function () {
    if (playing) {
      return;
    }
    playing = true;
    watched = 0;
    last = position();
    report({ type: started ? "resume" : "play", at: last });
    started = true;
  });

  video.addEventListener("timeupdate", function () {
    advance();
    if (!video.seeking) {
      shown = position();
    }
  });

  video.addEventListener("seeking", function () {
    var to = position();
    report({ type: to >= shown ? "seek.forward" : "seek.backward", from: shown, to: to });
    shown = to;
    last = to;
  });

  video.addEventListener("pause", function () {
    // At the end the media element pauses too; `ended` reports it.
    if (video.ended || !playing) {
      return;
    }
    advance();
    playing = false;
    report({ type: "pause", at: position(), watched: watched });
  });

  video.addEventListener("ended", function () {
    var event = { type: "end", at: position() };
    if (playing) {
      advance();
      playing = false;
      event.watched = watched;
    }
    started = false;
    report(event);
  });

  // Leaving the page ends the session, with what is still queued.
  window.addEventListener("pagehide", function () {
    if (closed || sessionId === null) {
      return;
    }
    if (playing) {
      advance();
      playing = false;
      queue.push({ type: "pause", at: position(), watched: watched });
    }
    closed = true;
    var events = queue.splice(0, MAX_EVENTS_PER_REPORT);
    navigator.sendBeacon(eventsUrl(), JSON.stringify({ events: events, leave: true }));
  });

  // A page restored from the back-forward cache is a new view.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      sessionId = null;
      closed = false;
      queue = [];
      playing = !video.paused;
      started = playing;
      watched = 0;
      last = position();
      openSession();
    }
  });

  openSession();
})();
