//! Compiles the `inkseal.v1` contract with tonic/prost.
//!
//! protoc comes from `PROTOC` when it is set (e.g. Debian's protobuf-compiler),
//! otherwise from the `protoc-bin-vendored` crate; it is never downloaded.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("PROTOC").is_none() {
        let protoc = protoc_bin_vendored::protoc_bin_path()?;
        // SAFETY: build scripts are single-threaded; nothing else reads the
        // environment concurrently.
        unsafe { std::env::set_var("PROTOC", protoc) };
    }
    let protos = [
        "inkseal/v1/common.proto",
        "inkseal/v1/edge_sync.proto",
        "inkseal/v1/help_desk.proto",
    ];
    for p in &protos {
        println!("cargo:rerun-if-changed={p}");
    }
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .file_descriptor_set_path(
            std::path::PathBuf::from(std::env::var("OUT_DIR")?).join("inkseal_descriptor.bin"),
        )
        .compile_protos(&protos, &["."])?;
    Ok(())
}
