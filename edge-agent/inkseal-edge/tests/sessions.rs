//! Whole signing sessions against the simulated STU-300, STU-430 and STU-530 in virtual time:
//! the pen signs inside the area the edge agent drew and taps the buttons it drew.

mod common;

use common::*;
use device_sim::{Fault, FaultPlan, Trigger};
use inkseal_edge::EdgeError;
use inkseal_edge::messages::{PAD_INIT_FAILED, SIGNATURE_INVALID};
use inkseal_edge::pad::{self, DeviceSpec, PadLink};
use inkseal_edge::screen::Button;
use inkseal_edge::session::{self, Progress};
use sha2::{Digest, Sha256};
use stu_protocol::Model;

fn two_good_signatures(model: Model) -> device_sim::PenScript {
    Pen::new(model)
        .sign(11)
        .tap(Button::Ok)
        .sign(12)
        .tap(Button::Ok)
        .script()
}

async fn offer_events(outbox: &inkseal_edge::outbox::Outbox, offer_id: &str) -> Vec<&'static str> {
    outbox
        .events(offer_id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.type_name())
        .collect()
}

#[tokio::test]
async fn each_pad_model_signs_both_fields_and_seals_a_verifiable_pdf() {
    for model in Model::ALL {
        let (dir, outbox, _) = outbox().await;
        let offer_id = format!("OFF-{}", model.capabilities().name);
        let spec = spec(&offer_id);
        let pdf = offer_pdf(3);
        let pad = sim_pad(model, two_good_signatures(model));
        let mut host = RecordingHost::saying(true);
        let outcome = session::run(
            &outbox,
            &resources(),
            &spec,
            &pdf,
            || Ok(sim_link(pad)),
            &mut host,
        )
        .await
        .unwrap_or_else(|e| panic!("{model:?}: {e}"));
        assert_eq!(outcome.status, 2);
        assert_eq!(
            outcome.status_text,
            "Nabídka podepsána, čeká na synchronizaci SmartClienta – již ji nelze editovat"
        );
        assert_eq!(
            host.asked,
            vec!["Chcete nabídku uložit a odeslat do PČS?".to_owned()]
        );
        assert!(host.refusals().is_empty(), "{model:?}: {:?}", host.progress);
        assert_eq!(
            offer_events(&outbox, &offer_id).await,
            [
                "OfferModelled",
                "SigningStarted",
                "FieldSigned",
                "FieldSigned",
                "OfferSealed"
            ]
        );

        let sealed = outbox.sealed_pdf(&offer_id).await.unwrap().unwrap();
        assert_eq!(hex::encode(Sha256::digest(&sealed)), outcome.sealed_sha256);
        assert!(
            sealed.starts_with(&pdf),
            "the signed revision stays a prefix"
        );
        let sigs = pdf_seal::extract_signatures(&sealed).unwrap();
        assert_eq!(sigs.len(), 1);
        let verified = pdf_seal::verify_cms_signature(&sealed, &sigs[0]).unwrap();
        assert!(verified.covers_whole_file);
        let doc_sha: [u8; 32] = Sha256::digest(&pdf).into();
        let attachments = pdf_seal::extract_attachments(&sealed).unwrap();
        assert_eq!(attachments.len(), 2);
        for a in &attachments {
            let env = biometric_envelope::Envelope::from_bytes(&a.bytes).unwrap();
            let (series, binding) = biometric_envelope::open(&env, escrow_key(), &doc_sha).unwrap();
            assert_eq!(binding.pad_model, model.capabilities().name);
            assert_eq!(binding.offer_id, offer_id);
            assert!(series.samples.iter().filter(|s| s.pen_down).count() >= 100);
        }

        let path = dir.path().join("sealed.pdf");
        std::fs::write(&path, &sealed).unwrap();
        let p = path.to_str().unwrap();
        if let Some(out) = tool("qpdf", &["--check", p]) {
            assert!(
                out.status.success(),
                "qpdf: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        if let Some(out) = tool("pdfsig", &["-nocert", p]) {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("Signature is Valid"), "pdfsig: {text}");
            assert!(
                text.contains("signed the entire document")
                    || text.contains("Total document signed"),
                "pdfsig: {text}"
            );
        }
        outbox.close().await;
    }
}

#[tokio::test]
async fn a_signature_narrower_than_1_cm_is_refused_with_the_seed_message_then_signed_again() {
    for model in Model::ALL {
        let (_dir, outbox, _) = outbox().await;
        let script = Pen::new(model)
            .sign_narrow(21)
            .tap(Button::Ok)
            .sign(22)
            .tap(Button::Ok)
            .sign(23)
            .tap(Button::Ok)
            .script();
        let mut host = RecordingHost::saying(true);
        let outcome = sign_on_sim(&outbox, "OFF-narrow", model, script, &mut host)
            .await
            .unwrap_or_else(|e| panic!("{model:?}: {e}"));
        assert_eq!(outcome.status, 2);
        assert_eq!(
            host.refusals(),
            vec![SIGNATURE_INVALID.to_owned()],
            "{model:?}"
        );
        let reason = host.progress.iter().find_map(|p| match p {
            Progress::SignatureRefused { reason, .. } => Some(reason.clone()),
            _ => None,
        });
        assert!(reason.unwrap().contains("úzký"));
        assert_eq!(host.count(|p| matches!(p, Progress::FieldSigned { .. })), 2);
    }
}

#[tokio::test]
async fn vymazat_clears_the_field_and_the_signer_signs_again() {
    let model = Model::Stu530;
    let (_dir, outbox, _) = outbox().await;
    let script = Pen::new(model)
        .sign(31)
        .tap(Button::Clear)
        .sign(32)
        .tap(Button::Ok)
        .sign(33)
        .tap(Button::Ok)
        .script();
    let mut host = RecordingHost::saying(true);
    sign_on_sim(&outbox, "OFF-clear", model, script, &mut host)
        .await
        .unwrap();
    assert_eq!(
        host.count(|p| matches!(p, Progress::FieldCleared { .. })),
        1
    );
    assert_eq!(host.count(|p| matches!(p, Progress::FieldSigned { .. })), 2);
}

#[tokio::test]
async fn zrusit_ends_the_session_cleanly_the_offer_stays_in_state_1_and_nothing_is_sealed() {
    for model in Model::ALL {
        let (_dir, outbox, _) = outbox().await;
        let script = Pen::new(model)
            .sign(41)
            .tap(Button::Ok)
            .sign(42)
            .tap(Button::Cancel)
            .script();
        let mut host = RecordingHost::saying(true);
        let err = sign_on_sim(&outbox, "OFF-cancel", model, script, &mut host)
            .await
            .unwrap_err();
        assert!(matches!(err, EdgeError::Cancelled), "{err}");
        assert!(host.asked.is_empty());
        assert_eq!(outbox.local_status("OFF-cancel").await.unwrap(), Some(1));
        assert!(outbox.sealed_pdf("OFF-cancel").await.unwrap().is_none());
        assert_eq!(offer_events(&outbox, "OFF-cancel").await, ["OfferModelled"]);
        let rows = inkseal_edge::status::offers(&outbox, None).await.unwrap();
        assert_eq!(
            rows[0].status_text,
            "Nabídka je rozpracována, čeká na podpis"
        );
    }
}

#[tokio::test]
async fn unplugging_the_pad_mid_signature_loses_nothing_and_signing_again_on_restart_succeeds() {
    let model = Model::Stu430;
    let (_dir, outbox, path) = outbox().await;
    let unplug = FaultPlan::new(Fault::Unplug, Trigger::AfterInputReports(80));
    let pad = device_sim::SimTransport::new(
        device_sim::PadConfig::new(model)
            .script(two_good_signatures(model))
            .fault(unplug),
        device_sim::TimeMode::Virtual,
    );
    let mut host = RecordingHost::saying(true);
    let err = session::run(
        &outbox,
        &resources(),
        &spec("OFF-unplug"),
        &offer_pdf(1),
        || Ok(sim_link(pad)),
        &mut host,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, EdgeError::PadLost(_)), "{err}");
    assert!(
        err.user_message()
            .contains("Zkontrolujte připojení Signpadu k počítači")
    );
    outbox.close().await;

    // Restart: the outbox still knows the offer, in state 1, with nothing sealed.
    let outbox = inkseal_edge::outbox::Outbox::open(&path, 1000)
        .await
        .unwrap();
    assert_eq!(outbox.local_status("OFF-unplug").await.unwrap(), Some(1));
    assert!(outbox.sealed_pdf("OFF-unplug").await.unwrap().is_none());
    let mut host = RecordingHost::saying(true);
    let pad = sim_pad(model, two_good_signatures(model));
    let outcome = session::run(
        &outbox,
        &resources(),
        &spec("OFF-unplug"),
        &offer_pdf(1),
        || Ok(sim_link(pad)),
        &mut host,
    )
    .await
    .unwrap();
    assert_eq!(outcome.status, 2);
    assert_eq!(offer_events(&outbox, "OFF-unplug").await.len(), 5);
}

#[tokio::test]
async fn no_pad_or_a_pad_that_fails_to_initialise_gives_the_seed_message() {
    let (_dir, outbox, _) = outbox().await;
    // Nothing listens there: no pad.
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let device: DeviceSpec = format!("sim://{free}").parse().unwrap();
    let mut host = RecordingHost::saying(true);
    let err = session::run(
        &outbox,
        &resources(),
        &spec("OFF-nopad"),
        &offer_pdf(1),
        || pad::open(&device),
        &mut host,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, EdgeError::PadInit(_)), "{err}");
    assert_eq!(err.user_message(), PAD_INIT_FAILED);
    assert_eq!(
        PAD_INIT_FAILED,
        "Chyba při inicializaci Signpadu. Zkontrolujte připojení Signpadu k počítači."
    );

    // A pad that goes away while it is being initialised.
    let broken = device_sim::SimTransport::new(
        device_sim::PadConfig::new(Model::Stu530)
            .fault(FaultPlan::new(Fault::Unplug, Trigger::OnReport(0x08))),
        device_sim::TimeMode::Virtual,
    );
    let err = session::run(
        &outbox,
        &resources(),
        &spec("OFF-nopad"),
        &offer_pdf(1),
        || Ok(PadLink::new(Box::new(broken), "X")),
        &mut host,
    )
    .await
    .unwrap_err();
    assert_eq!(err.user_message(), PAD_INIT_FAILED);
    assert_eq!(outbox.local_status("OFF-nopad").await.unwrap(), Some(1));
}

#[tokio::test]
async fn signing_does_not_start_without_the_clients_valid_email_and_mobile() {
    let (_dir, outbox, _) = outbox().await;
    let text = fields_toml("OFF-contacts", 1);
    for broken in [
        text.replace("email = \"jana.novakova@example.cz\"\n", ""),
        text.replace("mobile = \"+420 601 123 456\"\n", ""),
        text.replace("jana.novakova@example.cz", "jana.novakova"),
        text.replace("+420 601 123 456", "+420 201 123 456"),
    ] {
        let spec = inkseal_edge::OfferSpec::parse(&broken).unwrap();
        let mut touched = false;
        let mut host = RecordingHost::saying(true);
        let err = session::run(
            &outbox,
            &resources(),
            &spec,
            &offer_pdf(1),
            || {
                touched = true;
                Err(EdgeError::PadInit("unused".into()))
            },
            &mut host,
        )
        .await
        .unwrap_err();
        assert!(matches!(err, EdgeError::ContactsMissing(_)), "{err}");
        assert!(err.user_message().starts_with(
            "Pro digitální podpis je potřeba vyplnit platný e-mail a mobilní telefon klienta."
        ));
        assert!(!touched, "the pad is not opened");
    }
    assert!(outbox.local_status("OFF-contacts").await.unwrap().is_none());
}

#[tokio::test]
async fn declining_save_and_send_keeps_the_offer_editable_and_unsealed() {
    let model = Model::Stu300;
    let (_dir, outbox, _) = outbox().await;
    let mut host = RecordingHost::saying(false);
    let err = sign_on_sim(
        &outbox,
        "OFF-no",
        model,
        two_good_signatures(model),
        &mut host,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, EdgeError::SaveDeclined));
    assert_eq!(outbox.local_status("OFF-no").await.unwrap(), Some(1));
    assert!(outbox.sealed_pdf("OFF-no").await.unwrap().is_none());
}

#[tokio::test]
async fn a_sealed_offer_can_no_longer_be_signed_or_changed() {
    let model = Model::Stu530;
    let (_dir, outbox, _) = outbox().await;
    let mut host = RecordingHost::saying(true);
    sign_on_sim(
        &outbox,
        "OFF-once",
        model,
        two_good_signatures(model),
        &mut host,
    )
    .await
    .unwrap();
    let err = session::run(
        &outbox,
        &resources(),
        &spec("OFF-once"),
        &offer_pdf(2),
        || Ok(sim_link(sim_pad(model, two_good_signatures(model)))),
        &mut host,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, EdgeError::AlreadySealed(_)), "{err}");
    assert_eq!(outbox.local_status("OFF-once").await.unwrap(), Some(2));
}

#[tokio::test]
async fn a_failed_seal_commit_writes_nothing_half_sealed() {
    let (_dir, outbox, _) = outbox().await;
    let model = Model::Stu430;
    // A declined session leaves the offer modelled; a commit that fails midway must leave it so.
    let mut host = RecordingHost::saying(false);
    let _ = sign_on_sim(
        &outbox,
        "OFF-atomic",
        model,
        two_good_signatures(model),
        &mut host,
    )
    .await;
    let modelled = outbox.events("OFF-atomic").await.unwrap().remove(0);
    // Stream version 0 is taken: the second insert violates the unique key after the first succeeded.
    let clash = |v| inkseal_edge::outbox::StoredEvent {
        event_id: uuid::Uuid::new_v4(),
        stream_version: v,
        event: modelled.clone(),
        wire: vec![1],
    };
    let err = outbox
        .commit_sealed("OFF-atomic", &[clash(1), clash(0)], b"%PDF-sealed", "00")
        .await
        .unwrap_err();
    assert!(matches!(err, EdgeError::Outbox(_)));
    assert_eq!(outbox.local_status("OFF-atomic").await.unwrap(), Some(1));
    assert!(outbox.sealed_pdf("OFF-atomic").await.unwrap().is_none());
    assert_eq!(outbox.events("OFF-atomic").await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_field_without_ok_ends_the_session_after_the_timeout_and_nothing_is_sealed() {
    let model = Model::Stu430;
    let (_dir, outbox, _) = outbox().await;
    let script = Pen::new(model).sign(81).script();
    let mut host = RecordingHost::saying(true);
    let err = sign_on_sim(&outbox, "OFF-timeout", model, script, &mut host)
        .await
        .unwrap_err();
    assert!(matches!(err, EdgeError::FieldTimeout(120)), "{err}");
    assert_eq!(outbox.local_status("OFF-timeout").await.unwrap(), Some(1));
    assert!(outbox.sealed_pdf("OFF-timeout").await.unwrap().is_none());
}
