//! `inkseal-demo`: one whole simulated signing session through the backend,
//! on the embedded defaults (see `integration_tests::demo` for the steps).

use std::path::PathBuf;

use clap::Parser;
use integration_tests::demo::{self, Options};
use stu_protocol::Model;

/// Runs one whole simulated signing session — simulated STU pad, edge agent,
/// backend over mutual TLS — and shows what every party ends up with: the
/// sealed PDFs, what the pad showed, the biometrics only the escrow key opens,
/// and the help desk's timeline.
#[derive(Parser)]
#[command(name = "inkseal-demo", version)]
struct Args {
    /// Folder for everything the run writes; replaced on every run.
    #[arg(long, default_value = "inkseal-demo-output")]
    out: PathBuf,
    /// Pad model to simulate: stu-300, stu-430 or stu-530.
    #[arg(long, default_value = "stu-530", value_parser = parse_model)]
    pad: Model,
    /// Seed of the synthetic signatures (same seed, same signatures).
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

fn parse_model(s: &str) -> Result<Model, String> {
    match s.to_ascii_lowercase().replace('_', "-").as_str() {
        "stu-300" | "300" => Ok(Model::Stu300),
        "stu-430" | "430" => Ok(Model::Stu430),
        "stu-530" | "530" => Ok(Model::Stu530),
        other => Err(format!(
            "unknown pad model {other:?}; use stu-300, stu-430 or stu-530"
        )),
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(demo::run(Options {
        out: args.out,
        pad: args.pad,
        seed: args.seed,
        verbose: true,
    }))?;
    anyhow::ensure!(report.final_status == 4, "the offer did not reach state 4");
    Ok(())
}
