//! The commands hearth understands, as values: what the parser (or a Discord slash
//! command) produces and the handlers take.

use chrono::Duration;

use crate::catalog::tags::{Depth, Kind};
use crate::schedule::fair::Window;
use crate::schedule::{ScheduleSpec, Zone};

/// Every command hearth understands.
#[derive(Debug, Clone)]
pub enum Command {
    Help {
        topic: Option<String>,
    },
    Prompt {
        kind: Option<Kind>,
    },
    Skip,
    /// Answer the latest conversation prompt privately.
    Answer {
        text: String,
    },
    /// Show (`None`) or set the couple's reveal policy: `Some(None)` waits for every
    /// member, `Some(Some(secs))` reveals what is there that long after the prompt.
    Reveal {
        policy: Option<Option<i64>>,
    },
    /// Pause scheduled prompts; `until`: a date (in the couple's zone) they resume by themselves.
    Pause {
        until: Option<chrono::NaiveDate>,
    },
    Resume,
    History {
        limit: u32,
    },
    Stats,
    Export,
    ForgetMe {
        confirm: bool,
    },
    CoupleShow,
    CoupleAdd {
        members: Vec<String>,
        timezone: Option<Zone>,
    },
    CoupleRemove,
    ScheduleAdd {
        kind: Kind,
        spec: Box<ScheduleSpec>,
        timezone: Option<Zone>,
        grace: Option<Duration>,
        thread: bool,
        /// `--fair`: choose the time that suits every member's own timezone.
        fair: Option<FairRequest>,
    },
    ScheduleList,
    ScheduleRemove {
        id: i64,
    },
    SchedulePause {
        id: i64,
    },
    ScheduleResume {
        id: i64,
    },
    Settings {
        timezone: Option<Zone>,
        depth: Option<Depth>,
    },
    Audit {
        limit: u32,
    },
    PromptAdminAdd {
        kind: String,
        practice: String,
        intimacy: String,
        depth: String,
        text: String,
    },
    PromptAdminList,
    PromptAdminRemove {
        id: i64,
    },
    // Two timezones: a member's own zone, and slots seen in everyone's local time.
    CoupleZone {
        /// A member id, or `me`.
        member: String,
        /// `None`: back to the couple's timezone.
        zone: Option<Zone>,
    },
    SchedulePreview {
        target: PreviewTarget,
    },
    // Suggested prompts: any member suggests, moderators decide.
    Suggest {
        kind: Kind,
        text: String,
    },
    SuggestionsList,
    Approve {
        id: i64,
        /// Practice, intimacy and depth words overriding the kind's defaults.
        tags: Vec<String>,
    },
    Reject {
        id: i64,
        reason: Option<String>,
    },
    // The appreciation jar and the weekly digest.
    /// `appreciate [@member] <text>`: `to` as typed (`None`: the only other member).
    Appreciate {
        to: Option<String>,
        text: String,
    },
    Jar,
    Digest {
        action: DigestAction,
    },
}

/// What `digest` does.
#[derive(Debug, Clone)]
pub enum DigestAction {
    Show,
    /// This week's digest so far, as a reply.
    Preview,
    Off,
    /// Back to the default schedule.
    On,
    Set(Box<ScheduleSpec>),
}

/// What `schedule preview` shows: one of this channel's schedules, or a spec to try.
#[derive(Debug, Clone)]
pub enum PreviewTarget {
    Schedule(i64),
    Spec {
        spec: Box<ScheduleSpec>,
        timezone: Option<Zone>,
    },
}

/// `schedule add … --fair`: the days of the schedule (`daily`, `weekly sun`, …) and
/// the local hours every member would like.
#[derive(Debug, Clone)]
pub struct FairRequest {
    pub days: String,
    pub window: Window,
}

impl Command {
    /// The command's name as typed (for messages and help).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Help { .. } => "help",
            Self::Prompt { .. } => "prompt",
            Self::Skip => "skip",
            Self::Answer { .. } => "answer",
            Self::Reveal { .. } => "reveal",
            Self::Pause { .. } => "pause",
            Self::Resume => "resume",
            Self::History { .. } => "history",
            Self::Stats => "stats",
            Self::Export => "export",
            Self::ForgetMe { .. } => "forget-me",
            Self::CoupleShow => "couple",
            Self::CoupleAdd { .. } => "couple add",
            Self::CoupleRemove => "couple remove",
            Self::ScheduleAdd { .. } => "schedule add",
            Self::ScheduleList => "schedule list",
            Self::ScheduleRemove { .. } => "schedule remove",
            Self::SchedulePause { .. } => "schedule pause",
            Self::ScheduleResume { .. } => "schedule resume",
            Self::Settings { .. } => "settings",
            Self::Audit { .. } => "audit",
            Self::PromptAdminAdd { .. } => "prompt-admin add",
            Self::PromptAdminList => "prompt-admin list",
            Self::PromptAdminRemove { .. } => "prompt-admin remove",
            Self::CoupleZone { .. } => "couple zone",
            Self::SchedulePreview { .. } => "schedule preview",
            Self::Suggest { .. } => "suggest",
            Self::Appreciate { .. } => "appreciate",
            Self::Jar => "jar",
            Self::Digest { .. } => "digest",
            Self::SuggestionsList => "suggestions list",
            Self::Approve { .. } => "approve",
            Self::Reject { .. } => "reject",
        }
    }
}
