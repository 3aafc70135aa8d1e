//! The `/hearth` slash command: its definition, and turning an invocation back into
//! the words of the core's text grammar, so every rule lives in one place.

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption};

pub use super::words::to_words;

use crate::catalog::tags::{Depth, Kind};

fn opt(kind: CommandOptionType, name: &str, desc: &str) -> CreateCommandOption {
    CreateCommandOption::new(kind, name, desc)
}

fn sub(name: &str, desc: &str) -> CreateCommandOption {
    opt(CommandOptionType::SubCommand, name, desc)
}

fn kind_option(required: bool) -> CreateCommandOption {
    let mut o = opt(
        CommandOptionType::String,
        "kind",
        "conversation, appreciation, closeness, experience or check-in",
    )
    .required(required);
    for k in Kind::ALL {
        o = o.add_string_choice(k.as_str(), k.as_str());
    }
    o
}

fn timezone_option(desc: &str) -> CreateCommandOption {
    opt(CommandOptionType::String, "timezone", desc).set_autocomplete(true)
}

fn count_option(desc: &str) -> CreateCommandOption {
    opt(CommandOptionType::Integer, "count", desc)
        .min_int_value(1)
        .max_int_value(100)
}

fn id_option() -> CreateCommandOption {
    opt(
        CommandOptionType::Integer,
        "id",
        "the schedule (see /hearth schedule list)",
    )
    .required(true)
    .set_autocomplete(true)
    .min_int_value(1)
}

/// The whole command tree.
pub fn definition() -> CreateCommand {
    let mut depth = opt(
        CommandOptionType::String,
        "depth",
        "starting depth of new couples",
    );
    for d in Depth::ALL {
        depth = depth.add_string_choice(d.as_str(), d.as_str());
    }
    let mut couple_add = sub("add", "Register the couple of this channel");
    for (i, name) in ["member1", "member2", "member3", "member4"]
        .iter()
        .enumerate()
    {
        couple_add = couple_add
            .add_sub_option(opt(CommandOptionType::User, name, "a partner").required(i < 2));
    }
    couple_add =
        couple_add.add_sub_option(timezone_option("their IANA timezone, e.g. Europe/Berlin"));
    CreateCommand::new("hearth")
        .description("Prompts that help you two stay close")
        .dm_permission(false)
        .add_option(sub("help", "What hearth can do").add_sub_option(opt(
            CommandOptionType::String,
            "command",
            "a command to explain",
        )))
        .add_option(sub("prompt", "A prompt now").add_sub_option(kind_option(false)))
        .add_option(sub("skip", "Another prompt instead of the latest"))
        .add_option(
            sub(
                "answer",
                "Answer the latest conversation or appreciation prompt privately",
            )
            .add_sub_option(
                opt(
                    CommandOptionType::String,
                    "text",
                    "your answer, hidden until you have all answered",
                )
                .required(true)
                .max_length(1000),
            ),
        )
        .add_option(
            sub("reveal", "When your answers are shown together").add_sub_option(opt(
                CommandOptionType::String,
                "when",
                "both (wait for everyone), or hours after the prompt like 24h",
            )),
        )
        .add_option(
            sub("pause", "Stop scheduled prompts until you resume").add_sub_option(opt(
                CommandOptionType::String,
                "until",
                "resume by itself on this date, like 2026-12-24",
            )),
        )
        .add_option(sub("resume", "Start scheduled prompts again"))
        .add_option(
            sub("history", "Your recent prompts and reactions")
                .add_sub_option(count_option("how many (default 10)")),
        )
        .add_option(sub("stats", "How you've been engaging"))
        .add_option(sub(
            "export",
            "Everything stored about your couple, as JSON",
        ))
        .add_option(
            sub("forget-me", "Delete everything hearth stores about you").add_sub_option(opt(
                CommandOptionType::Boolean,
                "confirm",
                "yes, delete it now",
            )),
        )
        .add_option(
            opt(
                CommandOptionType::SubCommandGroup,
                "couple",
                "The couple of this channel",
            )
            .add_sub_option(sub("show", "Who is registered here"))
            .add_sub_option(couple_add)
            .add_sub_option(sub("remove", "Unregister the couple and delete its data"))
            .add_sub_option(
                sub("zone", "The timezone one partner lives in")
                    .add_sub_option(
                        timezone_option("an IANA timezone, or `default` for the couple's")
                            .required(true),
                    )
                    .add_sub_option(opt(
                        CommandOptionType::User,
                        "member",
                        "the partner (default: you)",
                    )),
            ),
        )
        .add_option(
            opt(
                CommandOptionType::SubCommandGroup,
                "schedule",
                "This channel's schedules (moderators)",
            )
            .add_sub_option(
                sub("add", "Post prompts on a schedule")
                    .add_sub_option(kind_option(true))
                    .add_sub_option(
                        opt(
                            CommandOptionType::String,
                            "when",
                            "daily 20:00, weekdays 07:30, mon,wed,fri 19:00, or cron 0 20 * * *",
                        )
                        .required(true),
                    )
                    .add_sub_option(timezone_option("defaults to the couple's timezone"))
                    .add_sub_option(
                        opt(
                            CommandOptionType::Integer,
                            "grace_minutes",
                            "how late a missed slot may still be posted (default 120)",
                        )
                        .min_int_value(0)
                        .max_int_value(1440),
                    )
                    .add_sub_option(opt(
                        CommandOptionType::Boolean,
                        "thread",
                        "open a thread for answers under each prompt",
                    ))
                    .add_sub_option(opt(
                        CommandOptionType::Boolean,
                        "fair",
                        "`when` names hours (daily evening): pick the time fairest for both zones",
                    )),
            )
            .add_sub_option(sub("list", "Schedules with their next slot"))
            .add_sub_option(
                sub("preview", "Next slots in each partner's local time")
                    .add_sub_option(
                        opt(
                            CommandOptionType::String,
                            "schedule",
                            "a schedule id, or a schedule like daily 20:00",
                        )
                        .required(true),
                    )
                    .add_sub_option(timezone_option("defaults to the couple's timezone")),
            )
            .add_sub_option(sub("remove", "Delete a schedule").add_sub_option(id_option()))
            .add_sub_option(sub("pause", "Pause a schedule").add_sub_option(id_option()))
            .add_sub_option(sub("resume", "Resume a schedule").add_sub_option(id_option())),
        )
        .add_option(
            sub("settings", "Server defaults for new couples (moderators)")
                .add_sub_option(timezone_option("default timezone"))
                .add_sub_option(depth),
        )
        .add_option(prompt_admin())
        .add_option(
            sub("suggest", "Suggest a prompt for this server's couples")
                .add_sub_option(kind_option(true))
                .add_sub_option(
                    opt(
                        CommandOptionType::String,
                        "text",
                        "the prompt, at most 280 characters",
                    )
                    .required(true)
                    .max_length(280),
                ),
        )
        .add_option(suggestions())
        .add_option(
            sub(
                "appreciate",
                "Put an appreciation for your partner into your jar",
            )
            .add_sub_option(
                opt(
                    CommandOptionType::String,
                    "text",
                    "what you noticed and are thankful for",
                )
                .required(true)
                .max_length(500),
            )
            .add_sub_option(opt(
                CommandOptionType::User,
                "partner",
                "whom it is for (default: your partner, when you are two)",
            )),
        )
        .add_option(sub("jar", "What is in your appreciation jar"))
        .add_option(
            sub("digest", "Your weekly digest: when it comes").add_sub_option(opt(
                CommandOptionType::String,
                "when",
                "preview, off, on, or a schedule like weekly sun 19:00",
            )),
        )
        .add_option(
            sub("audit", "Recent configuration changes (moderators)")
                .add_sub_option(count_option("how many (default 20)")),
        )
}

fn choices<T: Copy + ToString>(name: &str, desc: &str, all: &[T]) -> CreateCommandOption {
    let mut o = opt(CommandOptionType::String, name, desc).required(true);
    for v in all {
        o = o.add_string_choice(v.to_string(), v.to_string());
    }
    o
}

fn prompt_admin() -> CreateCommandOption {
    use crate::catalog::tags::{Intimacy, Practice};
    opt(
        CommandOptionType::SubCommandGroup,
        "prompt-admin",
        "This server's own prompts (moderators)",
    )
    .add_sub_option(
        sub("add", "Add a prompt of your own")
            .add_sub_option(kind_option(true))
            .add_sub_option(choices("practice", "the practice it builds", Practice::ALL))
            .add_sub_option(choices(
                "intimacy",
                "the kind of intimacy it serves",
                Intimacy::ALL,
            ))
            .add_sub_option(choices(
                "depth",
                "how much openness it asks for",
                Depth::ALL,
            ))
            .add_sub_option(
                opt(
                    CommandOptionType::String,
                    "text",
                    "the prompt, at most 280 characters",
                )
                .required(true)
                .max_length(280),
            ),
    )
    .add_sub_option(sub("list", "This server's own prompts"))
    .add_sub_option(sub("remove", "Remove one").add_sub_option(
        opt(CommandOptionType::String, "prompt", "its id, e.g. custom-3").required(true),
    ))
}

fn suggestion_id() -> CreateCommandOption {
    opt(
        CommandOptionType::Integer,
        "id",
        "the suggestion (see /hearth suggestions list)",
    )
    .required(true)
    .min_int_value(1)
}

fn suggestions() -> CreateCommandOption {
    opt(
        CommandOptionType::SubCommandGroup,
        "suggestions",
        "Suggested prompts (moderators)",
    )
    .add_sub_option(sub("list", "Suggested prompts waiting"))
    .add_sub_option(
        sub("approve", "Add one to this server's prompts")
            .add_sub_option(suggestion_id())
            .add_sub_option(opt(
                CommandOptionType::String,
                "tags",
                "practice, intimacy, depth (default: the kind's)",
            )),
    )
    .add_sub_option(
        sub("reject", "Turn one down")
            .add_sub_option(suggestion_id())
            .add_sub_option(
                opt(CommandOptionType::String, "reason", "told to the author").max_length(300),
            ),
    )
}
