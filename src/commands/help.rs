//! Help text for every command, written once for every platform.

/// Command names, for suggestions.
pub const NAMES: &[&str] = &[
    "help",
    "prompt",
    "skip",
    "answer",
    "reveal",
    "pause",
    "resume",
    "history",
    "stats",
    "export",
    "forget-me",
    "couple",
    "schedule",
    "settings",
    "audit",
    "prompt-admin",
    "suggest",
    "suggestions",
    "approve",
    "reject",
    "appreciate",
    "jar",
    "digest",
];

/// (name, usage, who may use it, what it does)
const ENTRIES: &[(&str, &str, &str, &str)] = &[
    (
        "help",
        "help [command]",
        "anyone",
        "Show this list, or the details of one command.",
    ),
    (
        "prompt",
        "prompt [conversation|appreciation|closeness|experience|check-in]",
        "the couple",
        "Post a prompt now (a conversation prompt unless you name a kind).",
    ),
    (
        "skip",
        "skip",
        "the couple",
        "Not feeling the latest prompt? Get another of the same kind. It is remembered, gently, when choosing future prompts.",
    ),
    (
        "answer",
        "answer <text>",
        "the couple",
        "Answer the latest conversation or appreciation prompt privately (answers to appreciation prompts go into your jar once shown). Your answer stays hidden, from everyone, until every one of you has answered; then the answers are shown together in your channel, saying who wrote which. Answer again to change yours until then. On Discord, the Answer privately button under a prompt does the same; on Matrix, answer in your direct chat with hearth (reply to the prompt it sends you there).",
    ),
    (
        "reveal",
        "reveal [both | after <hours>h]",
        "the couple",
        "When your answers are shown together: `both` (the default) waits for every one of you and never shows one answer alone; `after 24h` also shows what is there 24 hours after the prompt.",
    ),
    (
        "pause",
        "pause [--until <YYYY-MM-DD>]",
        "the couple",
        "Stop scheduled prompts in this channel until you resume. Nothing piles up meanwhile. With `--until 2026-12-24` (a date in your timezone) it is a vacation: prompts resume by themselves that day. Paused weeks never count against your streak.",
    ),
    (
        "resume",
        "resume",
        "the couple",
        "Start scheduled prompts again, from the next slot.",
    ),
    (
        "history",
        "history [n]",
        "the couple",
        "The last n prompts you were given (default 10) with your reactions and the answers you shared.",
    ),
    (
        "stats",
        "stats",
        "the couple",
        "How many prompts you've had, reacted to, loved, talked about, and answered together, and your streak: weeks in a row in which you talked about a few prompts (paused weeks and weeks hearth was quiet never break it). With check-ins, a chart of your answers over the last 12 weeks (as a picture, and as text).",
    ),
    (
        "export",
        "export",
        "the couple",
        "Everything hearth stores about your couple, as a JSON file.",
    ),
    (
        "forget-me",
        "forget-me [confirm]",
        "anyone",
        "Delete everything hearth stores about you (your reactions, answers and memberships). Asks for `forget-me confirm` first.",
    ),
    (
        "couple",
        "couple [show]",
        "the couple or a moderator",
        "Who is registered in this channel, its timezone and depth.",
    ),
    (
        "couple add",
        "couple add <member> <member>… [timezone]",
        "moderators",
        "Register the couple of this channel (two or more members), optionally with their IANA timezone, e.g. Europe/Berlin.",
    ),
    (
        "couple zone",
        "couple zone <member|me> <timezone|default>",
        "the couple or a moderator",
        "Set the timezone one partner lives in, for couples who live apart, e.g. `couple zone me America/Vancouver`; `default` goes back to the couple's timezone. Schedules then show each partner's local time.",
    ),
    (
        "couple remove",
        "couple remove",
        "moderators",
        "Unregister the couple of this channel and delete its data.",
    ),
    (
        "schedule",
        "schedule list | add | preview | remove | pause | resume",
        "moderators",
        "Manage this channel's schedules.",
    ),
    (
        "schedule add",
        "schedule add <kind> <when> [timezone] [grace] [thread] [--fair]",
        "moderators",
        "Post <kind> prompts on a schedule. With `--fair`, <when> is days and the local hours you'd like, e.g. `\"daily evening\" --fair` or `\"weekly sun 19:00-21:00\" --fair` (morning, midday, afternoon, evening, night, HH:MM or HH:MM-HH:MM): hearth picks the time closest to them for every partner's own timezone and says why. <when> is `daily 20:00`, `weekdays 07:30`, `weekends 10:00`, `mon,wed,fri 19:00`, `weekly sun 18:00`, or a cron line like `0 20 * * *`. Grace (default 2h, e.g. `90m`) is how late a missed slot may still be posted after downtime. `thread` opens a thread for answers under each prompt where the platform has threads.",
    ),
    (
        "schedule list",
        "schedule list",
        "moderators",
        "This channel's schedules with their next slot.",
    ),
    (
        "schedule preview",
        "schedule preview <id|when> [timezone]",
        "the couple or a moderator",
        "The next slots of a schedule (or of one you are thinking of) in each partner's local time, noting when the clocks change.",
    ),
    (
        "schedule remove",
        "schedule remove <id>",
        "moderators",
        "Delete a schedule.",
    ),
    (
        "schedule pause",
        "schedule pause <id>",
        "moderators",
        "Pause one schedule.",
    ),
    (
        "schedule resume",
        "schedule resume <id>",
        "moderators",
        "Resume one schedule (also restarts one stopped by an error).",
    ),
    (
        "settings",
        "settings [timezone <zone>] [depth light|medium|deep]",
        "moderators",
        "Show or set this server's defaults for new couples.",
    ),
    (
        "prompt-admin add",
        "prompt-admin add <kind> <practice> <intimacy> <depth> <text>",
        "moderators",
        "Add a prompt of your own for this server's couples. Practices: meaningful-conversation, active-listening, new-experiences, appreciation, physical-closeness, vulnerability; intimacy: emotional, physical, intellectual, experiential; depth: light, medium, deep. It is checked like the built-in prompts (at most 280 characters, not a near-copy of another).",
    ),
    (
        "prompt-admin list",
        "prompt-admin list",
        "moderators",
        "This server's own prompts.",
    ),
    (
        "prompt-admin remove",
        "prompt-admin remove <id>",
        "moderators",
        "Remove one of this server's own prompts.",
    ),
    (
        "appreciate",
        "appreciate [@partner] <what you noticed>",
        "the couple",
        "Put an appreciation for your partner into your jar (with two of you, the name can be left out). It may come back in a weekly digest. Answers to appreciation prompts and prompts you ❤️ go into the jar too.",
    ),
    (
        "jar",
        "jar",
        "the couple",
        "What is in your appreciation jar: how much, and the latest five.",
    ),
    (
        "digest",
        "digest [preview | off | on | <when>]",
        "the couple or a moderator",
        "Your weekly digest: appreciations of the week, prompts talked about, one thing from your jar brought back, and your check-in chart. It comes Sunday at 19:00 in your timezone unless the operator set another default; `digest <when>` sets your own (like `digest weekly fri 18:00`, at most daily), `digest off` stops it, `digest on` goes back to the usual time, `digest preview` shows this week's so far.",
    ),
    (
        "suggest",
        "suggest <kind> <text>",
        "anyone",
        "Suggest a prompt for this server's couples (kind: conversation, appreciation, closeness, experience, check-in). A moderator looks at it, and you are told here what they decided.",
    ),
    (
        "suggestions list",
        "suggestions list",
        "moderators",
        "Suggested prompts waiting for a decision, with the tags each would get.",
    ),
    (
        "approve",
        "approve <id> [practice] [intimacy] [depth]",
        "moderators",
        "Add a suggested prompt to this server's own prompts, checked like the built-in ones. Tags you leave out take the kind's defaults (e.g. appreciation: appreciation emotional light). The author is told.",
    ),
    (
        "reject",
        "reject <id> [reason]",
        "moderators",
        "Turn a suggested prompt down; the author is thanked and told the reason if you give one.",
    ),
    (
        "audit",
        "audit [n]",
        "moderators",
        "The last n configuration changes on this server (default 20).",
    ),
];

/// The name of every command help describes.
pub fn command_names() -> impl Iterator<Item = &'static str> {
    ENTRIES.iter().map(|(name, _, _, _)| *name)
}

/// The usage line of a command (or of its group).
pub fn usage(name: &str) -> &'static str {
    ENTRIES.iter().find(|e| e.0 == name).map_or("help", |e| e.1)
}

/// Text of `help` (no topic) or `help <topic>`.
pub fn help_text(topic: Option<&str>) -> String {
    if let Some(t) = topic {
        let t = t.trim().to_lowercase();
        let matches: Vec<_> = ENTRIES
            .iter()
            .filter(|e| e.0 == t || e.0.starts_with(&format!("{t} ")))
            .collect();
        if matches.is_empty() {
            return format!("No command called '{t}'. Type `help` for the list.");
        }
        return matches
            .iter()
            .map(|(_, usage, who, what)| format!("`{usage}` ({who})\n  {what}"))
            .collect::<Vec<_>>()
            .join("\n");
    }
    let mut out = String::from(
        "hearth posts small prompts that help you two stay close, and remembers how you react.\n\
         React to a prompt: ❤️ loved it · ✅ we talked about it / did it · 🔁 another one · ⭐ favourite · 1️⃣–5️⃣ check-in answers.\n",
    );
    for (section, who) in [
        ("For the couple", "the couple"),
        ("For anyone", "anyone"),
        ("For moderators", "moderators"),
    ] {
        out.push_str(&format!("\n{section}:\n"));
        for (name, usage, w, what) in ENTRIES {
            if *w == who || (who == "the couple" && *w == "the couple or a moderator") {
                let first = what
                    .split(". ")
                    .next()
                    .unwrap_or(what)
                    .trim_end_matches('.');
                out.push_str(&format!("  `{usage}` — {first}\n"));
                let _ = name;
            }
        }
    }
    out.push_str("\n`help <command>` tells more.");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_has_help() {
        for n in NAMES {
            assert!(!help_text(Some(n)).starts_with("No command"), "{n}");
        }
    }

    #[test]
    fn full_help_lists_every_command() {
        let h = help_text(None);
        for (_, usage, _, _) in ENTRIES {
            assert!(h.contains(usage), "{usage}");
        }
    }
}
