//! SMS through an HTTP gateway (Kannel's `sendsms` interface, which Czech
//! SMS providers' HTTP APIs resemble: send with a request, learn the outcome
//! from a callback the backend serves).
//!
//! The request carries the text as UTF-8 with `coding=2` (UCS-2 on the air),
//! `dlr-mask=31` and a `dlr-url` that points at this backend's callback
//! listener with our reference, so every delivery report names the SMS it is
//! about. What the gateway answered (`0: Accepted for delivery`) is recorded
//! verbatim; a refusal it gives at once is a failure, a connection problem or
//! a 5xx is retried.
//!
//! [`callbacks`] is that listener's router: `/sms/dlr` takes the gateway's
//! delivery reports (type 1 delivered, 2 and 16 failed; 4 and 8 are
//! intermediate) and records `SmsDelivered` / `SmsFailed`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use hyper_util::rt::TokioIo;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use super::smpp::Receipt;
use super::sms::{OutgoingSms, SmsDelay, SmsGateway, SmsOutcome};

/// Largest gateway answer read.
const MAX_ANSWER: usize = 4096;

/// The HTTP gateway.
#[derive(Debug, Clone)]
pub struct HttpGateway {
    /// `http://host:port/cgi-bin/sendsms`.
    pub url: String,
    /// Gateway user.
    pub user: String,
    /// Gateway password.
    pub password: String,
    /// The sender the client sees.
    pub sender: String,
    /// Where the gateway reaches this backend's callback listener (`http://host:port`).
    pub callback_url: String,
    /// Per-request timeout.
    pub timeout: Duration,
}

fn enc(value: &str) -> String {
    utf8_percent_encode(value, NON_ALPHANUMERIC).to_string()
}

impl HttpGateway {
    async fn get(&self, path_and_query: &str) -> Result<(u16, String), String> {
        let rest = self
            .url
            .strip_prefix("http://")
            .ok_or("only http:// gateways on a trusted network are supported")?;
        let authority = rest.split('/').next().unwrap_or_default();
        let stream = tokio::net::TcpStream::connect(authority)
            .await
            .map_err(|e| format!("{authority}: {e}"))?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        let request = axum::http::Request::get(path_and_query)
            .header("host", authority)
            .body(axum::body::Body::empty())
            .map_err(|e| e.to_string())?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(axum::body::Body::new(response.into_body()), MAX_ANSWER)
            .await
            .map_err(|e| e.to_string())?;
        Ok((status, String::from_utf8_lossy(&body).trim().to_owned()))
    }
}

#[async_trait]
impl SmsGateway for HttpGateway {
    async fn send(&self, sms: &OutgoingSms) -> Result<SmsOutcome, SmsDelay> {
        let path = self
            .url
            .strip_prefix("http://")
            .and_then(|r| r.find('/').map(|i| &r[i..]))
            .unwrap_or("/cgi-bin/sendsms");
        let dlr = format!(
            "{}/sms/dlr?ref={}&type=%d&answer=%A",
            self.callback_url.trim_end_matches('/'),
            enc(&sms.reference)
        );
        let query = format!(
            "{path}?username={}&password={}&from={}&to={}&text={}&charset=UTF-8&coding=2&dlr-mask=31&dlr-url={}",
            enc(&self.user),
            enc(&self.password),
            enc(&self.sender),
            enc(sms.to.trim_start_matches('+')),
            enc(&sms.text),
            enc(&dlr)
        );
        let (status, answer) = tokio::time::timeout(self.timeout, self.get(&query))
            .await
            .map_err(|_| SmsDelay(format!("{} did not answer in time", self.url)))?
            .map_err(SmsDelay)?;
        let answer: String = answer
            .chars()
            .filter(|c| !c.is_control())
            .take(500)
            .collect();
        match status {
            200..=299 if answer.starts_with("0:") => Ok(SmsOutcome::Accepted {
                message_id: sms.reference.clone(),
                reply: answer,
            }),
            500..=599 => Err(SmsDelay(format!("HTTP {status}: {answer}"))),
            _ => Ok(SmsOutcome::Refused {
                reply: format!("HTTP {status}: {answer}"),
            }),
        }
    }

    fn describe(&self) -> String {
        format!("http {}", self.url)
    }
}

/// A gateway's delivery report.
#[derive(Debug, serde::Deserialize)]
pub struct Dlr {
    /// Our reference.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Kannel's DLR type.
    #[serde(rename = "type")]
    pub kind: u32,
    /// The SMSC's answer.
    #[serde(default)]
    pub answer: String,
}

/// Reads a DLR as an outcome; `None` for intermediate reports.
pub fn receipt_of(dlr: &Dlr) -> Option<Receipt> {
    let delivered = match dlr.kind {
        1 => true,
        2 | 16 => false,
        _ => return None,
    };
    let text: String = dlr
        .answer
        .chars()
        .filter(|c| !c.is_control())
        .take(500)
        .collect();
    Some(Receipt {
        message_id: dlr.reference.clone(),
        delivered,
        text: if text.is_empty() {
            format!("DLR type {}", dlr.kind)
        } else {
            text
        },
    })
}

/// The callback listener's routes: `/sms/dlr` (the HTTP gateway's delivery reports, to
/// `receipts`, the same recorder the SMPP gateway's receipts use) and `/mail/webhook` (a mail
/// provider's delivery and bounce events, recorded by `book`).
pub fn callbacks(
    receipts: tokio::sync::mpsc::Sender<Receipt>,
    book: Arc<super::inbox::ReportBook>,
) -> axum::Router {
    async fn webhook(
        State(book): State<Arc<super::inbox::ReportBook>>,
        body: axum::body::Bytes,
    ) -> axum::response::Response {
        match book.record_webhook(&body).await {
            Ok(n) => format!("recorded {n}").into_response(),
            Err(e) => (axum::http::StatusCode::BAD_REQUEST, e.to_string()).into_response(),
        }
    }
    let mail = axum::Router::new()
        .route("/mail/webhook", axum::routing::post(webhook))
        .layer(axum::extract::DefaultBodyLimit::max(
            delivery_reports::webhook::MAX_BODY_BYTES,
        ))
        .with_state(book);
    async fn dlr(
        State(receipts): State<Arc<tokio::sync::mpsc::Sender<Receipt>>>,
        Query(dlr): Query<Dlr>,
    ) -> axum::response::Response {
        if let Some(receipt) = receipt_of(&dlr)
            && receipts.try_send(receipt).is_err()
        {
            return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "busy").into_response();
        }
        "ok".into_response()
    }
    axum::Router::new()
        .route("/sms/dlr", axum::routing::get(dlr).post(dlr))
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024))
        .with_state(Arc::new(receipts))
        .merge(mail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kannel_dlr_types_map_to_delivered_failed_or_nothing_yet() {
        let dlr = |kind| Dlr {
            reference: "NAB-1.sms.6".into(),
            kind,
            answer: "id:SIM6 stat:DELIVRD err:000".into(),
        };
        assert!(receipt_of(&dlr(1)).unwrap().delivered);
        assert!(!receipt_of(&dlr(2)).unwrap().delivered);
        assert!(!receipt_of(&dlr(16)).unwrap().delivered);
        assert!(receipt_of(&dlr(8)).is_none());
        assert!(receipt_of(&dlr(4)).is_none());
    }
}
