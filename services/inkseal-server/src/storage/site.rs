//! The storage site: the pages the client opens with the link from the e-mail
//! and the code from the SMS, and the downloads.
//!
//! | request | what happens |
//! | --- | --- |
//! | `GET /u/{token}` | the code form; with a valid session, the documents |
//! | `POST /u/{token}` (`kod=…`) | checks the code: right → session cookie and `StorageOpened`; wrong → `StorageAccessRefused` (and `StorageLocked` at the fifth) |
//! | `GET`/`HEAD /u/{token}/dokumenty/{name}` | streams a published document (ranges too) and records `DocumentDownloaded` (whole or cut off) |
//! | `POST /u/{token}/odhlasit` | ends the session |
//!
//! An unknown token gets the same page, status and headers as an expired one.
//! A malformed code (wrong length or symbols) changes nothing; a malformed
//! request gets a Czech page and changes nothing. Every response carries a
//! strict content security policy, `Referrer-Policy: no-referrer` (the token
//! is in the URL), no framing and `Cache-Control: no-store`. Requests per IP
//! address (IPv6: per /64) and code tries per address are rate-limited.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use event_store::{EventStore, ExpectedVersion};
use futures::Stream;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use offer_lifecycle::limits::MAX_ACCESS_RECORDS;
use offer_lifecycle::{
    AccessCodeHash, ClientInfo, Command, DocumentName, Offer, PublishedDocument, Sha256, UserAgent,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use uuid::Uuid;

use crate::documents::Documents;
use crate::error::ServiceError;
use crate::mapping::prague;
use crate::mapping::stream_name;
use crate::metrics::Metrics;
use crate::offers::{Metadata, append_retrying, new_event};
use crate::read_model::ReadModel;

use super::access_code::{AccessCode, CodeChecker};
use super::http::Peer;
use super::link::{LinkKey, LinkToken, Session};
use super::pages::{
    CodePage, Contact, DocumentRow, DocumentsPage, NoticePage, size_cs, tries_left_cs,
};
use super::states::OfferStates;

/// The session cookie's name.
pub const COOKIE: &str = "inkseal_storage";
/// Largest request body read (the code form is a few bytes).
pub const MAX_FORM_BYTES: usize = 1024;
/// Longest wait for a request body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Most client addresses the rate limiters track at once; past it, new addresses wait.
pub const MAX_TRACKED_CLIENTS: usize = 100_000;
/// Attempts to record one visit when other visits to the same entry race with it.
pub const MAX_RECORD_ATTEMPTS: u32 = 64;
/// The actor name of events the client causes.
pub const CLIENT_ACTOR: &str = "client";

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// RFC 5987 `attr-char`: everything else is percent-encoded in `filename*`.
const ATTR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// What the site needs.
pub struct SiteConfig {
    /// The event store.
    pub store: Arc<dyn EventStore>,
    /// The read model (token → offer).
    pub read_model: ReadModel,
    /// The documents.
    pub documents: Documents,
    /// Link tokens and session cookies.
    pub link_key: LinkKey,
    /// Code checks.
    pub checker: CodeChecker,
    /// Metrics.
    pub metrics: Metrics,
    /// Minutes of inactivity that end a session.
    pub session_idle: Duration,
    /// The longest session.
    pub session_max: Duration,
    /// Whether cookies are `Secure` (the site is reached over TLS).
    pub secure_cookies: bool,
    /// Code tries per IP and minute.
    pub code_tries_per_minute: NonZeroU32,
    /// Requests per IP and minute.
    pub requests_per_minute: NonZeroU32,
    /// Take the client's address from `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// The contacts on every page.
    pub contact: Contact,
}

/// Rate limits are kept per IPv4 address or per IPv6 /64 (one home or phone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ClientKey {
    V4(u32),
    V6(u64),
}

impl From<IpAddr> for ClientKey {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(a) => ClientKey::V4(u32::from(a)),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(v4) => ClientKey::V4(u32::from(v4)),
                None => ClientKey::V6((u128::from(a) >> 64) as u64),
            },
        }
    }
}

struct Inner {
    states: OfferStates,
    config: SiteConfig,
    requests: DefaultKeyedRateLimiter<ClientKey>,
    code_tries: DefaultKeyedRateLimiter<ClientKey>,
}

/// The storage site (cheap to clone).
#[derive(Clone)]
pub struct Site(Arc<Inner>);

/// One visitor.
struct Visit {
    client: ClientInfo,
    key: ClientKey,
}

/// A published entry found by its token.
struct Entry {
    offer_id: String,
    token: LinkToken,
    entry_sha: Sha256,
    state: offer_lifecycle::OfferState,
}

impl Entry {
    fn offer(&self) -> &Offer {
        self.state
            .offer()
            .unwrap_or_else(|| unreachable!("an entry is found only for a published offer"))
    }

    fn documents(&self) -> &[PublishedDocument] {
        self.offer()
            .publication
            .as_ref()
            .map_or(&[], |p| p.documents.as_slice())
    }

    fn base(&self) -> String {
        format!("/u/{}", self.token.as_str())
    }
}

fn limiter(per_minute: NonZeroU32) -> DefaultKeyedRateLimiter<ClientKey> {
    // half a minute's worth at once: five code tries in a row pass at the default of ten
    let burst = NonZeroU32::new((per_minute.get() / 2).max(1)).unwrap_or(NonZeroU32::MIN);
    RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst))
}

impl Site {
    /// The site over `config`.
    pub fn new(config: SiteConfig) -> Self {
        let requests = limiter(config.requests_per_minute);
        let code_tries = limiter(config.code_tries_per_minute);
        Site(Arc::new(Inner {
            states: OfferStates::new(config.store.clone(), config.read_model.clone()),
            config,
            requests,
            code_tries,
        }))
    }

    /// The routes.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(home))
            .route("/assets/storage.css", get(stylesheet))
            .route("/u/{token}", get(entry_page).post(enter_code))
            .route("/u/{token}/dokumenty/{name}", get(download))
            .route("/u/{token}/odhlasit", axum::routing::post(logout))
            .fallback(not_found)
            .layer(axum::middleware::map_response(security_headers))
            .with_state(self.clone())
    }

    /// Forgets rate-limit state of addresses not seen lately (call now and then).
    pub fn sweep(&self) {
        for l in [&self.0.requests, &self.0.code_tries] {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }

    fn config(&self) -> &SiteConfig {
        &self.0.config
    }

    fn visit(&self, headers: &HeaderMap, peer: Option<Peer>) -> Visit {
        let mut ip = peer.map_or(IpAddr::from([0, 0, 0, 0]), |p| p.0.ip());
        if self.config().trust_forwarded_for
            && let Some(forwarded) = headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse::<IpAddr>().ok())
        {
            ip = forwarded;
        }
        let user_agent = headers
            .get(header::USER_AGENT)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).to_string())
            .map(|ua| {
                ua.chars()
                    .filter(|c| !c.is_control())
                    .take(offer_lifecycle::limits::MAX_USER_AGENT_CHARS)
                    .collect::<String>()
            })
            .and_then(|ua| UserAgent::new(ua).ok());
        Visit {
            client: ClientInfo { ip, user_agent },
            key: ClientKey::from(ip),
        }
    }

    fn allowed(&self, limiter: &DefaultKeyedRateLimiter<ClientKey>, key: ClientKey) -> bool {
        if limiter.len() >= MAX_TRACKED_CLIENTS {
            self.sweep();
            if limiter.len() >= MAX_TRACKED_CLIENTS {
                return false;
            }
        }
        limiter.check_key(&key).is_ok()
    }

    async fn lookup(&self, token: &str) -> Result<Option<Entry>, ServiceError> {
        let Some(token) = LinkToken::parse(token) else {
            return Ok(None);
        };
        let entry_sha = token.sha256();
        let Some(offer_id) = self.0.states.offer_of(&entry_sha).await? else {
            return Ok(None);
        };
        let state = self.0.states.current(&offer_id).await?;
        let current = state
            .offer()
            .and_then(|o| o.publication.as_ref())
            .is_some_and(|p| p.link_token_sha256 == entry_sha);
        Ok(current.then_some(Entry {
            offer_id,
            token,
            entry_sha,
            state,
        }))
    }

    fn session(&self, entry: &Entry, headers: &HeaderMap, now: DateTime<Utc>) -> Option<Session> {
        let value = cookie(headers, COOKIE)?;
        let session = self
            .config()
            .link_key
            .open_session(&entry.entry_sha, value)?;
        let now = now.timestamp();
        let idle = self.config().session_idle.as_secs() as i64;
        let max = self.config().session_max.as_secs() as i64;
        let fresh = session.code_number == entry.offer().access.codes_issued
            && now - session.last_seen <= idle
            && now >= session.last_seen - 60
            && now - session.issued <= max;
        fresh.then_some(session)
    }

    fn set_cookie(&self, entry: &Entry, session: Session) -> HeaderValue {
        let value = self
            .config()
            .link_key
            .seal_session(&entry.entry_sha, session);
        let secure = if self.config().secure_cookies {
            "; Secure"
        } else {
            ""
        };
        let text = format!(
            "{COOKIE}={value}; Path={}; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
            entry.base(),
            self.config().session_idle.as_secs()
        );
        HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    fn clear_cookie(&self, entry: &Entry) -> HeaderValue {
        let text = format!(
            "{COOKIE}=; Path={}; Max-Age=0; HttpOnly; SameSite=Strict",
            entry.base()
        );
        HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    // --- pages -------------------------------------------------------------

    fn notice(
        &self,
        status: StatusCode,
        title: &str,
        paragraphs: &[&str],
        back: Option<String>,
    ) -> Response {
        let page = NoticePage {
            frame: self.config().contact.frame(title),
            paragraphs: paragraphs.iter().map(|p| (*p).to_owned()).collect(),
            back,
        };
        html(status, page.render())
    }

    /// The page for an unknown token and for an expired entry: the same for both.
    fn gone(&self) -> Response {
        self.config().metrics.storage("expired_or_unknown");
        let phone = self.config().contact.phone_text();
        self.notice(
            StatusCode::GONE,
            "Odkaz už neplatí",
            &[
                "Platnost odkazu do úložiště vypršela, nebo odkaz není úplný. Zkontrolujte, že jste otevřeli celý odkaz z e-mailu.",
                &format!(
                    "Pokud odkaz neplatí, zavolejte na klientskou linku {phone}. Help Desk vám pošle nový přístupový kód a prodlouží dostupnost vašich dokumentů."
                ),
            ],
            None,
        )
    }

    fn locked(&self) -> Response {
        self.config().metrics.storage("locked");
        let phone = self.config().contact.phone_text();
        self.notice(
            StatusCode::LOCKED,
            "Úložiště je zablokované",
            &[
                "Přístupový kód byl pětkrát zadán chybně, proto jsme vaše úložiště z bezpečnostních důvodů zablokovali.",
                &format!(
                    "Zavolejte prosím na klientskou linku {phone}. Help Desk vám pošle SMS s novým přístupovým kódem, který úložiště hned odblokuje."
                ),
            ],
            None,
        )
    }

    fn rate_limited(&self) -> Response {
        self.config().metrics.storage("rate_limited");
        let mut r = self.notice(
            StatusCode::TOO_MANY_REQUESTS,
            "Příliš mnoho pokusů",
            &["Z vašeho připojení přišlo v krátké době příliš mnoho požadavků. Počkejte prosím chvíli a zkuste to znovu."],
            None,
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        r
    }

    fn failure(&self, error: &ServiceError) -> Response {
        let id = Uuid::new_v4();
        tracing::error!(error = %error, correlation_id = %id, "storage site request failed");
        self.config().metrics.storage("error");
        let reference = format!("Kód chyby pro Help Desk: {id}");
        self.notice(
            StatusCode::SERVICE_UNAVAILABLE,
            "Omlouváme se, něco se pokazilo",
            &[
                "Úložiště teď nemůže vaši žádost vyřídit. Zkuste to prosím za několik minut znovu.",
                &reference,
            ],
            None,
        )
    }

    fn code_page(&self, entry: &Entry, status: StatusCode, error: Option<String>) -> Response {
        let page = CodePage {
            frame: self.config().contact.frame("Zadejte přístupový kód"),
            action: entry.base(),
            error,
            expires: entry
                .offer()
                .access
                .expires_at
                .map(prague)
                .unwrap_or_default(),
        };
        html(status, page.render())
    }

    fn documents_page(&self, entry: &Entry) -> Response {
        let offer = entry.offer();
        let base = entry.base();
        let accepted = match &offer.decision {
            Some(offer_lifecycle::state::Decision::Accepted { accepted_at }) => {
                prague(*accepted_at)
            }
            _ => String::new(),
        };
        let page = DocumentsPage {
            frame: self.config().contact.frame("Vaše dokumenty"),
            offer_number: offer.offer_number.to_string(),
            signed: offer
                .seal
                .as_ref()
                .map(|s| prague(s.sealed_at))
                .unwrap_or_default(),
            accepted,
            expires: offer.access.expires_at.map(prague).unwrap_or_default(),
            documents: entry
                .documents()
                .iter()
                .map(|d| {
                    let (title, description) = DocumentRow::texts(d.kind);
                    DocumentRow {
                        title: title.into(),
                        description: description.into(),
                        file_name: d.file_name.to_string(),
                        size: size_cs(d.size),
                        sha256: d.sha256.to_hex(),
                        href: format!("{base}/dokumenty/{}", d.name),
                    }
                })
                .collect(),
            logout: format!("{base}/odhlasit"),
        };
        html(StatusCode::OK, page.render())
    }

    // --- recording ---------------------------------------------------------

    /// Appends a client event decided on the current state; `None` from `command` records nothing.
    async fn record(
        &self,
        offer_id: &str,
        command: impl Fn(&Offer) -> Option<Command>,
    ) -> Result<crate::offers::Applied, ServiceError> {
        append_retrying(
            &self.config().store,
            offer_id,
            &Metadata::actor(CLIENT_ACTOR),
            |s| Ok(s.state.offer().and_then(&command)),
            |_, _| Uuid::new_v4(),
            MAX_RECORD_ATTEMPTS,
        )
        .await
    }

    async fn record_refused_visit(&self, entry: &Entry, visit: &Visit, now: DateTime<Utc>) {
        let client = visit.client.clone();
        let result = self
            .record(&entry.offer_id, |o| {
                (o.access_records < MAX_ACCESS_RECORDS
                    && (o.access.is_locked() || o.access.is_expired(now)))
                .then(|| Command::RecordRefusedVisit {
                    client: client.clone(),
                    at: now,
                })
            })
            .await;
        self.note_recorded(result);
    }

    fn unrecorded(&self) {
        self.config().metrics.storage_unrecorded.inc();
    }

    fn note_recorded(&self, result: Result<crate::offers::Applied, ServiceError>) {
        match result {
            Ok(applied) if !applied.appended => self.unrecorded(),
            Ok(_) => {}
            Err(e) => {
                self.unrecorded();
                tracing::warn!(error = %e, "a storage visit could not be recorded");
            }
        }
    }
}

fn html(status: StatusCode, rendered: Result<String, askama::Error>) -> Response {
    match rendered {
        Ok(body) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a storage page cannot be rendered");
            (StatusCode::INTERNAL_SERVER_ERROR, "Chyba stránky").into_response()
        }
    }
}

fn redirect(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, to.to_owned())],
        Body::empty(),
    )
        .into_response()
}

/// The value of cookie `name` from the `Cookie` headers.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    response
}

fn peer_of(request: &Request) -> Option<Peer> {
    request.extensions().get::<Peer>().copied()
}

// --- handlers ---------------------------------------------------------------

async fn home(State(site): State<Site>) -> Response {
    site.notice(
        StatusCode::OK,
        "Úložiště dokumentů",
        &[
            "Do svého úložiště vstoupíte odkazem z e-mailu, který jsme vám poslali po přijetí nabídky, a přístupovým kódem z SMS.",
        ],
        None,
    )
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../assets/storage.css"),
    )
        .into_response()
}

async fn not_found(State(site): State<Site>) -> Response {
    site.config().metrics.storage("not_found");
    site.notice(
        StatusCode::NOT_FOUND,
        "Stránka nenalezena",
        &["Tato stránka neexistuje. Do úložiště vstoupíte odkazem z e-mailu."],
        None,
    )
}

async fn entry_page(
    State(site): State<Site>,
    Path(token): Path<String>,
    request: Request,
) -> Response {
    let (entry, _visit, now) = match site
        .open_entry(&token, request.headers(), peer_of(&request))
        .await
    {
        Ok(opened) => opened,
        Err(refused) => return refused,
    };
    if entry.offer().access.code_hash.is_none() {
        return site.no_code_yet();
    }
    match site.session(&entry, request.headers(), now) {
        Some(session) => {
            site.config().metrics.storage("documents");
            let mut response = site.documents_page(&entry);
            let refreshed = Session {
                last_seen: now.timestamp(),
                ..session
            };
            response
                .headers_mut()
                .insert(header::SET_COOKIE, site.set_cookie(&entry, refreshed));
            response
        }
        None => {
            site.config().metrics.storage("page");
            site.code_page(&entry, StatusCode::OK, None)
        }
    }
}

impl Site {
    /// What every GET of an entry does first: the rate limit, the token, expiry (recorded) and
    /// the lock; `Err` is the page that answers instead.
    async fn open_entry(
        &self,
        token: &str,
        headers: &HeaderMap,
        peer: Option<Peer>,
    ) -> Result<(Entry, Visit, DateTime<Utc>), Response> {
        let visit = self.visit(headers, peer);
        if !self.allowed(&self.0.requests, visit.key) {
            return Err(self.rate_limited());
        }
        let entry = match self.lookup(token).await {
            Ok(Some(e)) => e,
            Ok(None) => return Err(self.gone()),
            Err(e) => return Err(self.failure(&e)),
        };
        let now = Utc::now();
        let access = &entry.offer().access;
        if access.is_expired(now) {
            self.record_refused_visit(&entry, &visit, now).await;
            return Err(self.gone());
        }
        if access.is_locked() {
            return Err(self.locked());
        }
        Ok((entry, visit, now))
    }

    fn no_code_yet(&self) -> Response {
        self.config().metrics.storage("no_code_yet");
        self.notice(
            StatusCode::OK,
            "Přístupový kód je na cestě",
            &[
                "Vaše dokumenty jsou připravené. Přístupový kód vám pošleme SMS zprávou na mobilní telefon uvedený v nabídce, spolu s e-mailem ráno následujícího dne po přijetí nabídky.",
                "Po obdržení SMS otevřete znovu odkaz z e-mailu a kód zadejte.",
            ],
            None,
        )
    }
}

#[derive(serde::Deserialize)]
struct CodeForm {
    kod: String,
}

async fn enter_code(
    State(site): State<Site>,
    Path(token): Path<String>,
    request: Request,
) -> Response {
    let visit = site.visit(request.headers(), peer_of(&request));
    if !site.allowed(&site.0.requests, visit.key) {
        return site.rate_limited();
    }
    let body = request.into_body();
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_FORM_BYTES))
        .await
    {
        Ok(Ok(b)) => b,
        Ok(Err(_)) | Err(_) => return site.bad_form(StatusCode::PAYLOAD_TOO_LARGE),
    };
    let Ok(form) = serde_urlencoded::from_bytes::<CodeForm>(&bytes) else {
        return site.bad_form(StatusCode::BAD_REQUEST);
    };
    let entry = match site.lookup(&token).await {
        Ok(Some(e)) => e,
        Ok(None) => return site.gone(),
        Err(e) => return site.failure(&e),
    };
    let now = Utc::now();
    let access = entry.offer().access.clone();
    if access.is_expired(now) {
        site.record_refused_visit(&entry, &visit, now).await;
        return site.gone();
    }
    if access.is_locked() {
        site.record_refused_visit(&entry, &visit, now).await;
        return site.locked();
    }
    let Some(code_hash) = access.code_hash.clone() else {
        return site.no_code_yet();
    };
    let code = match AccessCode::parse(&form.kod) {
        Ok(c) => c,
        Err(e) => {
            site.config().metrics.storage("malformed_code");
            return site.code_page(
                &entry,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e.to_string()),
            );
        }
    };
    if !site.allowed(&site.0.code_tries, visit.key) {
        return site.rate_limited();
    }
    let right = match site.config().checker.matches(code, code_hash.clone()).await {
        Ok(r) => r,
        Err(e) => return site.failure(&ServiceError::Internal(e.to_string())),
    };
    if right {
        site.opened(&entry, &visit, &code_hash, now).await
    } else {
        site.wrong(&entry, &visit, &code_hash, now).await
    }
}

impl Site {
    fn bad_form(&self, status: StatusCode) -> Response {
        self.config().metrics.storage("bad_request");
        self.notice(
            status,
            "Formulář se nepodařilo přečíst",
            &["Odeslaný formulář se nepodařilo přečíst. Otevřete prosím znovu odkaz z e-mailu a zadejte kód z SMS."],
            None,
        )
    }

    async fn opened(
        &self,
        entry: &Entry,
        visit: &Visit,
        code_hash: &AccessCodeHash,
        now: DateTime<Utc>,
    ) -> Response {
        let client = visit.client.clone();
        let result = self
            .record(&entry.offer_id, |o| {
                let usable = o.access.code_hash.as_ref() == Some(code_hash)
                    && !o.access.is_locked()
                    && !o.access.is_expired(now)
                    && o.access_records < MAX_ACCESS_RECORDS;
                usable.then(|| Command::RecordStorageOpened {
                    client: Some(client.clone()),
                    opened_at: now,
                })
            })
            .await;
        let applied = match result {
            Ok(a) => a,
            Err(e) => return self.failure(&e),
        };
        let offer = applied.state.offer();
        if !applied.appended {
            // something changed between the check and the record
            match offer.map(|o| &o.access) {
                Some(a) if a.is_locked() => return self.locked(),
                Some(a) if a.is_expired(now) => return self.gone(),
                Some(a) if a.code_hash.as_ref() != Some(code_hash) => {
                    return self.code_page(
                        entry,
                        StatusCode::FORBIDDEN,
                        Some(
                            "Tento kód už neplatí: byl vydán nový. Zadejte kód z poslední SMS."
                                .into(),
                        ),
                    );
                }
                _ => self.unrecorded(),
            }
        }
        self.config().metrics.storage("opened");
        let session = Session {
            code_number: offer.map_or(0, |o| o.access.codes_issued),
            issued: now.timestamp(),
            last_seen: now.timestamp(),
        };
        let mut response = redirect(&entry.base());
        response
            .headers_mut()
            .insert(header::SET_COOKIE, self.set_cookie(entry, session));
        response
    }

    async fn wrong(
        &self,
        entry: &Entry,
        visit: &Visit,
        code_hash: &AccessCodeHash,
        now: DateTime<Utc>,
    ) -> Response {
        self.config().metrics.storage("wrong_code");
        let client = visit.client.clone();
        let result = self
            .record(&entry.offer_id, |o| {
                (o.access.code_hash.as_ref() == Some(code_hash)
                    && o.access_records < MAX_ACCESS_RECORDS)
                    .then(|| Command::RecordWrongAccessCode {
                        client: client.clone(),
                        at: now,
                    })
            })
            .await;
        let applied = match result {
            Ok(a) => a,
            Err(e) => return self.failure(&e),
        };
        let Some(access) = applied.state.offer().map(|o| o.access.clone()) else {
            return self.gone();
        };
        if !applied.appended && access.code_hash.as_ref() == Some(code_hash) {
            self.unrecorded();
        }
        if access.is_locked() {
            return self.locked();
        }
        let message = format!(
            "Kód není správný. {}, potom se úložiště z bezpečnostních důvodů zablokuje.",
            tries_left_cs(access.tries_left())
        );
        self.code_page(entry, StatusCode::FORBIDDEN, Some(message))
    }
}

async fn logout(State(site): State<Site>, Path(token): Path<String>, request: Request) -> Response {
    let visit = site.visit(request.headers(), peer_of(&request));
    if !site.allowed(&site.0.requests, visit.key) {
        return site.rate_limited();
    }
    match site.lookup(&token).await {
        Ok(Some(entry)) => {
            let mut response = redirect(&entry.base());
            response
                .headers_mut()
                .insert(header::SET_COOKIE, site.clear_cookie(&entry));
            response
        }
        Ok(None) => site.gone(),
        Err(e) => site.failure(&e),
    }
}

async fn download(
    State(site): State<Site>,
    Path((token, name)): Path<(String, String)>,
    request: Request,
) -> Response {
    let (entry, visit, now) = match site
        .open_entry(&token, request.headers(), peer_of(&request))
        .await
    {
        Ok(opened) => opened,
        Err(refused) => return refused,
    };
    let Some(session) = site.session(&entry, request.headers(), now) else {
        site.config().metrics.storage("no_session");
        return redirect(&entry.base());
    };
    let Some(document) = entry
        .documents()
        .iter()
        .find(|d| d.name.as_str() == name)
        .cloned()
    else {
        site.config().metrics.storage("unknown_document");
        return site.notice(
            StatusCode::NOT_FOUND,
            "Dokument nenalezen",
            &["Tento dokument ve vašem úložišti není. Vraťte se na seznam dokumentů."],
            Some(entry.base()),
        );
    };
    let size = document.size;
    let range = match request
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_range(v, size))
    {
        None => None,
        Some(Ok(r)) => Some(r),
        Some(Err(())) => {
            return (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{size}"))],
                Body::empty(),
            )
                .into_response();
        }
    };
    let span = range.clone().unwrap_or(0..size);
    let mut builder = Response::builder()
        .status(if range.is_some() {
            StatusCode::PARTIAL_CONTENT
        } else {
            StatusCode::OK
        })
        .header(header::CONTENT_TYPE, "application/pdf")
        .header(header::CONTENT_LENGTH, span.end - span.start)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::ETAG, format!("\"{}\"", document.sha256.to_hex()))
        .header(
            header::CONTENT_DISPOSITION,
            content_disposition(document.file_name.as_str()),
        )
        .header(
            header::SET_COOKIE,
            site.set_cookie(
                &entry,
                Session {
                    last_seen: now.timestamp(),
                    ..session
                },
            ),
        );
    if range.is_some() {
        builder = builder.header(
            header::CONTENT_RANGE,
            format!("bytes {}-{}/{size}", span.start, span.end.saturating_sub(1)),
        );
    }
    if request.method() == Method::HEAD {
        site.config().metrics.storage("head");
        return builder
            .body(Body::empty())
            .unwrap_or_else(|e| site.failure(&ServiceError::Internal(e.to_string())));
    }
    let stream = match site
        .config()
        .documents
        .stream_pdf(&document.sha256, range.clone())
        .await
    {
        Ok(Some(s)) if s.size == size => s,
        Ok(Some(s)) => {
            return site.failure(&ServiceError::Internal(format!(
                "document {} is {} bytes, published as {size}",
                document.sha256.to_hex(),
                s.size
            )));
        }
        Ok(None) => {
            return site.failure(&ServiceError::Internal(format!(
                "published document {} is missing from the document storage",
                document.sha256.to_hex()
            )));
        }
        Err(e) => return site.failure(&e.into()),
    };
    site.config().metrics.storage("download");
    let recorder = site.clone();
    let offer_id = entry.offer_id.clone();
    let state = entry.state.clone();
    let client = visit.client.clone();
    let name = document.name.clone();
    let expected = span.end - span.start;
    let counted = Counted {
        inner: stream.body,
        sent: 0,
        done: Some(Box::new(move |sent| {
            recorder.config().metrics.storage_bytes.inc_by(sent);
            tokio::spawn(async move {
                recorder
                    .record_download(&offer_id, &state, name, client, sent, expected)
                    .await;
            });
        })),
    };
    builder
        .body(Body::from_stream(counted))
        .unwrap_or_else(|e| site.failure(&ServiceError::Internal(e.to_string())))
}

impl Site {
    /// Records a download. A download is an occurrence, not a fact others race on: it is decided
    /// on the state the request was served from and appended without a version check (no second
    /// read of the stream), so a busy document costs one append per download.
    async fn record_download(
        &self,
        offer_id: &str,
        state: &offer_lifecycle::OfferState,
        document: DocumentName,
        client: ClientInfo,
        sent: u64,
        expected: u64,
    ) {
        let command = Command::RecordDocumentDownloaded {
            document,
            client: Some(client),
            bytes_sent: Some(sent),
            bytes_expected: Some(expected),
            downloaded_at: Utc::now(),
        };
        let events = match offer_lifecycle::decide(&command, state) {
            Ok(events) => events,
            Err(e) => {
                tracing::warn!(offer_id, error = %e, "a download cannot be recorded");
                self.unrecorded();
                return;
            }
        };
        let metadata = Metadata::actor(CLIENT_ACTOR);
        let new = events
            .iter()
            .map(|e| new_event(Uuid::new_v4(), e, &metadata))
            .collect::<Result<Vec<_>, _>>();
        let result = match new {
            Ok(new) => self
                .config()
                .store
                .append(&stream_name(offer_id), ExpectedVersion::Any, new)
                .await
                .map_err(ServiceError::from),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            tracing::warn!(offer_id, error = %e, "a download could not be recorded");
            self.unrecorded();
        }
    }
}

/// A response body that counts the bytes it hands out and reports the count once: at its end,
/// or when it is dropped early (the client went away).
struct Counted {
    inner: futures::stream::BoxStream<'static, Result<Bytes, object_store::Error>>,
    sent: u64,
    done: Option<Box<dyn FnOnce(u64) + Send>>,
}

impl Counted {
    fn finish(&mut self) {
        if let Some(done) = self.done.take() {
            done(self.sent);
        }
    }
}

impl Stream for Counted {
    type Item = Result<Bytes, object_store::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = self.inner.as_mut().poll_next(cx);
        match &polled {
            Poll::Ready(Some(Ok(chunk))) => self.sent += chunk.len() as u64,
            Poll::Ready(Some(Err(e))) => {
                tracing::warn!(error = %e, "reading a document for a download failed");
                self.finish();
            }
            Poll::Ready(None) => self.finish(),
            Poll::Pending => {}
        }
        polled
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `Content-Disposition` with the Czech name (RFC 6266 `filename*`) and an ASCII fallback.
pub fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| match c {
            'á' => 'a',
            'č' => 'c',
            'ď' => 'd',
            'é' | 'ě' => 'e',
            'í' => 'i',
            'ň' => 'n',
            'ó' => 'o',
            'ř' => 'r',
            'š' => 's',
            'ť' => 't',
            'ú' | 'ů' => 'u',
            'ý' => 'y',
            'ž' => 'z',
            'Á' => 'A',
            'Č' => 'C',
            'Ď' => 'D',
            'É' | 'Ě' => 'E',
            'Í' => 'I',
            'Ň' => 'N',
            'Ó' => 'O',
            'Ř' => 'R',
            'Š' => 'S',
            'Ť' => 'T',
            'Ú' | 'Ů' => 'U',
            'Ý' => 'Y',
            'Ž' => 'Z',
            '–' | '—' => '-',
            c if c.is_ascii_graphic() && c != '"' && c != '\\' => c,
            ' ' => ' ',
            _ => '_',
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(file_name, ATTR)
    )
}

/// Reads a `Range` header for a document of `size` bytes: `None` to send the whole document
/// (no single byte range, or a syntax we ignore as RFC 9110 allows), `Err` when unsatisfiable.
pub fn parse_range(header: &str, size: u64) -> Option<Result<Range<u64>, ()>> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (start, end) = spec.trim().split_once('-')?;
    let (start, end) = (start.trim(), end.trim());
    if start.is_empty() {
        let suffix: u64 = end.parse().ok()?;
        if suffix == 0 || size == 0 {
            return Some(Err(()));
        }
        return Some(Ok(size.saturating_sub(suffix)..size));
    }
    let start: u64 = start.parse().ok()?;
    let end: Option<u64> = if end.is_empty() {
        None
    } else {
        Some(end.parse().ok()?)
    };
    if end.is_some_and(|e| e < start) {
        return None;
    }
    if start >= size {
        return Some(Err(()));
    }
    let end = end.map_or(size, |e| e.saturating_add(1).min(size));
    Some(Ok(start..end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_czech_file_name_survives_in_filename_star_with_an_ascii_fallback() {
        let header = content_disposition("Nabídka 8800123456 – podepsaná.pdf");
        assert_eq!(
            header,
            "attachment; filename=\"Nabidka 8800123456 - podepsana.pdf\"; filename*=UTF-8''Nab%C3%ADdka%208800123456%20%E2%80%93%20podepsan%C3%A1.pdf"
        );
    }

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some(Ok(0..100)));
        assert_eq!(parse_range("bytes=900-", 1000), Some(Ok(900..1000)));
        assert_eq!(parse_range("bytes=-100", 1000), Some(Ok(900..1000)));
        assert_eq!(parse_range("bytes=-5000", 1000), Some(Ok(0..1000)));
        assert_eq!(parse_range("bytes=990-5000", 1000), Some(Ok(990..1000)));
        assert_eq!(parse_range("bytes=1000-", 1000), Some(Err(())));
        assert_eq!(parse_range("bytes=-0", 1000), Some(Err(())));
        assert_eq!(parse_range("bytes=0-1,5-6", 1000), None);
        assert_eq!(parse_range("bytes=5-1", 1000), None);
        assert_eq!(parse_range("items=0-1", 1000), None);
        assert_eq!(parse_range("bytes=x-1", 1000), None);
        assert_eq!(parse_range("bytes=99999999999999999999-", 1000), None);
    }

    #[test]
    fn ipv6_clients_are_limited_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ClientKey::from(a), ClientKey::from(b));
        assert_ne!(ClientKey::from(a), ClientKey::from(c));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(
            ClientKey::from(mapped),
            ClientKey::from(IpAddr::from([192, 0, 2, 1]))
        );
    }
}
