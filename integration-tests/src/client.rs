//! The client's side of the storage, as a browser does it: open the link,
//! send the code from the SMS, keep the session cookie, download a document.
//! Plain HTTP/1.1 over loopback (hyper), one connection per request.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use bytes::Bytes;

/// One reply.
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: axum::http::HeaderMap,
    /// The body.
    pub body: Bytes,
}

/// Sends one request and reads the whole reply.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> anyhow::Result<Reply> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .with_context(|| format!("cannot reach the storage at {addr}"))?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut builder = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string())
        .header("user-agent", "inkseal-demo (the client's browser)");
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let response = sender
        .send_request(builder.body(axum::body::Body::from(body))?)
        .await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(
        axum::body::Body::new(response.into_body()),
        64 * 1024 * 1024,
    )
    .await?;
    Ok(Reply {
        status,
        headers,
        body,
    })
}

/// Opens the storage at `link_path` (`/u/<token>`) with `code` and downloads document `name`;
/// returns the file name the browser would save and the bytes.
pub async fn download_with_code(
    addr: SocketAddr,
    link_path: &str,
    code: &str,
    name: &str,
) -> anyhow::Result<(String, Bytes)> {
    let page = request(addr, "GET", link_path, &[], Vec::new()).await?;
    if page.status != 200 {
        bail!("the link answered {}", page.status);
    }
    let form = format!("kod={}", code.replace(' ', "+"));
    let opened = request(
        addr,
        "POST",
        link_path,
        &[("content-type", "application/x-www-form-urlencoded")],
        form.into_bytes(),
    )
    .await?;
    if opened.status != 303 {
        bail!("the code was not accepted ({})", opened.status);
    }
    let cookie = opened
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("no session cookie after the right code")?
        .to_owned();
    let file = request(
        addr,
        "GET",
        &format!("{link_path}/dokumenty/{name}"),
        &[("cookie", &cookie)],
        Vec::new(),
    )
    .await?;
    if file.status != 200 {
        bail!("the download answered {}", file.status);
    }
    let disposition = file
        .headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let file_name = disposition
        .split("filename*=UTF-8''")
        .nth(1)
        .map(|encoded| {
            percent_encoding::percent_decode_str(encoded)
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_else(|| format!("{name}.pdf"));
    Ok((file_name, file.body))
}

/// The subject and the storage link of the e-mail `eml` (decoded as a mail program does).
pub fn link_in_email(eml: &[u8]) -> anyhow::Result<(String, String)> {
    let mail = mailparse::parse_mail(eml)?;
    let subject = mailparse::MailHeaderMap::get_first_value(mail.headers.as_slice(), "Subject")
        .unwrap_or_default();
    let text = mail
        .subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/plain")
        .context("the e-mail has no text part")?
        .get_body()?;
    let link = text
        .split_whitespace()
        .find(|w| w.starts_with("http") && w.contains("/u/"))
        .context("the e-mail carries no storage link")?
        .to_owned();
    Ok((subject, link))
}

/// The text of an SMS file written by the folder gateway.
pub fn sms_text(json: &[u8]) -> anyhow::Result<String> {
    let value: serde_json::Value = serde_json::from_slice(json)?;
    Ok(value["text"]
        .as_str()
        .context("the SMS has no text")?
        .to_owned())
}

/// The access code in the SMS text (`… úložiště: K7PM 3QXD. Platí …`): two groups of four
/// capitals and digits, as a person reads it off the phone.
pub fn code_in_sms(text: &str) -> anyhow::Result<String> {
    let group = |w: &str| {
        w.len() == 4
            && w.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '.' || c == ':')
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .find(|w| group(w[0]) && group(w[1]))
        .map(|w| format!("{} {}", w[0], w[1]))
        .context("the SMS carries no access code")
}
