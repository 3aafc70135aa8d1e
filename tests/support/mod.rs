//! Test support shared by the integration tests: a recording fake platform and an
//! app harness on a fresh database with a manual clock.
#![allow(dead_code)]

pub mod app;
pub mod discord_fake;
pub mod discord_world;
pub mod fake_platform;
pub mod matrix_world;
pub mod synapse;
