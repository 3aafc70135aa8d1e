//! Posting queued notices (a suggestion's outcome, told to its author). A notice is
//! deleted once posted; a temporary failure leaves it for the next tick, up to the
//! engine's `max_attempts`; a permanent one drops it with a warning.

use super::Engine;
use crate::platform::SendError;

/// Notices posted per tick.
const NOTICE_BATCH: i64 = 100;

impl Engine {
    /// Posts what is queued; returns how many were posted.
    pub(super) async fn send_notices(&self) -> anyhow::Result<usize> {
        let h = &self.hearth;
        let mut posted = 0;
        for n in h.store.pending_notices(&self.active, NOTICE_BATCH).await? {
            let Some(platform) = self.platforms.get(n.channel.platform) else {
                continue;
            };
            match platform.send_notice(&n.channel, &n.text).await {
                Ok(()) => {
                    h.store.drop_notice(n.id).await?;
                    posted += 1;
                }
                Err(SendError::Transient { reason, .. })
                    if n.attempts + 1 < i64::from(h.config.engine.max_attempts) =>
                {
                    tracing::warn!(notice = n.id, "{reason}; will retry the notice");
                    h.store.notice_attempted(n.id).await?;
                }
                Err(e) => {
                    tracing::warn!(notice = n.id, channel = %n.channel, error = %e, "giving up on a notice");
                    h.store.drop_notice(n.id).await?;
                }
            }
        }
        Ok(posted)
    }
}
