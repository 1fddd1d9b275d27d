//! The gRPC contract of inkseal (`inkseal.v1`), generated from `proto/inkseal/v1/*.proto`.
//!
//! - [`v1::edge_sync_server`] / [`v1::edge_sync_client`]: edge agent → backend
//!   (offer events, sealed-PDF upload, status).
//! - [`v1::help_desk_server`] / [`v1::help_desk_client`]: help-desk tools.
//!
//! The size bounds of every field are written in the `.proto` comments and
//! collected as constants in [`limits`], which servers and clients enforce.

/// Generated code for package `inkseal.v1`.
pub mod v1 {
    #![allow(clippy::all, missing_docs)]
    tonic::include_proto!("inkseal.v1");
}

/// The encoded file descriptor set, for gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("inkseal_descriptor");

pub mod limits;
