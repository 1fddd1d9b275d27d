//! The `inkseal-edge` binary: see `inkseal_edge::cli` for its commands.

fn main() -> std::process::ExitCode {
    inkseal_edge::cli::main()
}
