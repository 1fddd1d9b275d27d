//! The `inkseal-edge` binary as the host application runs it: `--print-config`, `--json`
//! output, the seed's messages and exit codes, and a whole `sign` against the simulator reached
//! over `sim://HOST:PORT`, then `status`.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::*;
use device_sim::{PadConfig, ServerConfig, SimServer, TimeMode};
use inkseal_edge::screen::Button;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use stu_protocol::Model;

const BIN: &str = env!("CARGO_BIN_EXE_inkseal-edge");

fn write_config(dir: &Path) -> std::path::PathBuf {
    let escrow = escrow_key()
        .rsa()
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    std::fs::write(dir.join("escrow-public.pem"), escrow).unwrap();
    let key = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap();
    let key_pem = key.to_pkcs8_pem(LineEnding::LF).unwrap();
    let kp = rcgen::KeyPair::from_pem_and_sign_algo(&key_pem, &rcgen::PKCS_RSA_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "agent-0042");
    let cert = params.self_signed(&kp).unwrap();
    std::fs::write(dir.join("edge.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("edge-key.pem"), key_pem.as_bytes()).unwrap();
    let config = format!(
        "outbox_path = {:?}\nescrow_public_key = {:?}\nsigning_certificate = {:?}\nsigning_key = {:?}\n[pad]\nfield_timeout_s = 60\n",
        dir.join("outbox.sqlite"),
        dir.join("escrow-public.pem"),
        dir.join("edge.pem"),
        dir.join("edge-key.pem"),
    );
    let path = dir.join("inkseal-edge.toml");
    std::fs::write(&path, config).unwrap();
    path
}

fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("{l}")))
        .collect()
}

#[test]
fn print_config_shows_the_documented_defaults_and_environment_overrides() {
    let out = Command::new(BIN)
        .args(["--print-config"])
        .env("INKSEAL_EDGE_QUALITY_MIN_PEN_DOWN_MS", "700")
        .env_remove("INKSEAL_EDGE_CONFIG")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("min_width_mm = 10.0"), "{text}");
    assert!(text.contains("min_pen_down_ms = 700"), "{text}");
    assert!(text.contains("min_pen_down_samples = 100"), "{text}");
}

#[test]
fn sign_without_contacts_or_without_a_pad_answers_the_host_in_czech_json() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    std::fs::write(dir.path().join("offer.pdf"), offer_pdf(1)).unwrap();
    let fields = fields_toml("OFF-cli-1", 1);
    std::fs::write(
        dir.path().join("no-mail.toml"),
        fields.replace("email = \"jana.novakova@example.cz\"\n", ""),
    )
    .unwrap();
    std::fs::write(dir.path().join("fields.toml"), &fields).unwrap();
    let run = |fields: &str, device: &str| {
        Command::new(BIN)
            .arg("--config")
            .arg(&config)
            .args(["--json", "sign", "--offer"])
            .arg(dir.path().join("offer.pdf"))
            .arg("--fields")
            .arg(dir.path().join(fields))
            .args(["--device", device, "--yes"])
            .output()
            .unwrap()
    };
    let out = run("no-mail.toml", "auto");
    assert_eq!(out.status.code(), Some(5));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.last().unwrap()["error"]["code"], "contacts_missing");

    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let out = run("fields.toml", &format!("sim://{free}"));
    assert_eq!(out.status.code(), Some(4));
    let lines = json_lines(&out.stdout);
    assert_eq!(
        lines.last().unwrap()["error"]["message"],
        "Chyba při inicializaci Signpadu. Zkontrolujte připojení Signpadu k počítači."
    );
}

#[test]
fn sign_on_a_simulated_pad_asks_to_save_and_send_then_status_shows_state_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    std::fs::write(dir.path().join("offer.pdf"), offer_pdf(2)).unwrap();
    std::fs::write(dir.path().join("fields.toml"), fields_toml("OFF-cli-2", 2)).unwrap();
    let model = Model::Stu430;
    let script = Pen::new(model)
        .sign_narrow(71)
        .tap(Button::Ok)
        .sign(72)
        .tap(Button::Ok)
        .sign(73)
        .tap(Button::Ok)
        .script();
    let server = SimServer::start(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        pads: vec![PadConfig::new(model).serial("SIM04300").script(script)],
        time: TimeMode::Virtual,
        render_dir: None,
    })
    .unwrap();
    let mut child = Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .args(["--json", "sign", "--offer"])
        .arg(dir.path().join("offer.pdf"))
        .arg("--fields")
        .arg(dir.path().join("fields.toml"))
        .args(["--device", &format!("sim://{}", server.addrs()[0])])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"ano\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let lines = json_lines(&out.stdout);
    assert!(out.status.success(), "{lines:?}");
    let events: Vec<&str> = lines.iter().filter_map(|l| l["event"].as_str()).collect();
    assert_eq!(
        events,
        [
            "pad_ready",
            "field_started",
            "signature_refused",
            "field_signed",
            "field_started",
            "field_signed",
            "question",
            "sealed"
        ]
    );
    let refused = lines
        .iter()
        .find(|l| l["event"] == "signature_refused")
        .unwrap();
    assert_eq!(
        refused["message"],
        "Podpis není platný. Podepište se znovu, prosím."
    );
    assert_eq!(
        lines.iter().find(|l| l["event"] == "question").unwrap()["question"],
        "Chcete nabídku uložit a odeslat do PČS?"
    );
    assert_eq!(lines.last().unwrap()["result"]["status"], 2);
    server.shutdown();

    let out = Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .args(["status"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("OFF-cli-2"), "{text}");
    assert!(
        text.contains(
            "2. Nabídka podepsána, čeká na synchronizaci SmartClienta – již ji nelze editovat"
        ),
        "{text}"
    );
}

#[test]
fn killing_the_agent_mid_signature_loses_nothing_and_the_offer_is_signed_after_restart() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    std::fs::write(dir.path().join("offer.pdf"), offer_pdf(2)).unwrap();
    std::fs::write(dir.path().join("fields.toml"), fields_toml("OFF-kill", 2)).unwrap();
    let model = Model::Stu530;
    let sign = |addr: std::net::SocketAddr| {
        Command::new(BIN)
            .arg("--config")
            .arg(&config)
            .args(["--json", "sign", "--yes", "--offer"])
            .arg(dir.path().join("offer.pdf"))
            .arg("--fields")
            .arg(dir.path().join("fields.toml"))
            .args(["--device", &format!("sim://{addr}")])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // A pad in real time: the first signature takes seconds; the agent is killed while it is written.
    let slow = SimServer::start(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        pads: vec![PadConfig::new(model).script(Pen::new(model).sign(91).tap(Button::Ok).script())],
        time: TimeMode::Scaled(1.0),
        render_dir: None,
    })
    .unwrap();
    let mut child = sign(slow.addrs()[0]);
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while stdout.read_line(&mut line).unwrap() > 0 && !line.contains("field_started") {
        line.clear();
    }
    assert!(line.contains("field_started"), "{line}");
    std::thread::sleep(std::time::Duration::from_millis(700));
    child.kill().unwrap();
    child.wait().unwrap();
    slow.shutdown();

    let status = |args: &[&str]| {
        let out = Command::new(BIN)
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .unwrap();
        json_lines(&out.stdout).pop().unwrap()
    };
    let s = status(&["--json", "status", "--offer", "OFF-kill"]);
    assert_eq!(s["result"]["offers"][0]["status"], 1, "{s}");

    let fast = SimServer::start(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        pads: vec![
            PadConfig::new(model).script(
                Pen::new(model)
                    .sign(92)
                    .tap(Button::Ok)
                    .sign(93)
                    .tap(Button::Ok)
                    .script(),
            ),
        ],
        time: TimeMode::Virtual,
        render_dir: None,
    })
    .unwrap();
    let out = sign(fast.addrs()[0]).wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    fast.shutdown();
    let s = status(&["--json", "status", "--offer", "OFF-kill"]);
    assert_eq!(s["result"]["offers"][0]["status"], 2, "{s}");
}
