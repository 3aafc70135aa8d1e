//! The `hearth` command line: a thin layer over the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use hearth::catalog::tags::{Depth, Kind, Practice};
use hearth::catalog::{Catalog, check};
use hearth::clock::SystemClock;
use hearth::config::Config;
use hearth::platform::shell::{Output, ShellOptions, run_shell};
use hearth::schedule::{ScheduleSpec, Zone, preview};

#[derive(Parser)]
#[command(
    name = "hearth",
    version,
    about = "A chat bot that helps couples keep their relationship close."
)]
struct Cli {
    /// Config file (default: ./config.toml if it exists, else built-in defaults with
    /// the database at ./hearth.db).
    #[arg(long, global = true, env = "HEARTH_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the bot on the platforms enabled in the config.
    Run,
    /// Try hearth in the terminal: you play a couple in one channel.
    Shell {
        /// Act as a moderator too (schedules, couples, settings).
        #[arg(long)]
        moderator: bool,
        /// Post a conversation prompt right away.
        #[arg(long)]
        now: bool,
        /// Your name in the couple (default "you"; the other is "partner").
        #[arg(long = "as", value_name = "NAME")]
        user: Option<String>,
    },
    /// Create or update the database schema, then exit.
    Migrate,
    /// Work with the prompt catalog.
    Prompts {
        #[command(subcommand)]
        command: PromptsCmd,
    },
    /// Work with schedules.
    Schedule {
        #[command(subcommand)]
        command: ScheduleCmd,
    },
}

#[derive(Subcommand)]
enum PromptsCmd {
    /// Validate the catalog and print its coverage; exit code 2 on any problem.
    Check,
    /// List prompts, optionally filtered.
    List {
        #[arg(long)]
        kind: Option<Kind>,
        #[arg(long)]
        practice: Option<Practice>,
        #[arg(long)]
        depth: Option<Depth>,
    },
    /// Show one prompt with all its tags.
    Show { id: String },
}

#[derive(Subcommand)]
enum ScheduleCmd {
    /// Print the next slots of a schedule in local time and UTC.
    Preview {
        /// e.g. "daily 20:00", "weekdays 07:30", "mon,wed,fri 19:00", "0 20 * * *".
        spec: String,
        /// IANA timezone, e.g. Europe/Berlin.
        #[arg(long)]
        tz: String,
        #[arg(long, default_value_t = 10)]
        count: usize,
        /// Start from this instant (RFC 3339) instead of now.
        #[arg(long)]
        from: Option<String>,
    },
}

/// Exit code for bad input (config, spec, catalog).
const BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hearth: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(real_main(cli))
}

fn load_config(path: Option<PathBuf>) -> Result<Config, String> {
    match path {
        Some(p) => Config::load(&p).map_err(|e| e.to_string()),
        None if std::path::Path::new("config.toml").exists() => {
            Config::load(std::path::Path::new("config.toml")).map_err(|e| e.to_string())
        }
        None => Ok(Config::defaults_in(std::path::Path::new("."))),
    }
}

fn init_logs(cfg: &Config, quiet: bool) {
    let default = if quiet {
        "warn"
    } else {
        cfg.log.level.as_str()
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cfg.log.json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn real_main(cli: Cli) -> ExitCode {
    // Commands that need no config or database.
    match &cli.command {
        Cmd::Schedule {
            command:
                ScheduleCmd::Preview {
                    spec,
                    tz,
                    count,
                    from,
                },
        } => {
            return schedule_preview(spec, tz, *count, from.as_deref());
        }
        Cmd::Prompts { command } => return prompts(command, cli.config),
        _ => {}
    }
    let cfg = match load_config(cli.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("hearth: {e}");
            return ExitCode::from(BAD_INPUT);
        }
    };
    init_logs(&cfg, matches!(cli.command, Cmd::Shell { .. }));
    let result = match cli.command {
        Cmd::Migrate => migrate(cfg).await,
        Cmd::Run => run(cfg).await,
        Cmd::Shell {
            moderator,
            now,
            user,
        } => {
            shell(
                cfg,
                ShellOptions {
                    moderator,
                    now,
                    user,
                },
            )
            .await
        }
        Cmd::Prompts { .. } | Cmd::Schedule { .. } => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hearth: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(cfg: Config) -> anyhow::Result<()> {
    let path = cfg.database.clone();
    let store = hearth::store::Store::open(&path).await?;
    store.close().await;
    println!("database ready: {}", path.display());
    Ok(())
}

async fn run(cfg: Config) -> anyhow::Result<()> {
    hearth::run::run(cfg).await
}

async fn shell(cfg: Config, opts: ShellOptions) -> anyhow::Result<()> {
    let h = hearth::open(cfg, Arc::new(SystemClock)).await?;
    let out: Output = Arc::new(std::sync::Mutex::new(Box::new(std::io::stdout())));
    if !std::io::stdin().is_terminal() {
        tracing::debug!("reading commands from piped input");
    }
    let stdin = tokio::io::BufReader::new(tokio::io::stdin());
    let result = run_shell(h.clone(), opts, stdin, out).await;
    h.store.close().await;
    result
}

fn schedule_preview(spec: &str, tz: &str, count: usize, from: Option<&str>) -> ExitCode {
    let spec = match ScheduleSpec::parse(spec) {
        Ok(s) => s,
        Err(e) => return bad(&e.to_string()),
    };
    let zone = match Zone::parse(tz) {
        Ok(z) => z,
        Err(e) => return bad(&e.to_string()),
    };
    let from: DateTime<Utc> = match from.map(DateTime::parse_from_rfc3339) {
        None => Utc::now(),
        Some(Ok(t)) => t.with_timezone(&Utc),
        Some(Err(e)) => {
            return bad(&format!(
                "--from: not an RFC 3339 time ({e}), e.g. 2026-03-28T12:00:00Z"
            ));
        }
    };
    print!("{}", preview(&spec, zone, from, count.clamp(1, 1000)));
    ExitCode::SUCCESS
}

fn prompts(cmd: &PromptsCmd, config: Option<PathBuf>) -> ExitCode {
    let cfg = match load_config(config) {
        Ok(c) => c,
        Err(e) => return bad(&e),
    };
    let sources = match &cfg.catalog_dir {
        Some(dir) => match Catalog::dir_sources(dir) {
            Ok(s) => s,
            Err(e) => return bad(&e.to_string()),
        },
        None => Catalog::embedded_sources(),
    };
    if let PromptsCmd::Check = cmd {
        // Report everything at once: file errors, then the library checks on every
        // prompt that did load.
        let (catalog, errors) = Catalog::from_sources_lenient(&sources);
        for e in &errors {
            println!("ERROR: {e}");
        }
        let report = check::check(&catalog);
        print!("{}", check::render(&report, &catalog));
        return if errors.is_empty() && report.is_ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(BAD_INPUT)
        };
    }
    let catalog = match Catalog::from_sources(&sources) {
        Ok(c) => c,
        Err(e) => return bad(&e.to_string()),
    };
    match cmd {
        PromptsCmd::Check => ExitCode::SUCCESS,
        PromptsCmd::List {
            kind,
            practice,
            depth,
        } => {
            print!("{}", check::render_list(&catalog, *kind, *practice, *depth));
            ExitCode::SUCCESS
        }
        PromptsCmd::Show { id } => match catalog.get(id) {
            Some(p) => {
                print!("{}", check::render_show(p));
                ExitCode::SUCCESS
            }
            None => bad(&format!(
                "no prompt with id '{id}'; `hearth prompts list` shows them"
            )),
        },
    }
}

fn bad(msg: &str) -> ExitCode {
    eprintln!("hearth: {msg}");
    ExitCode::from(BAD_INPUT)
}
