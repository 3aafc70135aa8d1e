//! A wire-level fake of Discord on 127.0.0.1: REST under `/api/v10` and a gateway
//! over plain WebSocket, speaking Discord's JSON. The unmodified serenity client runs
//! against it (through `rest_proxy`). It records every request, drops a repeated
//! nonce like Discord does, and can inject failures and drop the gateway.

pub mod fixtures;
mod gateway;
mod limits;
pub mod multipart;
mod rest;

pub use limits::{Limits, RandomFaults};

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;

/// Which REST route a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    CreateMessage,
    CreateReaction,
    GetMessages,
}

/// A failure the fake answers with instead of doing the request.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    Status(u16),
    RateLimited { retry_after: f64, global: bool },
}

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub body: Value,
}

#[derive(Default)]
pub(crate) struct State {
    pub requests: Vec<Recorded>,
    /// channel id -> messages (full objects), oldest first.
    pub messages: HashMap<String, Vec<Value>>,
    /// (channel, nonce) -> message id, for enforce_nonce.
    pub nonces: HashMap<(String, String), String>,
    /// message id -> (emoji, user id) in order.
    pub reactions: HashMap<String, Vec<(String, String)>>,
    pub faults: VecDeque<(Route, Fault)>,
    pub interaction_responses: Vec<(String, Value)>,
    pub commands: Vec<Value>,
    pub next_id: u64,
    pub sockets: Vec<mpsc::UnboundedSender<gateway::Out>>,
    pub seq: u64,
    pub refuse_gateway: bool,
    pub identifies: Vec<Value>,
    pub members: Vec<Value>,
    /// Discord's rate limits, when enforced.
    pub limits: Option<Limits>,
    /// Requests that went over a limit, each answered with a 429.
    pub violations: Vec<String>,
    /// Seeded failures on message creates.
    pub random: Option<RandomFaults>,
    /// When each REST request arrived (interaction callbacks aside).
    pub arrivals: Vec<tokio::time::Instant>,
    /// Message creates that got past limits and faults.
    pub creates_seen: usize,
    /// After this many creates, answers are held back this long (the message is made).
    pub hold_after: Option<(usize, Duration)>,
    /// Answers being held back right now.
    pub held: usize,
    /// Files uploaded with messages, by message id.
    pub files: HashMap<String, Vec<multipart::Upload>>,
    /// Refuse messages with files like a channel where the bot may not attach files.
    pub refuse_files: bool,
}

impl State {
    pub fn id(&mut self) -> String {
        self.next_id += 1;
        format!("{}", 980_000_000_000_000_000u64 + self.next_id)
    }

    pub fn take_fault(&mut self, route: Route) -> Option<Fault> {
        let i = self.faults.iter().position(|(r, _)| *r == route)?;
        self.faults.remove(i).map(|(_, f)| f)
    }
}

/// A running fake. Dropping it stops the server.
pub struct FakeDiscord {
    pub(crate) state: Arc<Mutex<State>>,
    pub port: u16,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeDiscord {
    /// Starts on a free loopback port with the given guild members.
    pub async fn start(members: Vec<Value>) -> FakeDiscord {
        let state = Arc::new(Mutex::new(State {
            members,
            ..State::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let port = listener.local_addr().expect("addr").port();
        let app = rest::router(state.clone(), port).layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::layer,
        ));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeDiscord {
            state,
            port,
            server,
        }
    }

    /// Files uploaded with message `id`.
    pub fn files_of(&self, id: &str) -> Vec<multipart::Upload> {
        self.state
            .lock()
            .unwrap()
            .files
            .get(id)
            .cloned()
            .unwrap_or_default()
    }

    /// From now on, refuse messages with files (403 Missing Permissions).
    pub fn refuse_files(&self) {
        self.state.lock().unwrap().refuse_files = true;
    }

    /// What `discord.rest_proxy` should be.
    pub fn rest_base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.with(|s| s.requests.clone())
    }

    pub fn messages_in(&self, channel: &str) -> Vec<Value> {
        self.with(|s| s.messages.get(channel).cloned().unwrap_or_default())
    }

    pub fn reactions_on(&self, message: &str) -> Vec<(String, String)> {
        self.with(|s| s.reactions.get(message).cloned().unwrap_or_default())
    }

    pub fn interaction_responses(&self) -> Vec<(String, Value)> {
        self.with(|s| s.interaction_responses.clone())
    }

    pub fn commands(&self) -> Vec<Value> {
        self.with(|s| s.commands.clone())
    }

    pub fn identify_payloads(&self) -> Vec<Value> {
        self.with(|s| s.identifies.clone())
    }

    pub fn identify_count(&self) -> usize {
        self.with(|s| s.identifies.len())
    }

    /// Enforces Discord's limits from now on: 50 requests/s globally and per-route
    /// buckets announced in `X-RateLimit-*` headers.
    pub fn enforce_discord_limits(&self) {
        self.with(|s| s.limits = Some(Limits::discord()));
    }

    /// Fails a seeded `share` of message creates with 500, 502, 429 or a timeout
    /// (done, but answered only after `hang`).
    pub fn random_faults(&self, seed: u64, share: f64, hang: Duration) {
        self.with(|s| s.random = Some(RandomFaults::new(seed, share, hang)));
    }

    /// How many faults of each kind were injected.
    pub fn injected(&self) -> std::collections::HashMap<&'static str, u32> {
        self.with(|s| {
            s.random
                .as_ref()
                .map(|r| r.injected.clone())
                .unwrap_or_default()
        })
    }

    /// Requests that went over an enforced limit.
    pub fn violations(&self) -> Vec<String> {
        self.with(|s| s.violations.clone())
    }

    /// Arrival times of REST requests (interaction callbacks aside).
    pub fn arrivals(&self) -> Vec<tokio::time::Instant> {
        self.with(|s| s.arrivals.clone())
    }

    /// The most REST requests that arrived within any one second.
    pub fn busiest_second(&self) -> usize {
        let a = self.arrivals();
        let mut best = 0;
        let mut j = 0;
        for i in 0..a.len() {
            while a[i].duration_since(a[j]) >= Duration::from_secs(1) {
                j += 1;
            }
            best = best.max(i - j + 1);
        }
        best
    }

    /// Message creates done so far (refused ones aside).
    pub fn creates_seen(&self) -> usize {
        self.with(|s| s.creates_seen)
    }

    /// From the `after`-th message create on, makes the message but holds the
    /// answer back for `hold`.
    pub fn hold_answers_after(&self, after: usize, hold: Duration) {
        self.with(|s| s.hold_after = Some((after, hold)));
    }

    /// Answers are no longer held back (those already held stay so).
    pub fn release_answers(&self) {
        self.with(|s| s.hold_after = None);
    }

    /// Answers being held back right now.
    pub fn held(&self) -> usize {
        self.with(|s| s.held)
    }

    /// Forgets every nonce, as Discord does after a few minutes: from now on only
    /// hearth's own lookup can stop a repeat.
    pub fn forget_nonces(&self) {
        self.with(|s| s.nonces.clear());
    }

    /// Messages in every channel, by channel.
    pub fn all_messages(&self) -> HashMap<String, Vec<Value>> {
        self.with(|s| s.messages.clone())
    }

    pub fn fail_next(&self, route: Route, fault: Fault) {
        self.with(|s| s.faults.push_back((route, fault)));
    }

    /// A reaction made on Discord without telling the bot (it was offline).
    pub fn add_reaction_silently(&self, message: &str, emoji: &str, user: &str) {
        self.with(|s| {
            s.reactions
                .entry(message.to_string())
                .or_default()
                .push((emoji.to_string(), user.to_string()))
        });
    }

    /// Sends a dispatch event to every connected session.
    pub fn dispatch(&self, event: &str, data: Value) {
        self.with(|s| {
            s.seq += 1;
            let seq = s.seq;
            s.sockets.retain(|tx| {
                tx.send(gateway::Out::Dispatch(event.to_string(), data.clone(), seq))
                    .is_ok()
            });
        });
    }

    /// Closes every gateway connection and refuses new ones until [`restore_gateway`].
    pub fn drop_gateway(&self) {
        self.with(|s| {
            s.refuse_gateway = true;
            for tx in s.sockets.drain(..) {
                let _ = tx.send(gateway::Out::Close);
            }
        });
    }

    pub fn restore_gateway(&self) {
        self.with(|s| s.refuse_gateway = false);
    }

    pub fn connected(&self) -> usize {
        self.with(|s| s.sockets.iter().filter(|t| !t.is_closed()).count())
    }

    /// Waits until `check` holds, up to `secs`; panics with `what` otherwise.
    pub async fn wait_for(
        &self,
        what: &str,
        secs: u64,
        mut check: impl FnMut(&FakeDiscord) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        while tokio::time::Instant::now() < deadline {
            if check(self) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("timed out waiting for: {what}");
    }
}
