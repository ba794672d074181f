//! `openchoreo-catalog`: sync an OpenChoreo API into Backstage entities, translate one resource, or
//! run the demo against the built-in sample API.

use anyhow::{Context, Result, anyhow};
use clap::{Parser, Subcommand};
use host_harness::logging::{Level, Logger};
use host_harness::runner::Syncer;
use host_harness::runtime::{Limits, Runtime, mapping_error_text};
use host_harness::{app_config, demo, output};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(name = "openchoreo-catalog", version, about = "OpenChoreo → Backstage catalog sync, in a sandboxed WebAssembly component")]
struct Cli {
    /// debug, info, warn or error (also OPENCHOREO_LOG).
    #[arg(long, global = true, env = "OPENCHOREO_LOG", default_value = "info")]
    log_level: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sync on the configured schedule (or once) and write the entities.
    Sync {
        /// A Backstage app-config.yaml with an `openchoreo:` section.
        #[arg(long)]
        config: PathBuf,
        /// Run one sync and exit (0 on success, 1 with a one-line reason on failure).
        #[arg(long)]
        once: bool,
        /// Where to write the entities: a JSON array, or YAML documents for .yaml / .yml.
        #[arg(long, default_value = "openchoreo-entities.json")]
        output: PathBuf,
        /// Last-known-good state: kept entities for scopes that fail, across restarts.
        #[arg(long)]
        state: Option<PathBuf>,
    },
    /// Translate one OpenChoreo resource (JSON on stdin) with the pure mapping.
    Translate {
        /// OpenChoreo kind: Namespace, Project, Component, Environment, DataPlane, ClusterWorkflow, ...
        #[arg(long)]
        kind: String,
        /// OpenChoreo namespace, for namespaced kinds.
        #[arg(long)]
        namespace: Option<String>,
        /// JSON file with context: {"project": ..., "workload": ..., "projects": [...], "defaultOwner": "..."}.
        #[arg(long)]
        context: Option<PathBuf>,
    },
    /// Serve the built-in sample OpenChoreo API (and a token endpoint) on loopback until stdin closes.
    /// Prints one JSON line with baseUrl and tokenUrl. Used by the Node test suite and for trying the CLI.
    #[command(hide = true)]
    ServeFixture {
        /// Require OAuth2 client credentials (client id `openchoreo-backstage-client`, secret `backstage-portal-secret`).
        #[arg(long)]
        auth: bool,
    },
    /// Sync the built-in sample OpenChoreo API once and show what it produced.
    Demo {
        #[arg(long, default_value = "out/demo-entities.json")]
        output: PathBuf,
    },
}

fn main() {
    let cli = Cli::parse();
    let level = Level::parse(&cli.log_level).unwrap_or(Level::Info);
    let logger = Logger::stderr(level);
    if let Err(e) = run(cli.command, logger) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(command: Command, logger: Logger) -> Result<()> {
    if let Command::ServeFixture { auth } = command {
        return serve_fixture(auth);
    }
    let runtime = Arc::new(Runtime::embedded()?);
    match command {
        Command::ServeFixture { .. } => unreachable!("handled above"),
        Command::Demo { output } => {
            let result = demo::run(runtime, logger, &output)?;
            print!("{}", result.report);
            Ok(())
        }
        Command::Translate { kind, namespace, context } => {
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input).context("reading the resource from stdin")?;
            let context = context.map(|p| std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))).transpose()?;
            let mut instance = runtime.instantiate(Limits::default(), None, None, logger)?;
            let entities = instance
                .translate_resource(&kind, namespace.as_deref(), &input, context.as_deref())?
                .map_err(|e| anyhow!(mapping_error_text(&e)))?;
            let docs: Vec<serde_json::Value> =
                entities.iter().map(|e| serde_json::from_str(&e.json)).collect::<Result<_, _>>()?;
            println!("{}", serde_json::to_string_pretty(&docs)?);
            Ok(())
        }
        Command::Sync { config, once, output, state } => {
            let app = app_config::load(&config)?;
            let mut syncer = Syncer::new(runtime.clone(), &app, logger.clone(), state)?;
            let frequency = Duration::from_secs(u64::from(syncer.settings.frequency_seconds));
            loop {
                let started = Instant::now();
                match syncer.run_once() {
                    Ok(outcome) => {
                        if outcome.changed || once {
                            let mut pure = runtime.instantiate(Limits::default(), None, None, logger.clone())?;
                            let docs = output::with_relations(&mut pure, &outcome.entities)?;
                            output::write(&output, &docs)?;
                        }
                    }
                    Err(e) if once => return Err(anyhow!("{e}")),
                    Err(e) => logger.error(&format!("Sync failed: {e}")),
                }
                if once {
                    return Ok(());
                }
                std::thread::sleep(frequency.saturating_sub(started.elapsed()));
            }
        }
    }
}

fn serve_fixture(auth: bool) -> Result<()> {
    use host_harness::fixture::{Dataset, FixtureApi, FixtureAuth};
    let auth = auth.then(|| FixtureAuth {
        client_id: "openchoreo-backstage-client".into(),
        client_secret: "backstage-portal-secret".into(),
        token_ttl: Duration::from_secs(3600),
    });
    let api = FixtureApi::start(Dataset::sample(), auth, Duration::ZERO)?;
    println!("{}", serde_json::json!({ "baseUrl": api.base_url, "tokenUrl": api.token_url() }));
    // Serve until the parent closes stdin (or kills us).
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    Ok(())
}
