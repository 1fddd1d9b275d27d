//! The HelpDesk gRPC service.
//!
//! Reads (`GetTimeline`, `SearchOffers`) come from the projections. Actions
//! (`ResendNotification`, `CorrectContact`, `RecordPaperWithdrawal`) run the
//! lifecycle's help-desk commands and append their events, naming the user
//! from the TLS client certificate (`OU=help-desk`, CN = user id), never from
//! the request. The events are what the notification service (not part of
//! this crate yet) will act on.

use std::sync::Arc;

use event_store::EventStore;
use inkseal_proto::limits;
use inkseal_proto::v1 as pb;
use inkseal_proto::v1::help_desk_server::HelpDesk;
use offer_lifecycle::{
    Channels, Command, CzechMobile, Email, HelpDeskUser, OfferId, OfferStatus, Reason,
};
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::error::ServiceError;
use crate::mapping::{self, status_from_number, status_pb, timestamp_pb};
use crate::offers::{Metadata, append_backend};
use crate::read_model::{OfferRow, ReadModel, Search};
use crate::tls::caller;

/// The HelpDesk service.
#[derive(Clone)]
pub struct HelpDeskService {
    store: Arc<dyn EventStore>,
    read_model: ReadModel,
}

fn text_of(status: Option<OfferStatus>) -> String {
    status
        .map(OfferStatus::text_cs)
        .unwrap_or_default()
        .to_owned()
}

fn summary(row: OfferRow) -> pb::OfferSummary {
    let status = status_from_number(row.status);
    pb::OfferSummary {
        offer_id: row.offer_id,
        offer_number: row.offer_number,
        agent_id: row.agent_id,
        client_name: row.client_name.unwrap_or_default(),
        status: status_pb(status) as i32,
        status_text: text_of(status),
        updated_at: chrono::DateTime::from_timestamp_micros(row.updated_at).map(timestamp_pb),
        email_delivered: row.email_delivered,
    }
}

impl HelpDeskService {
    /// The service over the store (for actions) and the read model (for reads).
    pub fn new(store: Arc<dyn EventStore>, read_model: ReadModel) -> Self {
        HelpDeskService { store, read_model }
    }

    async fn user<T>(&self, request: &Request<T>) -> Result<HelpDeskUser, ServiceError> {
        let c = caller(request)?.require_help_desk()?;
        HelpDeskUser::new(&c.id).map_err(|e| ServiceError::Unauthenticated(e.to_string()))
    }

    /// Appends one help-desk command (an occurrence: a fresh event id per request).
    async fn act(
        &self,
        offer_id: &str,
        user: &HelpDeskUser,
        command: Command,
        done: &str,
    ) -> Result<pb::ActionReply, ServiceError> {
        let offer_id = OfferId::new(offer_id)?;
        let applied = append_backend(
            &self.store,
            offer_id.as_str(),
            &Metadata::actor(user.as_str()),
            |s| {
                if s.state.offer().is_none() {
                    return Err(ServiceError::NotFound(format!(
                        "Nabídka {offer_id} není známa."
                    )));
                }
                Ok(Some(command.clone()))
            },
            |_, _| Uuid::new_v4(),
        )
        .await?;
        tracing::info!(offer_id = %offer_id, user = %user, action = done, "help-desk action recorded");
        Ok(pb::ActionReply {
            offer_id: offer_id.to_string(),
            position: applied.position,
            message: if applied.appended {
                done.to_owned()
            } else {
                "Beze změny: stav už je zaznamenán.".into()
            },
        })
    }
}

fn channels(c: Option<pb::Channels>) -> Result<Channels, ServiceError> {
    match c.map(|c| (c.email, c.sms)) {
        Some((true, true)) => Ok(Channels::Both),
        Some((true, false)) => Ok(Channels::Email),
        Some((false, true)) => Ok(Channels::Sms),
        _ => Err(ServiceError::InvalidArgument(
            "Vyberte e-mail, SMS nebo obojí.".into(),
        )),
    }
}

#[tonic::async_trait]
impl HelpDesk for HelpDeskService {
    async fn get_timeline(
        &self,
        request: Request<pb::GetTimelineRequest>,
    ) -> Result<Response<pb::GetTimelineReply>, Status> {
        self.user(&request).await?;
        let r = request.into_inner();
        let offer_id = OfferId::new(&r.offer_id).map_err(ServiceError::from)?;
        let limit = match r.limit {
            0 => 100,
            n if n > limits::MAX_TIMELINE_PAGE => {
                return Err(ServiceError::InvalidArgument(format!(
                    "Nejvýše {} záznamů na stránku.",
                    limits::MAX_TIMELINE_PAGE
                ))
                .into());
            }
            n => n,
        };
        let row = self
            .read_model
            .offer(offer_id.as_str())
            .await
            .map_err(ServiceError::from)?
            .ok_or_else(|| ServiceError::NotFound(format!("Nabídka {offer_id} není známa.")))?;
        let from = i64::try_from(r.from_version).unwrap_or(i64::MAX);
        let mut rows = self
            .read_model
            .timeline(offer_id.as_str(), from, limit + 1)
            .await
            .map_err(ServiceError::from)?;
        let next_version =
            (rows.len() > limit as usize).then(|| rows[limit as usize].stream_version as u64);
        rows.truncate(limit as usize);
        let status = status_from_number(row.status);
        Ok(Response::new(pb::GetTimelineReply {
            offer_id: row.offer_id,
            offer_number: row.offer_number,
            status: status_pb(status) as i32,
            status_text: text_of(status),
            entries: rows
                .into_iter()
                .map(|t| pb::TimelineEntry {
                    position: t.position as u64,
                    stream_version: t.stream_version as u64,
                    event_type: t.event_type,
                    recorded_at: chrono::DateTime::from_timestamp_micros(t.recorded_at)
                        .map(timestamp_pb),
                    actor: t.actor,
                    summary: t.summary,
                    detail_json: t.detail_json,
                })
                .collect(),
            next_version,
        }))
    }

    async fn search_offers(
        &self,
        request: Request<pb::SearchOffersRequest>,
    ) -> Result<Response<pb::SearchOffersReply>, Status> {
        self.user(&request).await?;
        let r = request.into_inner();
        let limit = match r.limit {
            0 => 20,
            n if n > limits::MAX_SEARCH_PAGE => {
                return Err(ServiceError::InvalidArgument(format!(
                    "Nejvýše {} výsledků na stránku.",
                    limits::MAX_SEARCH_PAGE
                ))
                .into());
            }
            n => n,
        };
        use pb::search_offers_request::Query;
        let search = match r.query {
            Some(Query::OfferNumber(n)) => Search::OfferNumber(n.trim().to_owned()),
            Some(Query::ClientEmail(e)) => Search::Email(
                Email::parse(&e)
                    .map_err(ServiceError::from)?
                    .as_str()
                    .to_lowercase(),
            ),
            Some(Query::ClientMobile(m)) => Search::Mobile(
                CzechMobile::parse(&m)
                    .map_err(ServiceError::from)?
                    .e164()
                    .to_owned(),
            ),
            Some(Query::AgentId(a)) => Search::AgentId(a.trim().to_owned()),
            None => {
                return Err(
                    ServiceError::InvalidArgument("Zadejte, podle čeho hledat.".into()).into(),
                );
            }
        };
        let rows = self
            .read_model
            .search(&search, limit)
            .await
            .map_err(ServiceError::from)?;
        Ok(Response::new(pb::SearchOffersReply {
            offers: rows.into_iter().map(summary).collect(),
        }))
    }

    async fn resend_notification(
        &self,
        request: Request<pb::ResendNotificationRequest>,
    ) -> Result<Response<pb::ActionReply>, Status> {
        let user = self.user(&request).await?;
        let r = request.into_inner();
        let command = Command::RequestResend {
            user: user.clone(),
            reason: Reason::new(&r.reason).map_err(ServiceError::from)?,
            channels: channels(r.channels)?,
            requested_at: chrono::Utc::now(),
        };
        Ok(Response::new(
            self.act(
                &r.offer_id,
                &user,
                command,
                "Požadavek na opětovné odeslání byl zaznamenán.",
            )
            .await?,
        ))
    }

    async fn correct_contact(
        &self,
        request: Request<pb::CorrectContactRequest>,
    ) -> Result<Response<pb::ActionReply>, Status> {
        let user = self.user(&request).await?;
        let r = request.into_inner();
        let reason = Reason::new(&r.reason).map_err(ServiceError::from)?;
        let email = (!r.email.trim().is_empty())
            .then(|| Email::parse(&r.email))
            .transpose()
            .map_err(ServiceError::from)?;
        let mobile = (!r.mobile.trim().is_empty())
            .then(|| CzechMobile::parse(&r.mobile))
            .transpose()
            .map_err(ServiceError::from)?;
        let resend_channels = match (&email, &mobile) {
            (Some(_), Some(_)) => Channels::Both,
            (Some(_), None) => Channels::Email,
            _ => Channels::Sms,
        };
        let now = chrono::Utc::now();
        let command = Command::CorrectContact {
            user: user.clone(),
            reason: reason.clone(),
            email,
            mobile,
            corrected_at: now,
        };
        let mut reply = self
            .act(&r.offer_id, &user, command, "Kontakt klienta byl opraven.")
            .await?;
        if r.resend {
            let resend = Command::RequestResend {
                user: user.clone(),
                reason,
                channels: resend_channels,
                requested_at: now,
            };
            let second = self
                .act(
                    &r.offer_id,
                    &user,
                    resend,
                    "Kontakt klienta byl opraven a odeslání zopakováno.",
                )
                .await?;
            reply = second;
        }
        Ok(Response::new(reply))
    }

    async fn record_paper_withdrawal(
        &self,
        request: Request<pb::RecordPaperWithdrawalRequest>,
    ) -> Result<Response<pb::ActionReply>, Status> {
        let user = self.user(&request).await?;
        let r = request.into_inner();
        let received = mapping::timestamp("received_at", r.received_at.as_ref())?;
        let command = Command::RecordPaperWithdrawal {
            user: user.clone(),
            reason: Reason::new(&r.reason).map_err(ServiceError::from)?,
            received_on: received.date_naive(),
            recorded_at: chrono::Utc::now(),
        };
        Ok(Response::new(
            self.act(
                &r.offer_id,
                &user,
                command,
                "Písemné odvolání bylo zaznamenáno.",
            )
            .await?,
        ))
    }
}
