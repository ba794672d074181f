//! `openchoreo-catalog`: sync an OpenChoreo API into Backstage entities, translate one resource, or
//! run the demo against the built-in sample API.

use anyhow::{Context, Result, anyhow};
use clap::{Parser, Subcommand};
use host_harness::coalesce::Coalescer;
use host_harness::logging::{Level, Logger};
use host_harness::relation_worker::RelationWorker;
use host_harness::runner::Syncer;
use host_harness::runtime::{Runtime, mapping_error_text};
use host_harness::state::StoredEntity;
use host_harness::{app_config, batch, demo, dist, events, output};
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
        /// Write no entities: check the configuration, the API and the mapping end to end (with --once,
        /// the exit status says whether the sync worked), or keep only --state up to date.
        #[arg(long, conflicts_with = "output")]
        no_output: bool,
        /// Last-known-good state: kept entities for scopes that fail, across restarts.
        #[arg(long)]
        state: Option<PathBuf>,
        /// With --once: print one JSON line of figures (requests, bytes, times, peak memory) on stdout.
        #[arg(long, requires = "once")]
        stats: bool,
        /// Also take OpenChoreo's change events on ADDR (e.g. 127.0.0.1:7007): `POST /api/events/http/openchoreo`
        /// with `{"kind","name","namespace","action"}` re-fetches the scopes the event can affect, coalesced,
        /// and rewrites the output and state after each applied change. The schedule stays as a safety net.
        #[arg(long, value_name = "ADDR", conflicts_with = "once")]
        events_listen: Option<String>,
    },
    /// Write the `transform` component as a release artefact into DIR: `openchoreo-catalog-transform-<version>.wasm`
    /// (name, version, source, revision and license embedded), the WIT beside it, and its SHA-256 sum.
    Dist {
        #[arg(long, default_value = "dist")]
        out: PathBuf,
        /// The source URL to embed; by default the `origin` remote of the git checkout this runs in.
        #[arg(long)]
        source: Option<String>,
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
        /// Serve a synthetic installation of about this many components instead of the samples.
        #[arg(long)]
        synthetic: Option<usize>,
        /// Latency added to every API request, in milliseconds.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
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
        eprintln!("error: {}", host_harness::logging::printable(&format!("{e:#}")));
        std::process::exit(1);
    }
}

fn run(command: Command, logger: Logger) -> Result<()> {
    if let Command::ServeFixture { auth, synthetic, latency_ms } = command {
        return serve_fixture(auth, synthetic, Duration::from_millis(latency_ms));
    }
    let runtime = Arc::new(Runtime::embedded());
    match command {
        Command::ServeFixture { .. } => unreachable!("handled above"),
        Command::Demo { output } => {
            let result = demo::run(runtime, logger, &output)?;
            print!("{}", result.report);
            Ok(())
        }
        Command::Dist { out, source } => {
            let from_git = dist::origin_from_git(&std::env::current_dir()?);
            let origin = match (source, from_git) {
                (Some(source), git) => dist::Origin { source, revision: git.and_then(|g| g.revision) },
                (None, Some(git)) => git,
                (None, None) => return Err(anyhow!("no git remote `origin` to name as the artefact's source: pass --source URL")),
            };
            let written = dist::write(&out, &origin)?;
            for p in [&written.component, &written.wit, &written.sha256] {
                println!("{}", p.display());
            }
            println!("sha256 {}", written.digest);
            Ok(())
        }
        Command::Translate { kind, namespace, context } => {
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input).context("reading the resource from stdin")?;
            let context = context.map(|p| std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))).transpose()?;
            let mut instance = runtime.pure(logger)?;
            let batch = instance
                .translate_resource(&kind, namespace.as_deref(), &input, context.as_deref())?
                .map_err(|e| anyhow!(mapping_error_text(&e)))?;
            let docs: Vec<serde_json::Value> =
                batch::unpack(&batch)?.iter().map(|e| serde_json::from_str(e.json)).collect::<Result<_, _>>()?;
            println!("{}", serde_json::to_string_pretty(&docs)?);
            Ok(())
        }
        Command::Sync { config, once, output, no_output, state, stats, events_listen } => {
            let app = app_config::load(&config)?;
            let mut syncer = Syncer::new(runtime.clone(), &app, logger.clone(), state)?;
            let frequency = Duration::from_secs(u64::from(syncer.settings.frequency_seconds));
            let listener = events_listen.map(|addr| events::listen(&addr, runtime.clone(), logger.clone())).transpose()?;
            if let Some(l) = &listener {
                logger.info(&format!("Listening for OpenChoreo events on http://{}{}", l.addr, events::EVENTS_PATH));
            }
            let output = (!no_output).then_some(output);
            let mut coalescer = Coalescer::default();
            let mut next_full = Instant::now();
            loop {
                if Instant::now() >= next_full {
                    let started = Instant::now();
                    next_full = started + frequency;
                    let relations = relate_while_syncing(output.is_some(), &mut syncer, &runtime, &logger)?;
                    match syncer.run_once() {
                        Ok(outcome) => {
                            let sync_ms = started.elapsed().as_millis();
                            let rss_after_sync = peak_rss_kib();
                            let mut output_times = OutputTimes::default();
                            if outcome.changed || once {
                                output_times = write_output(output.as_deref(), relations, &outcome.entities)?;
                            }
                            if stats {
                                let figures = serde_json::json!({
                                    "entities": outcome.entities.len(),
                                    "requests": outcome.requests,
                                    "bytesReceived": outcome.bytes_received,
                                    "boundaryBytesToGuest": outcome.boundary.to_guest,
                                    "boundaryBytesFromGuest": outcome.boundary.from_guest,
                                    "entityJsonBytes": outcome.entities.iter().map(|e| e.entity.get().len()).sum::<usize>(),
                                    "syncMs": sync_ms,
                                    "relationsWaitMs": output_times.relations_wait.as_millis(),
                                    "writeMs": output_times.write.as_millis(),
                                    "totalMs": started.elapsed().as_millis(),
                                    "peakRssAfterSyncKiB": rss_after_sync,
                                    "peakRssKiB": peak_rss_kib(),
                                });
                                println!("{figures}");
                            }
                        }
                        Err(e) if once => return Err(anyhow!("{e}")),
                        Err(e) => logger.error(&format!("Sync failed: {e}")),
                    }
                    if once {
                        return Ok(());
                    }
                }
                let Some(listener) = &listener else {
                    std::thread::sleep(next_full.saturating_duration_since(Instant::now()));
                    continue;
                };
                let now = Instant::now();
                let wake = coalescer.next_at(now).map_or(next_full, |at| at.min(next_full));
                match listener.scopes.recv_timeout(wake.saturating_duration_since(now)) {
                    Ok(scopes) => coalescer.event(scopes, Instant::now()),
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Err(anyhow!("the events listener stopped")),
                }
                let due = coalescer.due(Instant::now());
                if due.is_empty() {
                    continue;
                }
                let relations = relate_while_syncing(output.is_some(), &mut syncer, &runtime, &logger)?;
                match syncer.run_scopes(&due) {
                    Ok(outcome) if outcome.changed => {
                        write_output(output.as_deref(), relations, &outcome.entities)?;
                    }
                    Ok(_) => {}
                    Err(e) => logger.error(&format!("Sync of {} failed: {e}", due.join(" "))),
                }
                logger.debug(&format!(
                    "Events: {} received, {} coalesced, {} rejected",
                    coalescer.received,
                    coalescer.coalesced,
                    listener.rejected.load(std::sync::atomic::Ordering::Relaxed)
                ));
            }
        }
    }
}

/// When the run's entities are to be written: a relation worker that sees them as they come (the
/// output's relations are computed while the run waits for the API); dropped unused when the run
/// writes nothing.
fn relate_while_syncing(wanted: bool, syncer: &mut Syncer, runtime: &Arc<Runtime>, logger: &Logger) -> Result<Option<RelationWorker>> {
    let worker = wanted.then(|| RelationWorker::start(runtime.clone(), logger.clone())).transpose()?;
    syncer.observe(worker.as_ref().map(RelationWorker::observer));
    Ok(worker)
}

/// Where the time after a run went when its entities were written (`--stats`).
#[derive(Default)]
struct OutputTimes {
    /// Waiting for the relation worker to relate what it had not yet, once the run was over.
    relations_wait: Duration,
    /// Writing the file, each document with its relations.
    write: Duration,
}

/// Writes a run's entities with the relations its worker computed; nothing without an output.
fn write_output(path: Option<&std::path::Path>, relations: Option<RelationWorker>, entities: &[StoredEntity]) -> Result<OutputTimes> {
    let (Some(path), Some(relations)) = (path, relations) else { return Ok(OutputTimes::default()) };
    let started = Instant::now();
    let index = relations.finish(entities)?;
    let relations_wait = started.elapsed();
    output::write_with(path, entities, &index)?;
    drop(index);
    Ok(OutputTimes { relations_wait, write: started.elapsed() - relations_wait })
}

/// Peak resident memory of this process (Linux `VmHWM`), in KiB; 0 where unavailable.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn serve_fixture(auth: bool, synthetic: Option<usize>, latency: Duration) -> Result<()> {
    use host_harness::fixture::{Dataset, FixtureApi, FixtureAuth};
    use host_harness::synthetic::{Shape, generate};
    let auth = auth.then(|| FixtureAuth {
        client_id: "openchoreo-backstage-client".into(),
        client_secret: "backstage-portal-secret".into(),
        token_ttl: Duration::from_secs(3600),
    });
    let data = synthetic.map_or_else(Dataset::sample, |n| generate(Shape::with_components(n)));
    let api = FixtureApi::start(data, auth, latency)?;
    println!("{}", serde_json::json!({ "baseUrl": api.base_url, "tokenUrl": api.token_url() }));
    // Serve until the parent closes stdin (or kills us).
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    Ok(())
}
