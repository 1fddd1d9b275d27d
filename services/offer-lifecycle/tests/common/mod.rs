//! Test fixtures: a standard offer with a client field and an agent field, commands to walk it
//! through its life, and a small harness that applies commands the way a service would (decide,
//! then evolve, keeping the events).

#![allow(dead_code)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use offer_lifecycle::*;

/// A fixed moment: 2025-06-02 09:00 UTC, plus `minutes`.
pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 9, 0, 0)
        .single()
        .unwrap_or_default()
        + Duration::minutes(minutes)
}

pub fn sha(n: u8) -> Sha256 {
    Sha256::from_bytes([n; 32])
}

pub fn ok<T, E: std::fmt::Debug>(result: Result<T, E>) -> T {
    match result {
        Ok(value) => value,
        Err(error) => panic!("test fixture is invalid: {error:?}"),
    }
}

pub fn email(text: &str) -> Email {
    ok(Email::parse(text))
}

pub fn mobile(text: &str) -> CzechMobile {
    ok(CzechMobile::parse(text))
}

pub fn user() -> HelpDeskUser {
    ok(HelpDeskUser::new("petra.svobodova"))
}

pub fn reason(text: &str) -> Reason {
    ok(Reason::new(text))
}

pub fn field_id(text: &str) -> FieldId {
    ok(FieldId::new(text))
}

pub fn message(text: &str) -> MessageId {
    ok(MessageId::new(text))
}

pub fn reply(text: &str) -> ServerReply {
    ok(ServerReply::new(text))
}

pub fn field(id: &str, role: SignerRole, n: u16) -> SignatureField {
    SignatureField {
        id: field_id(id),
        role,
        rect: ok(FieldRect::new(n, 72.0, 100.0, 200.0, 60.0)),
        label: Some(ok(FieldLabel::new(match role {
            SignerRole::Agent => "Podpis poradce",
            _ => "Podpis klienta",
        }))),
    }
}

/// The client signs first, then the agent.
pub fn standard_fields() -> Vec<SignatureField> {
    vec![
        field("podpis-klienta", SignerRole::Client, 1),
        field("podpis-poradce", SignerRole::Agent, 2),
    ]
}

pub fn contacts() -> Contacts {
    Contacts::complete(email("jan.novak@example.cz"), mobile("603 123 456"))
}

pub fn model_offer_with(contacts: Contacts, fields: Vec<SignatureField>) -> Command {
    Command::ModelOffer {
        offer_id: ok(OfferId::new("NAB-2025-0001")),
        agent_id: ok(AgentId::new("poradce-042")),
        offer_number: ok(OfferNumber::new("8801234567")),
        client_name: Some(ok(PersonName::new("Jan Novák"))),
        contacts,
        fields,
        document_sha256: sha(1),
        modelled_at: at(0),
    }
}

pub fn model_offer() -> Command {
    model_offer_with(contacts(), standard_fields())
}

pub fn pad(serial: &str) -> SignPad {
    SignPad {
        model: PadModel::Stu530,
        serial: ok(PadSerial::new(serial)),
        firmware: ok(FirmwareVersion::new("2.10")),
    }
}

pub fn start_signing() -> Command {
    Command::StartSigning {
        pad: pad("STU530-0001"),
        started_at: at(1),
    }
}

pub fn quality() -> SignatureQuality {
    ok(SignatureQuality::new(48.5, 1_900, 380, 0.14))
}

/// A signature of `field` by `role`; `n` makes its hashes distinct.
pub fn sign(field: &str, role: SignerRole, n: u8) -> Command {
    Command::SignField {
        field_id: field_id(field),
        role,
        signature_image_sha256: sha(100 + n),
        envelope_sha256: sha(200 + n),
        quality: quality(),
        signed_at: at(2 + i64::from(n)),
    }
}

pub fn seal() -> Command {
    Command::SealOffer {
        sealed_pdf_sha256: sha(2),
        sealed_at: at(10),
    }
}

pub fn receive() -> Command {
    Command::ReceiveOffer {
        pdf_sha256: sha(2),
        received_at: at(60),
    }
}

pub fn accept() -> Command {
    Command::AcceptOffer {
        accepted_at: at(61),
    }
}

pub fn documents() -> Vec<PublishedDocument> {
    vec![
        PublishedDocument {
            name: ok(DocumentName::new("nabidka")),
            kind: DocumentKind::SignedOffer,
            file_name: ok(FileName::new("Nabídka NAB-2025-0001 – podepsaná.pdf")),
            size: 1_048_576,
            sha256: sha(4),
        },
        PublishedDocument {
            name: ok(DocumentName::new("podminky")),
            kind: DocumentKind::InsuranceTerms,
            file_name: ok(FileName::new("Pojistné podmínky FLEXI.pdf")),
            size: 200_000,
            sha256: sha(5),
        },
    ]
}

pub fn publish() -> Command {
    Command::PublishDocuments {
        folder: ok(StorageFolder::new("2025/06/NAB-2025-0001")),
        link_token_sha256: sha(3),
        documents: documents(),
        expires_at: at(60 * 24 * 30),
        published_at: at(62),
    }
}

pub fn code_hash(n: u8) -> AccessCodeHash {
    ok(AccessCodeHash::new(format!(
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA{n}"
    )))
}

/// Access code `n`, issued at `minutes`, valid for 30 days.
pub fn issue_code(n: u8, minutes: i64) -> Command {
    Command::IssueAccessCode {
        code_hash: code_hash(n),
        expires_at: at(minutes + 60 * 24 * 30),
        issued_at: at(minutes),
    }
}

pub fn visitor() -> ClientInfo {
    ClientInfo {
        ip: std::net::IpAddr::from([192, 0, 2, 7]),
        user_agent: Some(ok(UserAgent::new("Mozilla/5.0 (iPhone)"))),
    }
}

pub fn wrong_code(minutes: i64) -> Command {
    Command::RecordWrongAccessCode {
        client: visitor(),
        at: at(minutes),
    }
}

pub fn opened(minutes: i64) -> Command {
    Command::RecordStorageOpened {
        client: Some(visitor()),
        opened_at: at(minutes),
    }
}

pub fn downloaded(document: &str, minutes: i64) -> Command {
    Command::RecordDocumentDownloaded {
        document: ok(DocumentName::new(document)),
        client: Some(visitor()),
        bytes_sent: Some(1_048_576),
        bytes_expected: Some(1_048_576),
        downloaded_at: at(minutes),
    }
}

pub fn schedule() -> Command {
    Command::ScheduleNotification {
        channels: Channels::Both,
        due_at: at(60 * 22),
        scheduled_at: at(63),
    }
}

pub fn email_sent(id: &str, to: &str) -> Command {
    Command::RecordEmailSent {
        message_id: message(id),
        to: email(to),
        smtp_reply: Some(reply("250 2.0.0 Ok: queued")),
        sent_at: at(60 * 22),
    }
}

pub fn email_delivered(id: &str, minutes: i64) -> Command {
    Command::RecordEmailDelivered {
        message_id: message(id),
        report: None,
        delivered_at: at(minutes),
    }
}

pub fn email_bounced(id: &str, minutes: i64) -> Command {
    Command::RecordEmailBounced {
        message_id: message(id),
        reason: reply("550 5.1.1 User unknown"),
        bounced_at: at(minutes),
    }
}

pub fn make_effective(minutes: i64) -> Command {
    Command::MakeEffective {
        effective_at: at(minutes),
    }
}

pub fn correct_email(to: &str) -> Command {
    Command::CorrectContact {
        user: user(),
        reason: reason("Klient volal, e-mail byl v nabídce zapsán s překlepem."),
        email: Some(email(to)),
        mobile: None,
        corrected_at: at(60 * 30),
    }
}

pub fn paper_withdrawal() -> Command {
    Command::RecordPaperWithdrawal {
        user: user(),
        reason: reason("Došlo písemné odvolání nabídky podepsané klientem."),
        received_on: NaiveDate::from_ymd_opt(2025, 6, 4).unwrap_or_default(),
        recorded_at: at(60 * 50),
    }
}

/// Applies commands as a service would: decide against the current state, evolve with the events,
/// keep the events.
#[derive(Default)]
pub struct Stream {
    pub state: OfferState,
    pub events: Vec<Event>,
}

impl Stream {
    pub fn new() -> Self {
        Self::default()
    }

    /// Decides and applies; returns the new events or the refusal.
    pub fn apply(&mut self, command: Command) -> Result<Vec<Event>, LifecycleError> {
        let events = decide(&command, &self.state)?;
        for event in &events {
            self.state = evolve(std::mem::take(&mut self.state), event);
        }
        self.events.extend(events.iter().cloned());
        Ok(events)
    }

    /// Applies a command that the test expects to be accepted.
    pub fn given(&mut self, command: Command) -> &mut Self {
        if let Err(error) = self.apply(command) {
            panic!("expected the command to be accepted, got: {error}");
        }
        self
    }

    pub fn status(&self) -> Option<OfferStatus> {
        self.state.status()
    }

    pub fn offer(&self) -> &offer_lifecycle::Offer {
        match self.state.offer() {
            Some(offer) => offer,
            None => panic!("no offer modelled"),
        }
    }

    /// Modelled, signed by both, sealed.
    pub fn sealed() -> Self {
        let mut offer = Self::new();
        offer
            .given(model_offer())
            .given(start_signing())
            .given(sign("podpis-klienta", SignerRole::Client, 1))
            .given(sign("podpis-poradce", SignerRole::Agent, 2))
            .given(seal());
        offer
    }

    /// Sealed, received, accepted, published, scheduled, with access code 1 issued.
    pub fn published() -> Self {
        let mut offer = Self::sealed();
        offer
            .given(receive())
            .given(accept())
            .given(publish())
            .given(schedule())
            .given(issue_code(1, 63));
        offer
    }
}
