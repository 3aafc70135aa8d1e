//! A recording platform for engine tests: posts land in memory, failures can be
//! queued, and a post can "crash" the sender right after it reached the platform.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use hearth::domain::{ChannelRef, PlatformKind};
use hearth::platform::{OutboundDigest, OutboundPrompt, Platform, SendError};

pub struct FakePlatform {
    kind: PlatformKind,
    pub posts: Mutex<Vec<OutboundPrompt>>,
    pub notices: Mutex<Vec<(ChannelRef, String)>>,
    pub digests: Mutex<Vec<OutboundDigest>>,
    failures: Mutex<VecDeque<SendError>>,
    /// Like Discord's enforced nonce: a repeated key returns the first message.
    pub dedupe_keys: AtomicBool,
    /// After recording a post, never return (the sender "crashes" mid-send).
    pub hang_after_post: AtomicBool,
    by_key: Mutex<HashMap<String, String>>,
    next: AtomicUsize,
    pub find_calls: AtomicUsize,
}

impl FakePlatform {
    pub fn new(kind: PlatformKind) -> Self {
        Self {
            kind,
            posts: Mutex::default(),
            notices: Mutex::default(),
            digests: Mutex::default(),
            failures: Mutex::default(),
            dedupe_keys: AtomicBool::new(true),
            hang_after_post: AtomicBool::new(false),
            by_key: Mutex::default(),
            next: AtomicUsize::new(1),
            find_calls: AtomicUsize::new(0),
        }
    }

    pub fn fail_next(&self, e: SendError) {
        self.failures.lock().unwrap().push_back(e);
    }

    pub fn post_count(&self) -> usize {
        self.posts.lock().unwrap().len()
    }

    pub fn posts(&self) -> Vec<OutboundPrompt> {
        self.posts.lock().unwrap().clone()
    }

    pub fn notices(&self) -> Vec<String> {
        self.notices
            .lock()
            .unwrap()
            .iter()
            .map(|(_, t)| t.clone())
            .collect()
    }

    pub fn digests(&self) -> Vec<OutboundDigest> {
        self.digests.lock().unwrap().clone()
    }

    /// The message id the fake gave the post with this delivery id.
    pub fn message_of(&self, delivery_id: i64) -> Option<String> {
        self.by_key
            .lock()
            .unwrap()
            .get(&hearth::domain::delivery_key(delivery_id))
            .cloned()
    }
}

#[async_trait]
impl Platform for FakePlatform {
    fn kind(&self) -> PlatformKind {
        self.kind
    }

    async fn post_prompt(&self, p: &OutboundPrompt) -> Result<String, SendError> {
        if let Some(e) = self.failures.lock().unwrap().pop_front() {
            return Err(e);
        }
        if self.dedupe_keys.load(Ordering::SeqCst)
            && let Some(id) = self.by_key.lock().unwrap().get(&p.key)
        {
            return Ok(id.clone());
        }
        let id = format!("m{}", self.next.fetch_add(1, Ordering::SeqCst));
        self.posts.lock().unwrap().push(p.clone());
        self.by_key
            .lock()
            .unwrap()
            .insert(p.key.clone(), id.clone());
        if self.hang_after_post.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        Ok(id)
    }

    async fn find_posted(&self, _c: &ChannelRef, key: &str) -> Result<Option<String>, SendError> {
        self.find_calls.fetch_add(1, Ordering::SeqCst);
        Ok(self.by_key.lock().unwrap().get(key).cloned())
    }

    async fn send_notice(&self, c: &ChannelRef, text: &str) -> Result<(), SendError> {
        self.notices
            .lock()
            .unwrap()
            .push((c.clone(), text.to_string()));
        Ok(())
    }

    async fn post_digest(&self, d: &OutboundDigest) -> Result<Option<String>, SendError> {
        if let Some(e) = self.failures.lock().unwrap().pop_front() {
            return Err(e);
        }
        if let Some(id) = self.by_key.lock().unwrap().get(&d.key) {
            return Ok(Some(id.clone()));
        }
        let id = format!("m{}", self.next.fetch_add(1, Ordering::SeqCst));
        self.digests.lock().unwrap().push(d.clone());
        self.by_key
            .lock()
            .unwrap()
            .insert(d.key.clone(), id.clone());
        Ok(Some(id))
    }
}
