//! The `inkseal-edge` command line, started by the host application (SmartClient).
//!
//! ```text
//! inkseal-edge [--config FILE] [--json] [--print-config] <COMMAND>
//!   devices                                   the Wacom pads on USB
//!   sign --offer OFFER.pdf --fields FIELDS.toml [--device auto|sim://HOST:PORT] [--yes]
//!   status [--offer ID]                       the offers' states (1–4)
//!   sync                                      send sealed offers to the backend
//! ```
//!
//! With `--json`, every line on stdout is one JSON object: progress (`{"event": …}`), the question
//! `{"event":"question", …}` (the host answers `ano` or `ne` on stdin), and finally
//! `{"result": …}` or `{"error": {"code": …, "message": …}}`. Messages are in Czech.
//! Logs go to stderr (filter: `INKSEAL_EDGE_LOG`, default `warn,inkseal_edge=info`); they never
//! carry biometric values.
//! Exit codes: 0 done, 1 error, 3 cancelled or not saved, 4 pad error, 5 contacts missing,
//! 6 backend unreachable (the offers wait in the outbox).

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::json;

use crate::config::Config;
use crate::error::EdgeError;
use crate::fields::OfferSpec;
use crate::outbox::Outbox;
use crate::pad::{self, DeviceSpec};
use crate::session::{self, Host, Progress, Resources};
use crate::{messages, status, sync};

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "inkseal-edge",
    version,
    about = "Podpis nabídek na podpisovém tabletu Wacom STU a jejich odeslání do PČS"
)]
pub struct Cli {
    /// Configuration file (TOML); `INKSEAL_EDGE_*` environment variables override it.
    #[arg(long, global = true, env = "INKSEAL_EDGE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Machine-readable output for the host application: one JSON object per line.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print the effective configuration and exit.
    #[arg(long)]
    pub print_config: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// List the Wacom pads connected over USB.
    Devices,
    /// Get an offer signed on the pad, seal it and put it in the outbox.
    Sign {
        /// The offer PDF to sign.
        #[arg(long)]
        offer: PathBuf,
        /// The offer's signature fields and client (FIELDS.toml).
        #[arg(long)]
        fields: PathBuf,
        /// `auto` (first pad on USB) or `sim://HOST:PORT` (simulator).
        #[arg(long, default_value = "auto")]
        device: String,
        /// Answer "save and send" with yes (for scripts).
        #[arg(long)]
        yes: bool,
    },
    /// Show the offers' states.
    Status {
        /// Only this offer.
        #[arg(long)]
        offer: Option<String>,
    },
    /// Send the sealed offers to the backend and update their states.
    Sync,
}

struct CliHost {
    json: bool,
    yes: bool,
}

fn emit(json: bool, value: serde_json::Value, human: &str) {
    let mut out = std::io::stdout().lock();
    let _ = if json {
        writeln!(out, "{value}")
    } else {
        writeln!(out, "{human}")
    };
    let _ = out.flush();
}

impl Host for CliHost {
    fn progress(&mut self, p: &Progress) {
        let human = match p {
            Progress::PadReady {
                model,
                serial,
                link_encryption,
            } => {
                format!(
                    "Signpad {model} (sériové číslo {serial}) je připraven; data pera jsou na USB šifrována ({link_encryption})."
                )
            }
            Progress::FieldStarted {
                label,
                index,
                total,
                ..
            } => {
                format!(
                    "Pole {}/{}: {label} – podepište se na Signpadu.",
                    index + 1,
                    total
                )
            }
            Progress::FieldCleared { .. } => "Podpis vymazán, podepište se znovu.".to_owned(),
            Progress::SignatureRefused {
                message, reason, ..
            } => format!("{message} ({reason})"),
            Progress::FieldSigned { .. } => "Podpis přijat.".to_owned(),
            Progress::Sealed { .. } => {
                "Nabídka je podepsána a uložena; čeká na synchronizaci.".to_owned()
            }
        };
        emit(
            self.json,
            serde_json::to_value(p).unwrap_or_default(),
            &human,
        );
    }

    fn confirm_save_and_send(&mut self, question: &str) -> bool {
        if self.yes {
            return true;
        }
        emit(
            self.json,
            json!({"event": "question", "question": question, "answers": ["ano", "ne"]}),
            &format!("{question} [ano/ne]"),
        );
        let mut line = String::new();
        // One bounded line from the host.
        let stdin = std::io::stdin();
        let mut handle = stdin.lock().take(256);
        if handle.read_line(&mut line).is_err() {
            return false;
        }
        matches!(
            line.trim().to_lowercase().as_str(),
            "a" | "ano" | "y" | "yes" | "true"
        )
    }
}

fn read_pdf(path: &Path, max: u64) -> Result<Vec<u8>, EdgeError> {
    let meta = std::fs::metadata(path).map_err(|e| EdgeError::io(path, e))?;
    if meta.len() > max {
        return Err(EdgeError::Limit {
            what: "offer PDF bytes",
            max: max as usize,
        });
    }
    std::fs::read(path).map_err(|e| EdgeError::io(path, e))
}

async fn run(cli: Cli, config: Config) -> Result<serde_json::Value, EdgeError> {
    let json = cli.json;
    match cli.command {
        None => Err(EdgeError::Config(
            "chybí příkaz: devices, sign, status nebo sync (viz --help)".into(),
        )),
        Some(Cmd::Devices) => {
            let list = pad::list_devices()?;
            if !json {
                if list.is_empty() {
                    println!("{}", messages::PAD_INIT_FAILED);
                }
                for d in &list {
                    println!(
                        "{}  {}  {}",
                        d.model,
                        d.serial,
                        if d.supported {
                            "podporován"
                        } else {
                            "nepodporován"
                        }
                    );
                }
            }
            Ok(json!({ "devices": list }))
        }
        Some(Cmd::Sign {
            offer,
            fields,
            device,
            yes,
        }) => {
            let spec = OfferSpec::load(&fields)?;
            spec.contacts()?;
            let device: DeviceSpec = device.parse()?;
            let resources = Resources::from_config(&config)?;
            let pdf = read_pdf(&offer, config.limits.max_offer_pdf_bytes)?;
            let outbox = Outbox::open(&config.outbox_path, config.limits.max_outbox_offers).await?;
            let mut host = CliHost { json, yes };
            let result = session::run(
                &outbox,
                &resources,
                &spec,
                &pdf,
                || pad::open(&device),
                &mut host,
            )
            .await;
            outbox.close().await;
            let outcome = result?;
            if !json {
                println!("{}. {}", outcome.status, outcome.status_text);
            }
            Ok(serde_json::to_value(outcome).unwrap_or_default())
        }
        Some(Cmd::Status { offer }) => {
            let outbox = Outbox::open(&config.outbox_path, config.limits.max_outbox_offers).await?;
            let rows = status::offers(&outbox, offer.as_deref()).await?;
            outbox.close().await;
            if !json {
                for r in &rows {
                    println!("{}", status::format_row(r));
                }
            }
            Ok(json!({ "offers": rows }))
        }
        Some(Cmd::Sync) => {
            let outbox = Outbox::open(&config.outbox_path, config.limits.max_outbox_offers).await?;
            let result = sync::sync(&outbox, &config.sync).await;
            let rows = status::offers(&outbox, None).await;
            outbox.close().await;
            let report = result?;
            let rows = rows?;
            if !json {
                println!(
                    "Odesláno událostí: {}, nahráno PDF: {}, zjištěno stavů: {}.",
                    report.events_appended + report.events_duplicate,
                    report.pdfs_uploaded,
                    report.statuses_checked
                );
                for r in &rows {
                    println!("{}", status::format_row(r));
                }
            }
            Ok(json!({ "sync": report, "offers": rows }))
        }
    }
}

/// Runs the command line; the binary's `main`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("INKSEAL_EDGE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,inkseal_edge=info")),
        )
        .try_init();
    let json = cli.json;
    let fail = |e: EdgeError| {
        tracing::error!(code = e.code(), error = %e, "failed");
        emit(
            json,
            json!({"error": {"code": e.code(), "message": e.user_message()}}),
            &e.user_message(),
        );
        ExitCode::from(e.exit_code())
    };
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    if cli.print_config {
        print!("{}", config.to_toml());
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(EdgeError::Config(format!("runtime: {e}"))),
    };
    match runtime.block_on(run(cli, config)) {
        Ok(value) => {
            if json {
                emit(true, json!({ "result": value }), "");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
