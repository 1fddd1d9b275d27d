//! `inkseal-server`: the backend binary.
//!
//! ```text
//! inkseal-server serve                       # every role, embedded defaults
//! inkseal-server serve --roles ingest        # one role (several processes on PostgreSQL)
//! inkseal-server dev-certs --agent AGENT-1 --help-desk jana.novakova
//! inkseal-server rebuild-projections         # clear the read model; it replays from zero
//! inkseal-server --print-config              # the configuration in effect, as TOML
//! ```

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use inkseal_server::config::{Config, LogFormat};
use inkseal_server::pki::DevPki;
use inkseal_server::roles::Role;
use inkseal_server::{projections, server, shutdown};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "inkseal-server",
    version,
    about = "The inkseal backend: ingest, acceptance, projections, help desk, the client's document storage"
)]
struct Cli {
    /// Configuration file (TOML); `INKSEAL_*` environment variables override it.
    #[arg(long, short, env = "INKSEAL_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Print the configuration in effect as TOML and exit.
    #[arg(long, global = true)]
    print_config: bool,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the backend (all roles unless --roles names some).
    Serve {
        /// Roles to run: ingest, help-desk, acceptance, projections, publication, storage,
        /// notifications, all.
        #[arg(long, value_delimiter = ',')]
        roles: Vec<String>,
    },
    /// Write development certificates (CA, server, agents' TLS and document-signing
    /// certificates, help desk, insurer's seal).
    DevCerts {
        /// Output folder (default: <data_dir>/pki).
        #[arg(long)]
        out: Option<PathBuf>,
        /// An edge agent id to issue a client certificate and a document-signing
        /// certificate (`agents/<id>.signing.pem`, for its PDF signatures) for (repeatable).
        #[arg(long = "agent")]
        agents: Vec<String>,
        /// A help-desk user id to issue a client certificate for (repeatable).
        #[arg(long = "help-desk")]
        help_desk: Vec<String>,
    },
    /// Clear the read model and reset its checkpoint; a running projector replays every event.
    RebuildProjections,
}

fn init_logs(config: &Config) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log.filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log.format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(Cmd::Serve { roles }) = &cli.command
        && !roles.is_empty()
    {
        config.roles = Role::parse_list(&roles.join(",")).map_err(anyhow::Error::msg)?;
    }
    if cli.print_config {
        print!("{}", config.to_toml());
        return Ok(());
    }
    init_logs(&config);
    match cli.command.unwrap_or(Cmd::Serve { roles: Vec::new() }) {
        Cmd::Serve { .. } => serve(config).await,
        Cmd::DevCerts {
            out,
            agents,
            help_desk,
        } => {
            let out = out.unwrap_or_else(|| config.data_dir.join("pki"));
            let agents = if agents.is_empty() {
                vec!["AGENT-1".to_owned()]
            } else {
                agents
            };
            for id in agents.iter().chain(&help_desk) {
                offer_lifecycle::HelpDeskUser::new(id)
                    .with_context(|| format!("{id:?} cannot be a certificate name"))?;
            }
            let a: Vec<&str> = agents.iter().map(String::as_str).collect();
            let h: Vec<&str> = help_desk.iter().map(String::as_str).collect();
            let pki = DevPki::generate(&a, &h)?;
            let mut written = pki.write(&out)?;
            for id in &a {
                written.extend(DevPki::write_agent_signer(
                    &out,
                    id,
                    &pki.issue_agent_signer(id)?,
                )?);
            }
            for path in written {
                println!("{}", path.display());
            }
            Ok(())
        }
        Cmd::RebuildProjections => {
            let components = server::open(&Config {
                roles: vec![Role::Projections],
                ..config
            })
            .await?;
            projections::rebuild(&components.read_model).await?;
            println!("read model cleared; the projector replays every event from position 0");
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let components = server::open(&config).await?;
    let roles = components.roles.clone();
    let grpc = if roles.contains(&Role::Ingest) || roles.contains(&Role::HelpDesk) {
        Some(
            tokio::net::TcpListener::bind(config.grpc.listen)
                .await
                .with_context(|| format!("cannot listen on {}", config.grpc.listen))?,
        )
    } else {
        None
    };
    let metrics = match config.metrics.listen {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?,
        ),
        None => None,
    };
    let storage = if roles.contains(&Role::Storage) {
        let addr = config.storage.listen.context(
            "the storage role needs storage.listen (INKSEAL_STORAGE_LISTEN); or leave the role out with --roles",
        )?;
        Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?,
        )
    } else {
        None
    };
    let bounces = match config.notifications.bounce_listen {
        Some(addr) if roles.contains(&Role::Notifications) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?,
        ),
        _ => None,
    };
    let callbacks = match config.notifications.callback_listen {
        Some(addr) if roles.contains(&Role::Notifications) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?,
        ),
        _ => None,
    };
    let mut running = server::start(
        components,
        server::Listeners {
            grpc,
            metrics,
            storage,
            bounces,
            callbacks,
        },
    )
    .await?;
    if let Some(addr) = running.storage_addr {
        tracing::info!(%addr, public_url = %config.storage.public_url, "clients reach their documents here");
    }
    tokio::select! {
        _ = shutdown::os_signal() => tracing::info!("shutting down"),
        _ = running.wait_any() => tracing::warn!("a part stopped; shutting down"),
    }
    running.shutdown().await
}
