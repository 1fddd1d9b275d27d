//! Bad input from an edge agent gets a clear gRPC status and changes nothing:
//! a forged agent identity, an event for an unknown offer, events out of
//! order, a replayed stream, a PDF whose hash does not match, an oversized
//! message, a truncated upload.

mod common;

use common::*;
use inkseal_proto::v1 as pb;
use inkseal_server::documents::sha256_of;
use tonic::Code;

/// Documents stored under the backend's documents folder.
/// Offer PDFs in the document storage (the insurance terms every client gets are not counted).
fn stored_documents(backend: &Backend) -> usize {
    let terms = pdf_compose::terms::flexi_terms().unwrap();
    let terms = format!("{}.pdf", sha256_of(&terms).to_hex());
    let dir = backend.dir.path().join("documents").join("sha256");
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy() != terms)
                .count()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn a_forged_agent_identity_is_refused_and_nothing_is_stored() {
    let backend = sqlite_backend().await;
    let offer = signed_offer("OFFER-FORGED", OTHER_AGENT, 0);
    // AGENT-1's certificate, events naming AGENT-2
    let mut client = backend.agent(AGENT).await;
    let (acks, status) = sync(&mut client, offer.events.clone()).await;
    assert!(acks.is_empty());
    let status = status.expect("refused");
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
    assert!(status.message().contains("AGENT-1"), "{}", status.message());
    assert_eq!(backend.head().await, 0);

    // the upload names another agent too
    let sha = sha256_of(&offer.sealed_pdf);
    let chunks = upload_chunks(
        &offer,
        OTHER_AGENT,
        sha.as_bytes(),
        offer.sealed_pdf.len() as u64,
        &offer.sealed_pdf,
    );
    let e = client
        .upload_sealed_pdf(tokio_stream::iter(chunks))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied);
    assert_eq!(stored_documents(&backend), 0);

    // an agent cannot add events to another agent's offer, even under its own name
    let mine = signed_offer("OFFER-OF-AGENT-1", AGENT, 0);
    let (_, status) = sync(&mut client, mine.events[..1].to_vec()).await;
    assert!(status.is_none());
    let head = backend.head().await;
    let mut intruder = backend.agent(OTHER_AGENT).await;
    let mut event = mine.events[1].clone();
    event.agent_id = OTHER_AGENT.into();
    let (_, status) = sync(&mut intruder, vec![event]).await;
    assert_eq!(status.unwrap().code(), Code::PermissionDenied);
    assert_eq!(backend.head().await, head);
    backend.stop().await;
}

#[tokio::test]
async fn an_event_for_an_unknown_offer_is_not_found() {
    let backend = sqlite_backend().await;
    let offer = signed_offer("OFFER-UNKNOWN", AGENT, 0);
    let mut client = backend.agent(AGENT).await;
    let mut event = offer.events[2].clone();
    event.stream_version = 0;
    let (acks, status) = sync(&mut client, vec![event]).await;
    assert!(acks.is_empty());
    let status = status.unwrap();
    assert_eq!(status.code(), Code::NotFound, "{status:?}");
    assert!(status.message().contains("OfferModelled"));
    assert_eq!(backend.head().await, 0);
    // and uploading a PDF for it
    let e = upload(&mut client, &offer).await.unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    assert_eq!(stored_documents(&backend), 0);
    backend.stop().await;
}

#[tokio::test]
async fn events_out_of_order_are_refused_at_the_gap() {
    let backend = sqlite_backend().await;
    let offer = signed_offer("OFFER-GAP", AGENT, 0);
    let mut client = backend.agent(AGENT).await;
    let (acks, status) = sync(
        &mut client,
        vec![
            offer.events[0].clone(),
            offer.events[2].clone(),
            offer.events[1].clone(),
        ],
    )
    .await;
    assert_eq!(acks.len(), 1, "the first event is stored");
    let status = status.unwrap();
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    assert!(
        status.message().contains("očekávána verze 1, přišla 2"),
        "{}",
        status.message()
    );
    assert_eq!(backend.head().await, 1);

    // a PDF before the offer is sealed
    let e = upload(&mut client, &offer).await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert_eq!(stored_documents(&backend), 0);
    backend.stop().await;
}

#[tokio::test]
async fn a_replayed_stream_and_a_retried_upload_store_nothing_twice() {
    let backend = sqlite_backend().await;
    let offer = signed_offer("OFFER-REPLAY", AGENT, 0);
    let mut client = backend.agent(AGENT).await;
    let first = send_offer(&mut client, &offer).await;
    assert!(!first.already_stored);
    let head = backend.head().await;

    let (acks, status) = sync(&mut client, offer.events.clone()).await;
    assert!(status.is_none(), "{status:?}");
    assert_eq!(acks.len(), 5);
    assert!(
        acks.iter()
            .all(|a| a.outcome == pb::event_ack::Outcome::Duplicate as i32)
    );
    let again = upload(&mut client, &offer).await.unwrap();
    assert!(again.already_stored);
    // acceptance may have appended its decision meanwhile; nothing else is new
    let after = backend.head().await;
    assert!(after == head || after == head + 1, "head {head} -> {after}");
    backend.settle().await;
    let timeline = backend
        .components
        .read_model
        .timeline(&offer.offer_id, 0, 100)
        .await
        .unwrap();
    assert_eq!(
        timeline
            .iter()
            .filter(|t| t.event_type == "OfferReceived")
            .count(),
        1
    );
    assert_eq!(
        timeline
            .iter()
            .filter(|t| t.event_type == "FieldSigned")
            .count(),
        2
    );

    // the same event id with other content is a conflict
    let mut forged = offer.events[1].clone();
    if let Some(pb::edge_event::Body::SigningStarted(s)) = forged.body.as_mut() {
        s.pad_serial = "OTHER".into();
    }
    let (_, status) = sync(&mut client, vec![forged]).await;
    assert_eq!(status.unwrap().code(), Code::AlreadyExists);
    backend.stop().await;
}

#[tokio::test]
async fn a_pdf_whose_hash_does_not_match_is_refused_and_not_stored() {
    let backend = sqlite_backend().await;
    let offer = signed_offer("OFFER-HASH", AGENT, 0);
    let mut client = backend.agent(AGENT).await;
    let (_, status) = sync(&mut client, offer.events.clone()).await;
    assert!(status.is_none());
    let head = backend.head().await;

    // data that is not the announced PDF
    let sha = sha256_of(&offer.sealed_pdf);
    let mut altered = offer.sealed_pdf.clone();
    altered[100] ^= 0x20;
    let chunks = upload_chunks(
        &offer,
        AGENT,
        sha.as_bytes(),
        altered.len() as u64,
        &altered,
    );
    let e = client
        .upload_sealed_pdf(tokio_stream::iter(chunks))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");
    assert!(
        e.message().contains("nic nebylo uloženo"),
        "{}",
        e.message()
    );

    // a PDF that is not the one OfferSealed names
    let other = sha256_of(&altered);
    let chunks = upload_chunks(
        &offer,
        AGENT,
        other.as_bytes(),
        altered.len() as u64,
        &altered,
    );
    let e = client
        .upload_sealed_pdf(tokio_stream::iter(chunks))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().contains("OfferSealed"), "{}", e.message());

    assert_eq!(stored_documents(&backend), 0);
    assert_eq!(backend.head().await, head);
    backend.stop().await;
}

#[tokio::test]
async fn an_oversized_message_is_refused_and_nothing_is_stored() {
    let backend = sqlite_backend().await;
    let offer = signed_offer("OFFER-BIG", AGENT, 0);
    let mut client = backend.agent(AGENT).await;

    // over the 1 MiB decoding limit of the server
    let mut huge = offer.events[0].clone();
    if let Some(pb::edge_event::Body::OfferModelled(m)) = huge.body.as_mut() {
        m.offer_number = "9".repeat(1_200_000);
    }
    let (acks, status) = sync(&mut client, vec![huge]).await;
    assert!(acks.is_empty());
    let status = status.unwrap();
    assert!(
        matches!(status.code(), Code::OutOfRange | Code::ResourceExhausted),
        "{status:?}"
    );

    // over the 64 KiB bound of one event
    let mut big = offer.events[0].clone();
    if let Some(pb::edge_event::Body::OfferModelled(m)) = big.body.as_mut() {
        m.offer_number = "9".repeat(70_000);
    }
    let (acks, status) = sync(&mut client, vec![big]).await;
    assert!(acks.is_empty(), "{acks:?}");
    assert_eq!(status.expect("refused").code(), Code::ResourceExhausted);
    assert_eq!(backend.head().await, 0);

    // a PDF chunk over 256 KiB
    let (_, status) = sync(&mut client, offer.events.clone()).await;
    assert!(status.is_none());
    let head = backend.head().await;
    let sha = sha256_of(&offer.sealed_pdf);
    let mut padded = offer.sealed_pdf.clone();
    padded.resize(300 * 1024, b' ');
    let chunks = vec![
        pb::PdfChunk {
            part: Some(pb::pdf_chunk::Part::Start(pb::PdfUploadStart {
                offer_id: offer.offer_id.clone(),
                agent_id: AGENT.into(),
                sha256: sha.as_bytes().to_vec(),
                size: offer.sealed_pdf.len() as u64,
            })),
        },
        pb::PdfChunk {
            part: Some(pb::pdf_chunk::Part::Data(padded)),
        },
    ];
    let e = client
        .upload_sealed_pdf(tokio_stream::iter(chunks))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted, "{e:?}");
    assert_eq!(stored_documents(&backend), 0);
    assert_eq!(backend.head().await, head);
    backend.stop().await;
}

#[tokio::test]
async fn a_truncated_upload_stores_nothing() {
    let backend = sqlite_backend().await;
    let offer = signed_offer("OFFER-TRUNC", AGENT, 300 * 1024);
    let mut client = backend.agent(AGENT).await;
    let (_, status) = sync(&mut client, offer.events.clone()).await;
    assert!(status.is_none());
    let head = backend.head().await;
    let sha = sha256_of(&offer.sealed_pdf);
    let half = &offer.sealed_pdf[..offer.sealed_pdf.len() / 2];
    let chunks = upload_chunks(
        &offer,
        AGENT,
        sha.as_bytes(),
        offer.sealed_pdf.len() as u64,
        half,
    );
    let e = client
        .upload_sealed_pdf(tokio_stream::iter(chunks))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");
    assert!(
        e.message().contains("nic nebylo uloženo"),
        "{}",
        e.message()
    );
    assert_eq!(stored_documents(&backend), 0);
    assert_eq!(backend.head().await, head);

    // the whole PDF afterwards is received
    let receipt = upload(&mut client, &offer).await.unwrap();
    assert_eq!(receipt.status, pb::OfferStatus::Sent as i32);
    assert_eq!(stored_documents(&backend), 1);
    backend.stop().await;
}

#[tokio::test]
async fn a_call_without_a_client_certificate_is_refused() {
    let backend = sqlite_backend().await;
    inkseal_server::tls::install_crypto_provider();
    let tls = tonic::transport::ClientTlsConfig::new()
        .ca_certificate(tonic::transport::Certificate::from_pem(&pki().ca.cert_pem))
        .domain_name("localhost");
    let endpoint = tonic::transport::Channel::from_shared(backend.grpc_url())
        .unwrap()
        .tls_config(tls)
        .unwrap();
    let result = match endpoint.connect().await {
        Err(_) => None,
        Ok(channel) => Some(
            inkseal_proto::v1::edge_sync_client::EdgeSyncClient::new(channel)
                .get_offer_status(pb::OfferStatusRequest { offer_ids: vec![] })
                .await,
        ),
    };
    assert!(
        !matches!(result, Some(Ok(_))),
        "a call without a client certificate must fail"
    );
    backend.stop().await;
}
