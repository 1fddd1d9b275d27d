//! `inkseal-escrow`: the escrow authority's tool. With the escrow private key — and only with
//! it — it opens the biometric envelopes embedded in a sealed offer PDF, checks that each is bound
//! to exactly that document, and exports the biometrics (JSON, CSV) and a PNG of the signature.
//!
//! ```text
//! inkseal-escrow keygen --out DIR [--bits 3072]
//!     writes escrow-private.pem (keep it offline) and escrow-public.pem (for the edge agents)
//! inkseal-escrow open --key escrow-private.pem --pdf sealed.pdf [--field ID] --out DIR
//!     writes <field>.json, <field>.csv and <field>.png for every (or the named) field
//! ```
//!
//! Exit codes: 0 done, 1 error, 2 wrong key, 3 an envelope is not bound to this document.

mod error;
mod export;
mod keygen;
mod open;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "inkseal-escrow",
    version,
    about = "Rozšifrování biometrie podpisů nezávislou autoritou"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Generate the escrow key pair (for demos and tests; the authority's real key is its own).
    Keygen {
        /// Directory to write escrow-private.pem and escrow-public.pem to.
        #[arg(long)]
        out: PathBuf,
        /// RSA modulus size.
        #[arg(long, default_value_t = 3072)]
        bits: usize,
    },
    /// Open the envelopes of a sealed PDF and export the biometrics.
    Open {
        /// The escrow private key (PKCS#8 PEM).
        #[arg(long)]
        key: PathBuf,
        /// The sealed offer PDF.
        #[arg(long)]
        pdf: PathBuf,
        /// Only this field.
        #[arg(long)]
        field: Option<String>,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Cmd::Keygen { out, bits } => keygen::run(&out, bits).map(|paths| {
            for p in paths {
                println!("{}", p.display());
            }
        }),
        Cmd::Open {
            key,
            pdf,
            field,
            out,
        } => open::run(&key, &pdf, field.as_deref(), &out).map(|report| {
            println!("{}", report.summary());
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", e.user_message());
            ExitCode::from(e.exit_code())
        }
    }
}
