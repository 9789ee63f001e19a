//! The ingest of a video source, checked against a model on generated
//! upload sessions: `part N/M`, `part N/*` and `bytes from-to/total`
//! chunks and whole files, with duplicates, re-sends of another size,
//! out of order, wrong totals and lengths, mixed kinds, and batches sent
//! concurrently.
//!
//! The model is a plain in-memory account of what the emulator must have
//! stored. A batch sent concurrently may be applied in any order, so the
//! model keeps every state that some order of the batch leads to and that
//! agrees with the answers and with the upload status the emulator shows;
//! the served source must equal the source of one of them.

use std::collections::BTreeMap;

use apivideo_raw::types::VideoStatus;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::common::{self, TestEnv};
use crate::uploads;

/// One request of an upload session. Contents are described, not held,
/// so that failing cases print small.
#[derive(Debug, Clone)]
enum Chunk {
    /// `part n/total`, or `part n/*` without a total; `len` bytes of the
    /// content numbered `seed`.
    Part {
        n: u64,
        total: Option<u64>,
        len: usize,
        seed: u8,
    },
    /// `bytes from-to/total` carrying `len` bytes of the file from `from`
    /// (a wrong `len` or `total` is refused).
    Bytes {
        from: u64,
        to: u64,
        total: u64,
        len: usize,
    },
    /// No `Content-Range`: a whole file.
    Whole { len: usize, seed: u8 },
}

#[derive(Debug, Clone)]
enum Step {
    One(Chunk),
    /// Sent at the same time.
    Together(Vec<Chunk>),
}

/// An upload session: the content byte ranges are cut from, and the steps.
#[derive(Debug, Clone)]
struct Case {
    file_seed: u8,
    steps: Vec<Step>,
}

/// `len` bytes of the content numbered `seed`, from byte `from`: the same
/// byte at the same position whatever the range.
fn content(seed: u8, from: u64, len: usize) -> Vec<u8> {
    let from = usize::try_from(from).expect("small offsets");
    uploads::bytes(from + len, seed).split_off(from)
}

impl Chunk {
    fn data(&self, file_seed: u8) -> Vec<u8> {
        match *self {
            Chunk::Part { len, seed, .. } | Chunk::Whole { len, seed } => content(seed, 0, len),
            Chunk::Bytes { from, len, .. } => content(file_seed, from, len),
        }
    }

    fn header(&self) -> Option<String> {
        match *self {
            Chunk::Part { n, total, .. } => Some(match total {
                Some(t) => format!("part {n}/{t}"),
                None => format!("part {n}/*"),
            }),
            Chunk::Bytes {
                from, to, total, ..
            } => Some(format!("bytes {from}-{to}/{total}")),
            Chunk::Whole { .. } => None,
        }
    }
}

/// What the emulator must have stored for the video.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Model {
    parts: BTreeMap<u64, Vec<u8>>,
    total_parts: Option<u64>,
    /// (from, to) → (total, bytes).
    ranges: BTreeMap<(u64, u64), (u64, Vec<u8>)>,
    /// The complete source.
    source: Option<Vec<u8>>,
}

/// What the upload status shows of the stored state.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shown {
    status: String,
    parts: Vec<u64>,
    total_parts: Option<u64>,
    ranges: Vec<(u64, u64, u64)>,
    filesize: Option<u64>,
}

impl Model {
    /// Applies one chunk; returns the answer's status code.
    fn apply(&mut self, chunk: &Chunk, file_seed: u8) -> u16 {
        let data = chunk.data(file_seed);
        if self.source.is_some() || data.is_empty() {
            return 400;
        }
        match *chunk {
            Chunk::Part { n, total, .. } => {
                if n == 0 || total.is_some_and(|t| n > t) || !self.ranges.is_empty() {
                    return 400;
                }
                if let (Some(a), Some(b)) = (total, self.total_parts)
                    && a != b
                {
                    return 400;
                }
                let known = total.or(self.total_parts);
                if let Some(t) = known
                    && (n > t || self.parts.keys().any(|&p| p > t))
                {
                    return 400;
                }
                self.parts.insert(n, data);
                self.total_parts = known;
                if let Some(t) = known
                    && (1..=t).all(|p| self.parts.contains_key(&p))
                {
                    self.source = Some(self.parts.values().flatten().copied().collect());
                }
                201
            }
            Chunk::Bytes {
                from, to, total, ..
            } => {
                let fits = from <= to && to < total && data.len() as u64 == to - from + 1;
                let same_total = self.ranges.values().all(|(t, _)| *t == total);
                if !fits || !same_total || !self.parts.is_empty() {
                    return 400;
                }
                self.ranges.insert((from, to), (total, data));
                let mut next = 0;
                for &(from, to) in self.ranges.keys() {
                    if from > next {
                        break;
                    }
                    next = next.max(to + 1);
                }
                if next >= total {
                    // Pieces written in (from, to) order, later ones over
                    // earlier ones: the bytes of one file either way.
                    let mut source = vec![0; total as usize];
                    for (&(from, _), (_, bytes)) in &self.ranges {
                        source[from as usize..from as usize + bytes.len()].copy_from_slice(bytes);
                    }
                    self.source = Some(source);
                }
                201
            }
            Chunk::Whole { .. } => {
                let len = data.len() as u64;
                self.parts.clear();
                self.total_parts = None;
                self.ranges = BTreeMap::from([((0, len - 1), (len, data.clone()))]);
                self.source = Some(data);
                201
            }
        }
    }

    fn shown(&self) -> Shown {
        let status = if self.source.is_some() {
            "uploaded"
        } else if !self.parts.is_empty() || !self.ranges.is_empty() {
            "uploading"
        } else {
            "missing"
        };
        Shown {
            status: status.to_owned(),
            parts: self.parts.keys().copied().collect(),
            total_parts: self.total_parts,
            ranges: self
                .ranges
                .iter()
                .map(|(&(from, to), (total, _))| (from, to, *total))
                .collect(),
            filesize: match &self.source {
                Some(source) => Some(source.len() as u64),
                None => self.ranges.values().next().map(|(total, _)| *total),
            },
        }
    }
}

fn shown(status: &VideoStatus) -> Shown {
    let ingest = &status.ingest;
    let n = |v: i64| u64::try_from(v).expect("not negative");
    let received = ingest.received_parts.as_ref();
    Shown {
        status: ingest.status.to_string(),
        parts: received
            .map(|r| r.parts.iter().copied().map(n).collect())
            .unwrap_or_default(),
        total_parts: received.and_then(|r| r.total).map(n),
        ranges: ingest
            .received_bytes
            .iter()
            .map(|r| (n(r.from), n(r.to), n(r.total)))
            .collect(),
        filesize: ingest.filesize.map(n),
    }
}

/// Every order of `items`.
fn orders(items: usize) -> Vec<Vec<usize>> {
    if items == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for rest in orders(items - 1) {
        for at in 0..=rest.len() {
            let mut order = rest.clone();
            order.insert(at, items - 1);
            out.push(order);
        }
    }
    out
}

fn chunk(file_len: u64, parts_first: bool) -> impl Strategy<Value = Chunk> {
    let len = prop_oneof![
        40 => 1usize..3000,
        1 => Just(0usize),
        // Past the writer's buffer.
        2 => 200_000usize..400_000,
    ];
    let part = (
        1u64..=5,
        prop::option::weighted(0.7, 1u64..=5),
        len,
        any::<u8>(),
    )
        .prop_map(|(n, total, len, seed)| Chunk::Part {
            n,
            total,
            len,
            seed,
        });
    let bytes = (
        0..file_len,
        1..=file_len,
        prop_oneof![12 => Just(0i64), 1 => Just(-1i64), 1 => Just(1i64)],
        prop::bool::weighted(0.05),
    )
        .prop_map(move |(from, len, skew, wrong_total)| {
            let len = len.min(file_len - from);
            Chunk::Bytes {
                from,
                to: from + len - 1,
                total: if wrong_total { file_len + 1 } else { file_len },
                len: usize::try_from(len as i64 + skew).expect("not negative"),
            }
        });
    let whole = (1usize..3000, any::<u8>()).prop_map(|(len, seed)| Chunk::Whole { len, seed });
    let (p, b) = if parts_first { (12, 1) } else { (1, 12) };
    prop_oneof![p => part, b => bytes, 1 => whole]
}

fn case() -> impl Strategy<Value = Case> {
    (1u64..5000, any::<u8>(), any::<bool>()).prop_flat_map(|(file_len, file_seed, parts_first)| {
        let step = prop_oneof![
            3 => chunk(file_len, parts_first).prop_map(Step::One),
            1 => prop::collection::vec(chunk(file_len, parts_first), 2..=3).prop_map(Step::Together),
        ];
        prop::collection::vec(step, 1..12).prop_map(move |steps| Case {
            file_seed,
            steps,
        })
    })
}

async fn send(env: &TestEnv, video_id: &str, chunk: &Chunk, file_seed: u8) -> u16 {
    let answer = uploads::send_chunk(
        env,
        env.emulator.api_key(),
        video_id,
        chunk.header().as_deref(),
        &chunk.data(file_seed),
    )
    .await;
    answer.status().as_u16()
}

/// Keeps the states some order of `chunks` leads to with these answers.
fn advance(states: &[Model], chunks: &[Chunk], answers: &[u16], file_seed: u8) -> Vec<Model> {
    let mut next: Vec<Model> = Vec::new();
    for state in states {
        for order in orders(chunks.len()) {
            let mut state = state.clone();
            let mut expected = vec![0; chunks.len()];
            for i in order {
                expected[i] = state.apply(&chunks[i], file_seed);
            }
            if expected == answers && !next.contains(&state) {
                next.push(state);
            }
        }
    }
    next
}

/// Chunks that complete the upload from what is shown.
fn completion(shown: &Shown) -> Vec<Chunk> {
    let part = |n, total| Chunk::Part {
        n,
        total: Some(total),
        len: 100 + n as usize,
        seed: 200,
    };
    if shown.status == "uploaded" {
        Vec::new()
    } else if !shown.parts.is_empty() {
        let last = shown.parts.last().copied().unwrap_or(0);
        let total = shown.total_parts.unwrap_or(last + 1);
        (1..=total)
            .filter(|p| !shown.parts.contains(p))
            .map(|p| part(p, total))
            .collect()
    } else if let Some(&(_, _, total)) = shown.ranges.first() {
        // The total the first range announced, right or wrong.
        let mut gaps = Vec::new();
        let mut next = 0;
        for &(from, to, _) in &shown.ranges {
            if from > next {
                gaps.push((next, from - 1));
            }
            next = next.max(to + 1);
        }
        if next < total {
            gaps.push((next, total - 1));
        }
        gaps.into_iter()
            .map(|(from, to)| Chunk::Bytes {
                from,
                to,
                total,
                len: (to - from + 1) as usize,
            })
            .collect()
    } else {
        vec![Chunk::Whole {
            len: 1234,
            seed: 201,
        }]
    }
}

async fn run(env: &TestEnv, case: Case) -> Result<(), TestCaseError> {
    let video = uploads::create(env, "ingest model").await;
    let id = &video.video_id;
    let seed = case.file_seed;
    let mut states = vec![Model::default()];
    let mut steps = case.steps.clone();
    let mut completing = false;
    loop {
        for step in &steps {
            let chunks = match step {
                Step::One(chunk) => vec![chunk.clone()],
                Step::Together(chunks) => chunks.clone(),
            };
            let answers =
                futures::future::join_all(chunks.iter().map(|c| send(env, id, c, seed))).await;
            let next = advance(&states, &chunks, &answers, seed);
            prop_assert!(
                !next.is_empty(),
                "answers {answers:?} to {chunks:?} fit no order, from {:?}",
                states.iter().map(Model::shown).collect::<Vec<_>>()
            );
            let status = shown(&uploads::status(env, id).await);
            let agreeing: Vec<Model> = next.into_iter().filter(|m| m.shown() == status).collect();
            prop_assert!(
                !agreeing.is_empty(),
                "after {chunks:?} answered {answers:?}, the status shows {status:?}"
            );
            states = agreeing;
        }
        if completing {
            break;
        }
        // Every remaining state shows the same thing: complete the upload.
        steps = completion(&states[0].shown())
            .into_iter()
            .map(Step::One)
            .collect();
        completing = true;
    }
    let served = uploads::mp4(env, &video).await;
    prop_assert!(
        states
            .iter()
            .any(|m| m.source.as_deref() == Some(&served[..])),
        "the served source ({} bytes) is none of the model's ({:?})",
        served.len(),
        states
            .iter()
            .map(|m| m.source.as_ref().map(Vec::len))
            .collect::<Vec<_>>()
    );
    Ok(())
}

#[test]
fn ingest_matches_the_model() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    // Chunks of any size: the API's bounds on them are `api_limits`' to test.
    let env = runtime.block_on(common::start_small_chunks());
    // 32 sessions unless PROPTEST_CASES asks for more (or fewer).
    let mut config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 32;
    }
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case(), |case| runtime.block_on(run(&env, case)));
    if let Err(e) = result {
        panic!("{e}");
    }
}
