//! A whole offer through the backend: the edge agent's events and sealed PDF
//! in over mutual TLS, state 3, the acceptance checks, state 4, the insurer's
//! seal as a second PDF signature that `pdfsig` verifies next to the agent's;
//! plus the status the agent queries, the help desk's timeline and search,
//! the metrics endpoint, and a rebuild of the projections from zero.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::*;
use inkseal_proto::v1 as pb;
use inkseal_server::acceptance::{Rejection, check};
use inkseal_server::documents::sha256_of;
use offer_lifecycle::Sha256;
use pdf_seal::Signer;

async fn wait_for_status(
    backend: &Backend,
    offer_id: &str,
    status: i64,
) -> inkseal_server::read_model::OfferRow {
    for _ in 0..400 {
        if let Some(row) = backend.components.read_model.offer(offer_id).await.unwrap()
            && row.status == status
            && (status < 4 || row.insurer_sealed_pdf.is_some())
        {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("offer {offer_id} did not reach state {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_offer_goes_from_the_edge_agent_to_state_4_with_both_pdf_signatures_valid() {
    let backend = sqlite_backend_without_notifications().await;
    let offer = signed_offer("OFFER-2024-000123", AGENT, 0);
    let mut client = backend.agent(AGENT).await;

    let (acks, status) = sync(&mut client, offer.events.clone()).await;
    assert!(status.is_none(), "{status:?}");
    assert!(
        acks.iter()
            .all(|a| a.outcome == pb::event_ack::Outcome::Appended as i32)
    );
    assert_eq!(
        acks.last().unwrap().status,
        pb::OfferStatus::SignedAwaitingSync as i32
    );

    let receipt = upload(&mut client, &offer).await.unwrap();
    assert_eq!(
        receipt.status,
        pb::OfferStatus::Sent as i32,
        "durable receipt is state 3"
    );
    assert!(!receipt.already_stored);

    let row = wait_for_status(&backend, &offer.offer_id, 4).await;
    assert_eq!(row.rejection_reason, None);

    // the agent sees state 4 with the seed's text
    let reply = client
        .get_offer_status(pb::OfferStatusRequest {
            offer_ids: vec![offer.offer_id.clone(), "UNKNOWN-1".into()],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(reply.offers[0].status, pb::OfferStatus::Accepted as i32);
    assert_eq!(
        reply.offers[0].status_text,
        "PČS přijala nabídku do zpracování"
    );
    assert_eq!(reply.offers[1].status, pb::OfferStatus::Unspecified as i32);

    // the insurer-sealed PDF: the agent's signature and the insurer's, both valid
    let sealed_sha: Sha256 = row.insurer_sealed_pdf.unwrap().parse().unwrap();
    let sealed = backend
        .components
        .documents
        .get_pdf(&sealed_sha)
        .await
        .unwrap()
        .unwrap();
    assert!(
        sealed.starts_with(&offer.sealed_pdf),
        "the insurer's seal is an incremental update"
    );
    let signatures = pdf_seal::extract_signatures(&sealed).unwrap();
    assert_eq!(signatures.len(), 2);
    for s in &signatures {
        pdf_seal::verify_cms_signature(&sealed, s).unwrap();
    }
    assert_eq!(
        signatures[1].field_name,
        inkseal_server::acceptance::INSURER_SEAL_FIELD
    );
    qpdf_check(&sealed);
    if let Some(out) = pdfsig(&sealed) {
        eprintln!("pdfsig -nocert:\n{out}");
        assert!(
            out.contains("Signature #1") && out.contains("Signature #2"),
            "{out}"
        );
        assert_eq!(
            out.matches("Signature Validation: Signature is Valid.")
                .count(),
            2,
            "{out}"
        );
    }
    // the sealed PDF the agent sent is stored too, under its hash
    assert!(
        backend
            .components
            .documents
            .get_pdf(&sha256_of(&offer.sealed_pdf))
            .await
            .unwrap()
            .is_some()
    );

    // the accepted offer's documents go to the client's storage (this backend runs no
    // notifications, so nothing else joins the stream)
    backend.wait_published(&offer.offer_id).await;

    // the help desk's view
    let mut hd = backend.help_desk().await;
    let timeline = hd
        .get_timeline(pb::GetTimelineRequest {
            offer_id: offer.offer_id.clone(),
            from_version: 0,
            limit: 0,
        })
        .await
        .unwrap()
        .into_inner();
    let types: Vec<&str> = timeline
        .entries
        .iter()
        .map(|e| e.event_type.as_str())
        .collect();
    assert_eq!(
        types[..6],
        [
            "OfferModelled",
            "SigningStarted",
            "FieldSigned",
            "FieldSigned",
            "OfferSealed",
            "OfferReceived",
        ]
    );
    assert_eq!(types[6..], ["OfferAccepted", "DocumentsPublished"]);
    assert_eq!(timeline.entries[0].actor, AGENT);
    assert_eq!(timeline.entries[5].actor, "backend");
    assert_eq!(timeline.entries[5].summary, "Nabídka byla odeslána do PČS");
    assert_eq!(timeline.status_text, "PČS přijala nabídku do zpracování");
    let found = hd
        .search_offers(pb::SearchOffersRequest {
            query: Some(pb::search_offers_request::Query::ClientMobile(
                "+420 603 123 456".into(),
            )),
            limit: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.offers.len(), 1);
    assert_eq!(found.offers[0].client_name, "Jan Novák");
    let by_email = hd
        .search_offers(pb::SearchOffersRequest {
            query: Some(pb::search_offers_request::Query::ClientEmail(
                "jan.novak@EXAMPLE.cz".into(),
            )),
            limit: 5,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_email.offers.len(), 1);

    // the help desk corrects the client's e-mail; a resend waits for the documents to be published
    let reply = hd
        .correct_contact(pb::CorrectContactRequest {
            offer_id: offer.offer_id.clone(),
            email: "jan.novak@example.com".into(),
            mobile: String::new(),
            reason: "Klient telefonicky nahlásil nový e-mail.".into(),
            resend: false,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(reply.message, "Kontakt klienta byl opraven.");
    let e = hd
        .resend_notification(pb::ResendNotificationRequest {
            offer_id: offer.offer_id.clone(),
            channels: Some(pb::Channels {
                email: true,
                sms: true,
            }),
            reason: "Klient e-mail nedostal.".into(),
        })
        .await
        .unwrap()
        .into_inner();
    // the documents are published, so the request is recorded
    assert_eq!(e.message, "Požadavek na opětovné odeslání byl zaznamenán.");
    let e = hd
        .correct_contact(pb::CorrectContactRequest {
            offer_id: offer.offer_id.clone(),
            email: "not an e-mail".into(),
            mobile: String::new(),
            reason: "x".into(),
            resend: false,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::InvalidArgument);
    backend.settle().await;
    let found = hd
        .search_offers(pb::SearchOffersRequest {
            query: Some(pb::search_offers_request::Query::ClientEmail(
                "jan.novak@example.com".into(),
            )),
            limit: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.offers.len(), 1);

    // a help-desk action names the user from the certificate
    let reply = hd
        .record_paper_withdrawal(pb::RecordPaperWithdrawalRequest {
            offer_id: offer.offer_id.clone(),
            received_at: Some(prost_types::Timestamp {
                seconds: 1_718_600_000,
                nanos: 0,
            }),
            reason: "Klient poslal písemné odvolání.".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(reply.position > 0);
    backend.settle().await;
    let timeline = hd
        .get_timeline(pb::GetTimelineRequest {
            offer_id: offer.offer_id.clone(),
            from_version: 8,
            limit: 1,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(timeline.entries[0].event_type, "ContactCorrected");
    assert_eq!(timeline.entries[0].actor, HELP_DESK_USER);
    assert_eq!(timeline.next_version, Some(9), "paged");
    let timeline = hd
        .get_timeline(pb::GetTimelineRequest {
            offer_id: offer.offer_id.clone(),
            from_version: 10,
            limit: 10,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(timeline.entries[0].event_type, "PaperWithdrawalRecorded");
    assert!(
        timeline.entries[0]
            .summary
            .starts_with("Help Desk (jana.novakova) zaznamenal písemné odvolání"),
        "{}",
        timeline.entries[0].summary
    );
    assert_eq!(timeline.next_version, None);

    // an edge agent's certificate does not open the help desk
    let mut as_agent = inkseal_proto::v1::help_desk_client::HelpDeskClient::new(
        backend.channel(pki().agent(AGENT).unwrap()).await,
    );
    let e = as_agent
        .get_timeline(pb::GetTimelineRequest {
            offer_id: offer.offer_id.clone(),
            from_version: 0,
            limit: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::PermissionDenied);

    // metrics
    let metrics = http_get(backend.running.metrics_addr.unwrap(), "/metrics").await;
    assert!(
        metrics.contains("inkseal_ingest_events_total{outcome=\"appended\"} 5"),
        "{metrics}"
    );
    assert!(
        metrics.contains("inkseal_acceptance_decisions_total{decision=\"accepted\"} 1"),
        "{metrics}"
    );
    assert_eq!(
        http_get(backend.running.metrics_addr.unwrap(), "/healthz")
            .await
            .trim_end()
            .rsplit("\r\n")
            .next(),
        Some("ok")
    );

    // rebuilt from zero, the read model is the same
    backend.settle().await;
    let before = backend
        .components
        .read_model
        .offer(&offer.offer_id)
        .await
        .unwrap();
    let before_timeline = backend
        .components
        .read_model
        .timeline(&offer.offer_id, 0, 100)
        .await
        .unwrap();
    inkseal_server::projections::rebuild(&backend.components.read_model)
        .await
        .unwrap();
    backend.settle().await;
    assert_eq!(
        backend
            .components
            .read_model
            .offer(&offer.offer_id)
            .await
            .unwrap(),
        before
    );
    assert_eq!(
        backend
            .components
            .read_model
            .timeline(&offer.offer_id, 0, 100)
            .await
            .unwrap(),
        before_timeline
    );

    backend.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_envelope_bound_to_another_document_is_rejected_with_a_reason_the_help_desk_can_read() {
    let backend = sqlite_backend_without_notifications().await;
    let offer = signed_offer_with(
        "OFFER-BAD-ENV",
        AGENT,
        0,
        Flaws {
            envelope_for_other_document: true,
            ..Flaws::default()
        },
    );
    let mut client = backend.agent(AGENT).await;
    let receipt = send_offer(&mut client, &offer).await;
    assert_eq!(receipt.status, pb::OfferStatus::Sent as i32);
    let mut row = None;
    for _ in 0..400 {
        row = backend
            .components
            .read_model
            .offer(&offer.offer_id)
            .await
            .unwrap();
        if row.as_ref().is_some_and(|r| r.rejection_reason.is_some()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let row = row.unwrap();
    assert_eq!(row.status, 3, "a rejected offer stays in state 3");
    assert_eq!(
        row.rejection_reason.as_deref(),
        Some(
            "Biometrický záznam podpisu pole client_signature patří k jinému dokumentu, nabídce, poli nebo podepisujícímu."
        )
    );
    let reply = client
        .get_offer_status(pb::OfferStatusRequest {
            offer_ids: vec![offer.offer_id.clone()],
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        reply.offers[0]
            .rejection_reason
            .contains("jinému dokumentu")
    );
    backend.stop().await;
}

#[test]
fn the_acceptance_checks_refuse_a_pdf_with_a_byte_changed() {
    let offer = signed_offer("OFFER-CHECK-1", AGENT, 0);
    let o = lifecycle_offer(&offer);
    let (trust, now) = (agent_trust(), SystemTime::now());
    assert_eq!(check(&o, &offer.sealed_pdf, &trust, now), Ok(()));
    let mut tampered = offer.sealed_pdf.clone();
    let at = tampered.len() / 3;
    tampered[at] ^= 1;
    assert_eq!(
        check(&o, &tampered, &trust, now),
        Err(Rejection::HashMismatch)
    );
}

#[test]
fn a_pdf_signature_counts_only_with_the_offers_agents_certificate_from_the_trusted_authority() {
    let (trust, now) = (agent_trust(), SystemTime::now());
    let flawed = |id: &str, signer: Arc<Signer>| {
        let offer = signed_offer_with(
            id,
            AGENT,
            0,
            Flaws {
                signed_by: Some(signer),
                ..Flaws::default()
            },
        );
        check(&lifecycle_offer(&offer), &offer.sealed_pdf, &trust, now)
    };
    // a valid signature, but made with a certificate nobody issued
    assert!(
        matches!(
            flawed("OFFER-SELF-SIGNED", self_issued_signer()),
            Err(Rejection::UntrustedSigner(_))
        ),
        "a self-issued signer is refused"
    );
    // a trusted certificate, but another agent's
    assert_eq!(
        flawed("OFFER-OTHER-AGENT", agent_signer(OTHER_AGENT)),
        Err(Rejection::SignerNotTheAgent {
            agent: AGENT.into(),
            named: OTHER_AGENT.into()
        })
    );
    assert_eq!(
        Rejection::SignerNotTheAgent {
            agent: AGENT.into(),
            named: OTHER_AGENT.into()
        }
        .to_string(),
        format!("Elektronický podpis PDF nepatří poradci {AGENT}, ale {OTHER_AGENT}.")
    );
}

async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}
