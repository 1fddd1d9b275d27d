//! Ingest: the EdgeSync gRPC service edge agents talk to.
//!
//! - `SyncEvents`: each event is checked against the caller's certificate
//!   (its `agent_id` must be the certificate's Common Name, and an existing
//!   offer must belong to that agent), mapped to a lifecycle command, decided
//!   against the offer's state, and appended with the client's `event_id` at
//!   exactly the version the client names. A retried event (same id, same
//!   content) is acknowledged as a duplicate and writes nothing; the first
//!   refused event ends the call with a clear status, and nothing of it is
//!   stored.
//! - `UploadSealedPdf`: the start message names the offer, its SHA-256 (which
//!   must be the one in `OfferSealed`) and size; the data is hashed while it
//!   arrives, held in memory within a server-wide byte budget, and stored
//!   (content-addressed, durably) only when it is complete and matches. Then
//!   `OfferReceived` is appended with a deterministic id: state 3.
//! - `GetOfferStatus`: the caller's offers as the read model has them.

use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use event_store::{EventStore, NewEvent, RecordedEvent, StoreError};
use futures::Stream;
use inkseal_proto::limits;
use inkseal_proto::v1 as pb;
use inkseal_proto::v1::edge_sync_server::EdgeSync;
use offer_lifecycle::{Command, OfferId, OfferStatus, decide, evolve};
use sha2::Digest;
use tokio::sync::{Semaphore, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};
use tracing::Instrument;

use crate::documents::Documents;
use crate::error::ServiceError;
use crate::mapping::{self, EdgeCommand, stream_name};
use crate::metrics::Metrics;
use crate::offers::{
    self, BACKEND_ACTOR, Metadata, OfferStream, append_backend, backend_event_id, new_event,
};
use crate::read_model::ReadModel;
use crate::tls::{Caller, caller};

/// Acks buffered per `SyncEvents` call.
pub const ACK_BUFFER: usize = 64;
/// How long an upload waits for room in the byte budget.
pub const UPLOAD_BUDGET_WAIT: Duration = Duration::from_secs(30);
const MIB: u64 = 1024 * 1024;

/// The EdgeSync service.
#[derive(Clone)]
pub struct Ingest {
    store: Arc<dyn EventStore>,
    documents: Documents,
    read_model: ReadModel,
    metrics: Metrics,
    budget: Arc<Semaphore>,
    budget_mib: u32,
}

impl Ingest {
    /// The service over the given store, documents and read model; uploads in
    /// flight may hold `upload_budget_mib` MiB together.
    pub fn new(
        store: Arc<dyn EventStore>,
        documents: Documents,
        read_model: ReadModel,
        metrics: Metrics,
        upload_budget_mib: u32,
    ) -> Self {
        Ingest {
            store,
            documents,
            read_model,
            metrics,
            budget: Arc::new(Semaphore::new(upload_budget_mib as usize)),
            budget_mib: upload_budget_mib,
        }
    }

    /// Handles one edge event; returns its ack.
    pub async fn handle_event(
        &self,
        caller: &Caller,
        event: pb::EdgeEvent,
    ) -> Result<pb::EventAck, ServiceError> {
        if event.agent_id != caller.id {
            return Err(ServiceError::PermissionDenied(format!(
                "Identita certifikátu ({}) neodpovídá poradci v události ({}); nic nebylo uloženo.",
                caller.id,
                event
                    .agent_id
                    .chars()
                    .take(limits::MAX_ACTOR_CHARS)
                    .collect::<String>()
            )));
        }
        let cmd = mapping::edge_event(&event)?;
        let stream = offers::load(self.store.as_ref(), cmd.offer_id.as_str()).await?;
        if let Some(offer) = stream.state.offer()
            && offer.agent_id != cmd.agent_id
        {
            return Err(ServiceError::PermissionDenied(format!(
                "Nabídka {} patří jinému poradci; nic nebylo uloženo.",
                cmd.offer_id
            )));
        }
        if let Some(recorded) = stream.find(cmd.event_id) {
            return self.duplicate(&stream, recorded, &cmd);
        }
        if stream.state.offer().is_none() && !matches!(cmd.command, Command::ModelOffer { .. }) {
            return Err(ServiceError::NotFound(format!(
                "Nabídka {} není známa; první událostí nabídky musí být OfferModelled.",
                cmd.offer_id
            )));
        }
        let next = stream.last_version().map_or(0, |v| v + 1);
        if cmd.stream_version != next {
            return Err(ServiceError::FailedPrecondition(
                if cmd.stream_version > next {
                    format!(
                        "Události nabídky {} nejdou po sobě: očekávána verze {next}, přišla {}.",
                        cmd.offer_id, cmd.stream_version
                    )
                } else {
                    format!(
                        "Na verzi {} nabídky {} je už uložena jiná událost.",
                        cmd.stream_version, cmd.offer_id
                    )
                },
            ));
        }
        let events = decide(&cmd.command, &stream.state)?;
        if events.is_empty() {
            // a restated fact: nothing to write
            let position = stream.recorded.last().map_or(0, |e| e.position);
            return Ok(ack(
                &cmd,
                pb::event_ack::Outcome::Duplicate,
                position,
                stream.state.status(),
            ));
        }
        let metadata = Metadata {
            sealed_pdf_size: cmd.sealed_pdf_size,
            ..Metadata::actor(caller.id.clone())
        };
        let new: Vec<NewEvent> = events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let id = if i == 0 {
                    cmd.event_id
                } else {
                    uuid::Uuid::new_v5(&cmd.event_id, &[i as u8])
                };
                new_event(id, e, &metadata)
            })
            .collect::<Result<_, _>>()?;
        let result = match self
            .store
            .append(&stream_name(cmd.offer_id.as_str()), stream.expected(), new)
            .await
        {
            Ok(r) => r,
            Err(StoreError::WrongExpectedVersion { .. }) => {
                return Err(ServiceError::Aborted(format!(
                    "Nabídku {} současně mění jiný požadavek; odešlete událost znovu.",
                    cmd.offer_id
                )));
            }
            Err(e) => return Err(e.into()),
        };
        let mut state = stream.state;
        for e in &events {
            state = evolve(state, e);
        }
        let outcome = if result.duplicate {
            pb::event_ack::Outcome::Duplicate
        } else {
            pb::event_ack::Outcome::Appended
        };
        Ok(ack(&cmd, outcome, result.last_position, state.status()))
    }

    /// A retried event: acknowledged as a duplicate when it is the same event at the same place.
    fn duplicate(
        &self,
        stream: &OfferStream,
        recorded: &RecordedEvent,
        cmd: &EdgeCommand,
    ) -> Result<pb::EventAck, ServiceError> {
        let conflict = || {
            ServiceError::AlreadyExists(format!(
                "Událost {} je už uložena s jiným obsahem nebo na jiném místě.",
                cmd.event_id
            ))
        };
        if recorded.version != cmd.stream_version {
            return Err(conflict());
        }
        let before = offer_lifecycle::replay(&stream.events[..recorded.version as usize]);
        let same = decide(&cmd.command, &before)
            .ok()
            .and_then(|events| events.into_iter().next())
            .and_then(|e| offer_lifecycle::encode(&e).ok())
            .and_then(|enc| Some((enc.type_name, enc.payload_bytes().ok()?)))
            .is_some_and(|(t, payload)| t == recorded.event_type && payload == recorded.payload);
        if !same {
            return Err(conflict());
        }
        Ok(ack(
            cmd,
            pb::event_ack::Outcome::Duplicate,
            recorded.position,
            stream.state.status(),
        ))
    }

    /// Receives and stores one sealed PDF.
    pub async fn handle_upload(
        &self,
        caller: &Caller,
        mut inbound: Streaming<pb::PdfChunk>,
    ) -> Result<pb::PdfUploadReceipt, ServiceError> {
        let first = inbound
            .message()
            .await
            .map_err(|s| {
                ServiceError::InvalidArgument(format!("Nahrávání přerušeno: {}", s.message()))
            })?
            .and_then(|c| c.part);
        let Some(pb::pdf_chunk::Part::Start(start)) = first else {
            return Err(ServiceError::InvalidArgument(
                "Nahrávání musí začít zprávou PdfUploadStart.".into(),
            ));
        };
        if start.agent_id != caller.id {
            return Err(ServiceError::PermissionDenied(format!(
                "Identita certifikátu ({}) neodpovídá poradci v nahrávání; nic nebylo uloženo.",
                caller.id
            )));
        }
        let offer_id = OfferId::new(&start.offer_id)?;
        let sha = mapping::sha256("sha256", &start.sha256)?;
        if start.size == 0 || start.size > limits::MAX_PDF_BYTES {
            return Err(ServiceError::ResourceExhausted(format!(
                "PDF musí mít 1 až {} bajtů, ohlášeno {}.",
                limits::MAX_PDF_BYTES,
                start.size
            )));
        }
        let stream = offers::load(self.store.as_ref(), offer_id.as_str()).await?;
        let offer = stream
            .state
            .offer()
            .ok_or_else(|| ServiceError::NotFound(format!("Nabídka {offer_id} není známa.")))?;
        if offer.agent_id.as_str() != caller.id {
            return Err(ServiceError::PermissionDenied(format!(
                "Nabídka {offer_id} patří jinému poradci."
            )));
        }
        let seal = offer
            .seal
            .as_ref()
            .ok_or(offer_lifecycle::LifecycleError::NotSealed)?;
        if seal.sealed_pdf_sha256 != sha {
            return Err(ServiceError::InvalidArgument(
                "Otisk SHA-256 nahrávaného PDF nesouhlasí s podepsanou nabídkou (OfferSealed); nic nebylo uloženo.".into(),
            ));
        }
        let declared = stream
            .recorded
            .iter()
            .rev()
            .find(|r| r.event_type == "OfferSealed")
            .and_then(|r| Metadata::parse(&r.metadata).sealed_pdf_size);
        if declared.is_some_and(|d| d != start.size) {
            return Err(ServiceError::InvalidArgument(format!(
                "Velikost nahrávaného PDF ({} bajtů) nesouhlasí s podepsanou nabídkou.",
                start.size
            )));
        }

        let mib = start.size.div_ceil(MIB) as u32;
        if mib > self.budget_mib {
            return Err(ServiceError::ResourceExhausted(
                "PDF je větší, než server dokáže přijmout.".into(),
            ));
        }
        let _permit = tokio::time::timeout(UPLOAD_BUDGET_WAIT, self.budget.acquire_many(mib))
            .await
            .map_err(|_| {
                ServiceError::ResourceExhausted("Server je přetížen; nahrajte PDF později.".into())
            })?
            .map_err(|_| ServiceError::Internal("upload budget closed".into()))?;
        let mut buffer = BytesMut::with_capacity(start.size as usize);
        let mut hasher = sha2::Sha256::new();
        loop {
            let chunk = inbound.message().await.map_err(|s| {
                ServiceError::InvalidArgument(format!(
                    "Nahrávání přerušeno; nic nebylo uloženo ({}).",
                    s.message()
                ))
            })?;
            let Some(chunk) = chunk else { break };
            match chunk.part {
                Some(pb::pdf_chunk::Part::Data(data)) => {
                    if data.len() > limits::MAX_PDF_CHUNK_BYTES {
                        return Err(ServiceError::ResourceExhausted(format!(
                            "Část PDF má {} bajtů, nejvýše {}.",
                            data.len(),
                            limits::MAX_PDF_CHUNK_BYTES
                        )));
                    }
                    if buffer.len() as u64 + data.len() as u64 > start.size {
                        return Err(ServiceError::InvalidArgument(format!(
                            "Přišlo více dat, než bylo ohlášeno ({} bajtů); nic nebylo uloženo.",
                            start.size
                        )));
                    }
                    hasher.update(&data);
                    buffer.extend_from_slice(&data);
                }
                _ => {
                    return Err(ServiceError::InvalidArgument(
                        "PdfUploadStart smí být jen první zprávou.".into(),
                    ));
                }
            }
        }
        if buffer.len() as u64 != start.size {
            return Err(ServiceError::InvalidArgument(format!(
                "Nahrávání skončilo po {} z {} bajtů; nic nebylo uloženo.",
                buffer.len(),
                start.size
            )));
        }
        let got = offer_lifecycle::Sha256::from_bytes(hasher.finalize().into());
        if got != sha {
            return Err(ServiceError::InvalidArgument(
                "Otisk SHA-256 přijatých dat nesouhlasí s ohlášeným; nic nebylo uloženo.".into(),
            ));
        }
        self.metrics.upload_bytes.inc_by(start.size);
        let already_stored = self.documents.put_pdf(&sha, buffer.freeze()).await?;
        let received_at = chrono::Utc::now();
        let cause = sha.to_hex();
        let applied = append_backend(
            &self.store,
            offer_id.as_str(),
            &Metadata::actor(BACKEND_ACTOR),
            |_| {
                Ok(Some(Command::ReceiveOffer {
                    pdf_sha256: sha,
                    received_at,
                }))
            },
            |e, _| backend_event_id(offer_id.as_str(), e.type_name(), &cause),
        )
        .await?;
        Ok(pb::PdfUploadReceipt {
            offer_id: offer_id.to_string(),
            sha256: sha.as_bytes().to_vec(),
            size: start.size,
            already_stored,
            status: mapping::status_pb(applied.state.status()) as i32,
        })
    }

    /// The agent's offers as the read model has them.
    pub async fn status(
        &self,
        caller: &Caller,
        request: pb::OfferStatusRequest,
    ) -> Result<pb::OfferStatusReply, ServiceError> {
        if request.offer_ids.len() > limits::MAX_STATUS_QUERY_IDS {
            return Err(ServiceError::ResourceExhausted(format!(
                "Nejvýše {} nabídek v jednom dotazu.",
                limits::MAX_STATUS_QUERY_IDS
            )));
        }
        let mut offers = Vec::with_capacity(request.offer_ids.len());
        for id in &request.offer_ids {
            OfferId::new(id)?;
            let row = self
                .read_model
                .offer(id)
                .await?
                .filter(|r| r.agent_id == caller.id);
            let entry = match row {
                None => pb::OfferStatusEntry {
                    offer_id: id.clone(),
                    ..Default::default()
                },
                Some(r) => {
                    let status = mapping::status_from_number(r.status);
                    pb::OfferStatusEntry {
                        offer_id: id.clone(),
                        status: mapping::status_pb(status) as i32,
                        status_text: status
                            .map(OfferStatus::text_cs)
                            .unwrap_or_default()
                            .to_owned(),
                        rejection_reason: r.rejection_reason.unwrap_or_default(),
                        updated_at: chrono::DateTime::from_timestamp_micros(r.updated_at)
                            .map(mapping::timestamp_pb),
                    }
                }
            };
            offers.push(entry);
        }
        Ok(pb::OfferStatusReply { offers })
    }
}

fn ack(
    cmd: &EdgeCommand,
    outcome: pb::event_ack::Outcome,
    position: u64,
    status: Option<OfferStatus>,
) -> pb::EventAck {
    pb::EventAck {
        event_id: cmd.event_id.to_string(),
        offer_id: cmd.offer_id.to_string(),
        outcome: outcome as i32,
        position,
        status: mapping::status_pb(status) as i32,
    }
}

fn refused(metrics: &Metrics, e: ServiceError) -> Status {
    metrics.event("refused");
    tracing::info!(error = %e, "edge event refused");
    e.status()
}

#[tonic::async_trait]
impl EdgeSync for Ingest {
    type SyncEventsStream =
        Pin<Box<dyn Stream<Item = Result<pb::EventAck, Status>> + Send + 'static>>;

    async fn sync_events(
        &self,
        request: Request<Streaming<pb::EdgeEvent>>,
    ) -> Result<Response<Self::SyncEventsStream>, Status> {
        let caller = caller(&request)?.require_edge_agent()?;
        let mut inbound = request.into_inner();
        let (tx, rx) = mpsc::channel(ACK_BUFFER);
        let this = self.clone();
        let span = tracing::info_span!("sync_events", agent = %caller.id);
        tokio::spawn(
            async move {
                let mut count = 0usize;
                loop {
                    let event = match inbound.message().await {
                        Ok(Some(e)) => e,
                        Ok(None) => break,
                        Err(status) => {
                            // a message over the decoding limit, or the client went away
                            this.metrics.event("refused");
                            tracing::info!(%status, "event stream ended with an error");
                            let _ = tx.send(Err(status)).await;
                            break;
                        }
                    };
                    count += 1;
                    let result = if count > limits::MAX_EVENTS_PER_CALL {
                        Err(ServiceError::ResourceExhausted(format!(
                            "Nejvýše {} událostí v jednom volání.",
                            limits::MAX_EVENTS_PER_CALL
                        )))
                    } else {
                        let offer_id = event.offer_id.clone();
                        this.handle_event(&caller, event)
                            .instrument(tracing::debug_span!("event", offer_id = %offer_id))
                            .await
                    };
                    match result {
                        Ok(ack) => {
                            this.metrics.event(
                                if ack.outcome == pb::event_ack::Outcome::Duplicate as i32 {
                                    "duplicate"
                                } else {
                                    "appended"
                                },
                            );
                            if tx.send(Ok(ack)).await.is_err() {
                                break;
                            }
                        }
                        Err(e) => {
                            let _ = tx.send(Err(refused(&this.metrics, e))).await;
                            break;
                        }
                    }
                }
            }
            .instrument(span),
        );
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn upload_sealed_pdf(
        &self,
        request: Request<Streaming<pb::PdfChunk>>,
    ) -> Result<Response<pb::PdfUploadReceipt>, Status> {
        let started = Instant::now();
        let caller = caller(&request)?.require_edge_agent()?;
        let span = tracing::info_span!("upload_sealed_pdf", agent = %caller.id);
        let result = self
            .handle_upload(&caller, request.into_inner())
            .instrument(span)
            .await;
        self.metrics
            .upload_seconds
            .observe(started.elapsed().as_secs_f64());
        match result {
            Ok(receipt) => {
                self.metrics.upload(if receipt.already_stored {
                    "already_stored"
                } else {
                    "stored"
                });
                tracing::info!(offer_id = %receipt.offer_id, size = receipt.size, "sealed PDF received");
                Ok(Response::new(receipt))
            }
            Err(e) => {
                self.metrics.upload("refused");
                tracing::info!(error = %e, "upload refused");
                Err(e.status())
            }
        }
    }

    async fn get_offer_status(
        &self,
        request: Request<pb::OfferStatusRequest>,
    ) -> Result<Response<pb::OfferStatusReply>, Status> {
        let caller = caller(&request)?.require_edge_agent()?;
        Ok(Response::new(
            self.status(&caller, request.into_inner()).await?,
        ))
    }
}
