//! The binary: `--print-config`, `dev-certs`, and `serve` on the embedded
//! defaults with health checking, server reflection, a first call from an edge agent, and a
//! graceful stop on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use inkseal_proto::v1 as pb;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};

const BIN: &str = env!("CARGO_BIN_EXE_inkseal-server");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn print_config_shows_the_file_the_environment_and_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inkseal.toml");
    std::fs::write(
        &file,
        "roles = [\"ingest\"]\n[grpc]\nupload_budget_mib = 64\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["--config", file.to_str().unwrap(), "--print-config"])
        .env("INKSEAL_DATA_DIR", dir.path())
        .env("INKSEAL_LOG_FORMAT", "json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("roles = [\"ingest\"]"), "{text}");
    assert!(text.contains("upload_budget_mib = 64"), "{text}");
    assert!(text.contains("format = \"json\""), "{text}");
    assert!(
        text.contains(&format!("data_dir = \"{}\"", dir.path().display())),
        "{text}"
    );

    let out = Command::new(BIN)
        .args([
            "serve",
            "--roles",
            "acceptance,projections",
            "--print-config",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("roles = [\n    \"acceptance\",\n    \"projections\",\n]")
            || text.contains("\"acceptance\""),
        "{text}"
    );

    let out = Command::new(BIN)
        .arg("--print-config")
        .env("INKSEAL_ROLES", "cooking")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("INKSEAL_ROLES"));
}

#[tokio::test]
async fn serve_runs_every_role_on_the_embedded_defaults_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(BIN)
        .args([
            "dev-certs",
            "--agent",
            "AGENT-1",
            "--help-desk",
            "jana.novakova",
        ])
        .env("INKSEAL_DATA_DIR", dir.path())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let pki = dir.path().join("pki");
    for f in [
        "ca.pem",
        "server.pem",
        "server.key",
        "seal.pem",
        "seal.key",
        "agents/AGENT-1.pem",
        "agents/AGENT-1.signing.pem",
        "agents/AGENT-1.signing.key",
        "help-desk/jana.novakova.key",
    ] {
        assert!(pki.join(f).exists(), "{f} missing");
    }

    let (grpc, metrics) = (free_port(), free_port());
    let mut child = Command::new(BIN)
        .arg("serve")
        .env("INKSEAL_DATA_DIR", dir.path())
        .env("INKSEAL_GRPC_LISTEN", format!("127.0.0.1:{grpc}"))
        .env("INKSEAL_METRICS_LISTEN", format!("127.0.0.1:{metrics}"))
        .env("INKSEAL_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // wait for the metrics endpoint
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", metrics))
            .await
            .is_ok()
        {
            break;
        }
        assert!(Instant::now() < deadline, "server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // then gRPC: health checking, and the agent's first call
    inkseal_server::tls::install_crypto_provider();
    let read = |p: &str| std::fs::read_to_string(pki.join(p)).unwrap();
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(read("ca.pem")))
        .identity(Identity::from_pem(
            read("agents/AGENT-1.pem"),
            read("agents/AGENT-1.key"),
        ))
        .domain_name("localhost");
    let channel = Channel::from_shared(format!("https://127.0.0.1:{grpc}"))
        .unwrap()
        .tls_config(tls)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
    let reply = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "inkseal.v1.EdgeSync".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        reply.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );
    // server reflection lists the services
    {
        use tonic_reflection::pb::v1::{
            ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
            server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
        };
        let mut reflection = ServerReflectionClient::new(channel.clone());
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut replies = reflection
            .server_reflection_info(tokio_stream::iter(vec![request]))
            .await
            .unwrap()
            .into_inner();
        let reply = replies.message().await.unwrap().unwrap();
        let Some(MessageResponse::ListServicesResponse(list)) = reply.message_response else {
            panic!("no service list")
        };
        let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
        for expected in [
            "inkseal.v1.EdgeSync",
            "inkseal.v1.HelpDesk",
            "grpc.health.v1.Health",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} missing from {names:?}"
            );
        }
    }
    let mut edge = pb::edge_sync_client::EdgeSyncClient::new(channel);
    let status = edge
        .get_offer_status(pb::OfferStatusRequest {
            offer_ids: vec!["OFFER-1".into()],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.offers[0].status, pb::OfferStatus::Unspecified as i32);

    // a second process on the same embedded store is refused
    let mut second = Command::new(BIN)
        .arg("serve")
        .env("INKSEAL_DATA_DIR", dir.path())
        .env("INKSEAL_GRPC_LISTEN", format!("127.0.0.1:{}", free_port()))
        .env("INKSEAL_METRICS_LISTEN", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let second_exit = loop {
        if let Some(s) = second.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            let _ = second.wait();
            panic!("a second process on the same data directory was not refused");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut second_err = String::new();
    std::io::Read::read_to_string(&mut second.stderr.take().unwrap(), &mut second_err).unwrap();
    assert!(!second_exit.success());
    assert!(
        second_err.contains("another inkseal-server process"),
        "{second_err}"
    );

    // graceful stop
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "server did not stop");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut logs = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(exit.success(), "exit {exit:?}; logs:\n{logs}");
    assert!(logs.contains("\"shutting down\""), "{logs}");
    assert!(dir.path().join("events.sqlite").exists());
    assert!(dir.path().join("read-model.sqlite").exists());
}

#[test]
fn acceptance_refuses_to_start_with_a_revocation_list_that_is_not_one() {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(BIN)
        .args(["dev-certs", "--agent", "AGENT-1"])
        .env("INKSEAL_DATA_DIR", dir.path())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    // the CA certificate where the revocation list should be
    let out = Command::new(BIN)
        .args(["serve", "--roles", "acceptance"])
        .env("INKSEAL_DATA_DIR", dir.path())
        .env("INKSEAL_METRICS_LISTEN", "off")
        .env("INKSEAL_ACCEPTANCE_AGENT_SIGNING_CRL", "pki/ca.pem")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ca.pem") && err.contains("no X509 CRL"),
        "{err}"
    );
}
