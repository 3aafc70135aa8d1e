#![recursion_limit = "256"]
//! hearth's integration tests: one binary, one module per story.

#[path = "../support/mod.rs"]
mod support;

mod answers;
mod checkins;
mod cli;
mod commands;
mod config;
mod crash;
mod crash_matrix;
mod custom_prompts;
mod delivery;
mod digest;
mod discord;
mod discord_answers;
mod discord_digest;
mod discord_fixtures;
mod dst;
mod faults;
mod fuzz;
mod health;
mod matrix;
mod matrix_answers;
mod matrix_digest;
mod matrix_harness;
mod matrix_outage;
mod privacy;
mod reaction_ingest;
mod reaction_lookups;
mod reactions;
mod security;
mod selection;
mod shell;
mod streak;
mod suggestions;
mod time_property;
mod two_zones;
mod wake_hint;
