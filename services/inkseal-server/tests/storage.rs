//! The client's document storage over HTTP, as a client (and a guesser) uses
//! it: the link from the e-mail, the code from the SMS, the documents; wrong
//! codes, the lock, expiry, new codes; and requests no browser would send.

mod common;

use std::time::Duration;

use common::*;
use inkseal_server::roles::Role;
use offer_lifecycle::{AccessRefusal, Event};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The storage tests issue codes themselves and count the events their requests add: no
/// notifications role racing with them.
async fn storage_backend() -> Backend {
    sqlite_backend_without_notifications().await
}

/// The events of an offer after `before` of them.
async fn new_events(b: &Backend, offer_id: &str, before: usize) -> Vec<Event> {
    b.events(offer_id).await.into_iter().skip(before).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_right_code_opens_the_documents_and_the_download_is_the_insurers_copy() {
    let b = storage_backend().await;
    let offer = signed_offer("NAB-STORE-1", AGENT, 0);
    let token = b.publish(&offer).await;
    let code = b.issue_code(&offer.offer_id).await;
    let addr = b.storage_addr();

    // what was published: the insurer's copy and the terms, with sizes and hashes
    let published = b
        .events(&offer.offer_id)
        .await
        .into_iter()
        .find_map(|e| match e {
            Event::DocumentsPublished(p) => Some(p),
            _ => None,
        })
        .unwrap();
    let copy = b.insurer_copy(&offer.offer_id).await;
    assert_eq!(published.documents.len(), 2);
    assert_eq!(
        published.documents[0].sha256.to_hex(),
        inkseal_server::documents::sha256_of(&copy).to_hex()
    );
    assert_eq!(published.documents[0].size, copy.len() as u64);
    assert_eq!(published.documents[1].name.as_str(), "podminky");
    let terms = b
        .components
        .documents
        .get_pdf(&published.documents[1].sha256)
        .await
        .unwrap()
        .unwrap();
    assert!(terms.len() as u64 == published.documents[1].size && terms.starts_with(b"%PDF-"));
    assert_ne!(
        published.link_token_sha256.to_hex(),
        token,
        "only the token's hash is recorded"
    );

    let page = http(addr, "GET", &format!("/u/{token}"), &[], b"").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Přístupový kód z&nbsp;SMS"),
        "{}",
        page.text()
    );
    for (name, value) in [
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
    ] {
        assert_eq!(page.header(name), Some(value), "{name}");
    }
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));

    let before = b.events(&offer.offer_id).await.len();
    let wrong = post_code(addr, &token, "2345 6789").await;
    assert_eq!(wrong.status, 403);
    assert!(
        wrong.text().contains("Kód není správný. Zbývají 4 pokusy"),
        "{}",
        wrong.text()
    );
    assert!(wrong.session_cookie().is_none());

    let right = post_code(addr, &token, &code.to_lowercase()).await;
    assert_eq!(right.status, 303);
    assert_eq!(
        right.header("location"),
        Some(format!("/u/{token}").as_str())
    );
    let set_cookie = right.header("set-cookie").unwrap().to_owned();
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        &format!("Path=/u/{token}"),
        "Max-Age=900",
    ] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(
        !set_cookie.contains("Secure"),
        "plain HTTP on loopback sets no Secure cookie"
    );
    let cookie = right.session_cookie().unwrap();

    let documents = http(
        addr,
        "GET",
        &format!("/u/{token}"),
        &[("cookie", &cookie)],
        b"",
    )
    .await;
    assert_eq!(documents.status, 200);
    let html = documents.text();
    let number = b
        .components
        .read_model
        .offer(&offer.offer_id)
        .await
        .unwrap()
        .unwrap()
        .offer_number;
    assert!(
        html.contains(&format!("Dokumenty k&nbsp;nabídce č.&nbsp;{number}")),
        "{html}"
    );
    assert!(html.contains("Podepsaná nabídka") && html.contains("Pojistné podmínky"));
    assert!(html.contains(&format!("/u/{token}/dokumenty/nabidka")));

    let download = http(
        addr,
        "GET",
        &format!("/u/{token}/dokumenty/nabidka"),
        &[("cookie", &cookie)],
        b"",
    )
    .await;
    assert_eq!(download.status, 200);
    assert_eq!(
        download.body, copy,
        "the client gets exactly the insurer's copy"
    );
    assert_eq!(download.header("content-type"), Some("application/pdf"));
    let disposition = download.header("content-disposition").unwrap();
    assert!(
        disposition.contains(&format!(
            "filename*=UTF-8''Nab%C3%ADdka%20{number}%20%E2%80%93%20podepsan%C3%A1.pdf"
        )),
        "{disposition}"
    );
    assert_eq!(
        download.header("content-length"),
        Some(copy.len().to_string().as_str())
    );

    // the timeline: one wrong try, the opening, the download (recorded when the body ended)
    let mut recorded = Vec::new();
    for _ in 0..100 {
        recorded = new_events(&b, &offer.offer_id, before).await;
        if recorded.len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        matches!(&recorded[0], Event::StorageAccessRefused(r) if r.refusal == AccessRefusal::WrongCode && r.tries_left == 4
            && r.client.ip.is_loopback() && r.client.user_agent.as_ref().map(|u| u.as_str()) == Some("inkseal-tests/1.0")),
        "{recorded:?}"
    );
    assert!(
        matches!(&recorded[1], Event::StorageOpened(o) if o.client.is_some()),
        "{recorded:?}"
    );
    assert!(
        matches!(&recorded[2], Event::DocumentDownloaded(d) if d.document.as_str() == "nabidka"
            && d.completed == Some(true) && d.bytes_sent == Some(copy.len() as u64)),
        "{recorded:?}"
    );
    assert_eq!(recorded.len(), 3);
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_token_gets_the_same_page_as_an_expired_one() {
    let b = storage_backend().await;
    let offer = signed_offer("NAB-STORE-2", AGENT, 0);
    let token = b.publish(&offer).await;
    // a code issued 31 days ago, valid for 30: the entry has expired
    b.issue_code_at(
        &offer.offer_id,
        chrono::Utc::now() - chrono::Duration::days(31),
        30,
    )
    .await;
    let addr = b.storage_addr();
    let before = b.events(&offer.offer_id).await.len();

    let expired = http(addr, "GET", &format!("/u/{token}"), &[], b"").await;
    let unknown = http(addr, "GET", &format!("/u/{}", "A".repeat(43)), &[], b"").await;
    let malformed = http(addr, "GET", "/u/not-a-token", &[], b"").await;
    for reply in [&expired, &unknown, &malformed] {
        assert_eq!(reply.status, 410);
        assert_eq!(
            reply.body, expired.body,
            "a guesser learns nothing from the page"
        );
        assert_eq!(
            reply.header("content-length"),
            expired.header("content-length")
        );
    }
    let text = expired.text();
    assert!(
        text.contains("Odkaz už neplatí") && text.replace('\u{a0}', " ").contains("958 888 888"),
        "{text}"
    );

    // a code posted to the expired entry is not checked
    let posted = post_code(addr, &token, "2345 6789").await;
    assert_eq!(posted.status, 410);

    // the expired visits are on the record (the unknown tokens belong to nobody)
    let recorded = new_events(&b, &offer.offer_id, before).await;
    assert_eq!(recorded.len(), 2, "{recorded:?}");
    assert!(recorded.iter().all(
        |e| matches!(e, Event::StorageAccessRefused(r) if r.refusal == AccessRefusal::Expired)
    ));

    // a new code from the help desk opens it again, for another 30 days
    let code = b.issue_code(&offer.offer_id).await;
    assert_eq!(post_code(addr, &token, &code).await.status, 303);
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_codes_lock_the_storage_until_a_new_code_replaces_the_old_one() {
    let b = storage_backend().await;
    let offer = signed_offer("NAB-STORE-3", AGENT, 0);
    let token = b.publish(&offer).await;
    let old = b.issue_code(&offer.offer_id).await;
    let addr = b.storage_addr();

    let expected = [
        "Zbývají 4 pokusy",
        "Zbývají 3 pokusy",
        "Zbývají 2 pokusy",
        "Zbývá 1 pokus",
    ];
    for hint in expected {
        let reply = post_code(addr, &token, "ZZZZ ZZZZ").await;
        assert_eq!(reply.status, 403);
        assert!(reply.text().contains(hint), "{hint}: {}", reply.text());
    }
    let fifth = post_code(addr, &token, "ZZZZ ZZZZ").await;
    assert_eq!(fifth.status, 423);
    assert!(
        fifth.text().contains("Úložiště je zablokované"),
        "{}",
        fifth.text()
    );
    // now even the right code does not open it, and the page says so
    assert_eq!(post_code(addr, &token, &old).await.status, 423);
    assert_eq!(
        http(addr, "GET", &format!("/u/{token}"), &[], b"")
            .await
            .status,
        423
    );
    let types = b.event_types(&offer.offer_id).await;
    assert_eq!(types.iter().filter(|t| *t == "StorageLocked").count(), 1);

    // the help desk's new code lifts the lock; the old code is refused at once
    let new = b.issue_code(&offer.offer_id).await;
    let with_old = post_code(addr, &token, &old).await;
    assert_eq!(with_old.status, 403, "the old code stops working at once");
    assert!(with_old.text().contains("Zbývají 4 pokusy"));
    assert_eq!(post_code(addr, &token, &new).await.status, 303);
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_code_ends_the_sessions_opened_with_the_old_one() {
    let b = storage_backend().await;
    let offer = signed_offer("NAB-STORE-4", AGENT, 0);
    let token = b.publish(&offer).await;
    let code = b.issue_code(&offer.offer_id).await;
    let addr = b.storage_addr();
    let cookie = post_code(addr, &token, &code)
        .await
        .session_cookie()
        .unwrap();
    let open = http(
        addr,
        "GET",
        &format!("/u/{token}"),
        &[("cookie", &cookie)],
        b"",
    )
    .await;
    assert!(open.text().contains("Stáhnout"));
    b.issue_code(&offer.offer_id).await;
    let after = http(
        addr,
        "GET",
        &format!("/u/{token}"),
        &[("cookie", &cookie)],
        b"",
    )
    .await;
    assert_eq!(after.status, 200);
    assert!(
        after.text().contains("Přístupový kód z&nbsp;SMS"),
        "the old session asks for the code again"
    );
    let download = http(
        addr,
        "GET",
        &format!("/u/{token}/dokumenty/nabidka"),
        &[("cookie", &cookie)],
        b"",
    )
    .await;
    assert_eq!(download.status, 303);
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_served_without_the_entrys_own_unaltered_cookie() {
    let b = storage_backend().await;
    let first = signed_offer("NAB-STORE-5A", AGENT, 0);
    let second = signed_offer("NAB-STORE-5B", AGENT, 0);
    let token_a = b.publish(&first).await;
    let token_b = b.publish(&second).await;
    let code_a = b.issue_code(&first.offer_id).await;
    b.issue_code(&second.offer_id).await;
    let addr = b.storage_addr();
    let cookie_a = post_code(addr, &token_a, &code_a)
        .await
        .session_cookie()
        .unwrap();
    let before = b.events(&second.offer_id).await.len();

    let path_b = format!("/u/{token_b}/dokumenty/nabidka");
    let (name, value) = cookie_a.split_once('=').unwrap();
    let mut altered = value.to_owned().into_bytes();
    altered[5] = if altered[5] == b'A' { b'B' } else { b'A' };
    let altered = format!("{name}={}", String::from_utf8(altered).unwrap());
    for cookie in [
        None,
        Some(cookie_a.as_str()),
        Some(altered.as_str()),
        Some("inkseal_storage="),
    ] {
        let headers: Vec<(&str, &str)> = cookie.map(|c| ("cookie", c)).into_iter().collect();
        let page = http(addr, "GET", &format!("/u/{token_b}"), &headers, b"").await;
        assert!(
            page.text().contains("Přístupový kód z&nbsp;SMS"),
            "{cookie:?}"
        );
        let download = http(addr, "GET", &path_b, &headers, b"").await;
        assert_eq!(download.status, 303, "{cookie:?}");
        assert_eq!(
            download.header("location"),
            Some(format!("/u/{token_b}").as_str())
        );
        assert!(download.body.is_empty());
    }
    // the altered cookie is refused for its own entry too
    let own = http(
        addr,
        "GET",
        &format!("/u/{token_a}/dokumenty/nabidka"),
        &[("cookie", &altered)],
        b"",
    )
    .await;
    assert_eq!(own.status, 303);
    assert_eq!(
        b.events(&second.offer_id).await.len(),
        before,
        "refused requests record nothing"
    );
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_document_names_bodies_and_codes_change_nothing() {
    let b = storage_backend().await;
    let offer = signed_offer("NAB-STORE-6", AGENT, 0);
    let token = b.publish(&offer).await;
    let code = b.issue_code(&offer.offer_id).await;
    let addr = b.storage_addr();
    let cookie = post_code(addr, &token, &code)
        .await
        .session_cookie()
        .unwrap();
    let before = b.events(&offer.offer_id).await.len();

    let long = "a".repeat(5000);
    for name in [
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "%2e%2e",
        "nabidka.pdf",
        "NABIDKA",
        "nabidka%00",
        "podm%C3%ADnky",
        long.as_str(),
    ] {
        let reply = http(
            addr,
            "GET",
            &format!("/u/{token}/dokumenty/{name}"),
            &[("cookie", &cookie)],
            b"",
        )
        .await;
        assert_eq!(reply.status, 404, "{name}");
        assert!(reply.text().contains("Dokument nenalezen"));
    }
    for path in [
        format!("/u/{token}/dokumenty/nabidka/extra"),
        format!("/u/{token}/../../etc/passwd"),
        "/etc/passwd".to_owned(),
        "/u/".to_owned(),
    ] {
        let reply = http(addr, "GET", &path, &[("cookie", &cookie)], b"").await;
        assert_eq!(reply.status, 404, "{path}");
    }
    // an oversized body, a form without the code, a code that cannot be one
    let big = vec![b'k'; 64 * 1024];
    let form = [("content-type", "application/x-www-form-urlencoded")];
    assert_eq!(
        http(addr, "POST", &format!("/u/{token}"), &form, &big)
            .await
            .status,
        413
    );
    assert_eq!(
        http(addr, "POST", &format!("/u/{token}"), &form, b"x=1")
            .await
            .status,
        400
    );
    assert_eq!(
        http(addr, "POST", &format!("/u/{token}"), &form, b"kod=%FF%FE")
            .await
            .status,
        422
    );
    for malformed in ["", "ABC", "0000 0000", "ABCDEFGHJK", "ŽŽŽŽ ŽŽŽŽ"] {
        let reply = post_code(addr, &token, malformed).await;
        assert_eq!(reply.status, 422, "{malformed:?}");
        assert!(reply.text().contains("Přístupový kód"), "{}", reply.text());
    }
    assert_eq!(
        b.events(&offer.offer_id).await.len(),
        before,
        "bad input records nothing"
    );
    // and the entry is not locked by any of it
    assert_eq!(post_code(addr, &token, &code).await.status, 303);
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_and_range_requests_are_answered_as_http_says() {
    let b = storage_backend().await;
    let offer = signed_offer("NAB-STORE-7", AGENT, 0);
    let token = b.publish(&offer).await;
    let code = b.issue_code(&offer.offer_id).await;
    let addr = b.storage_addr();
    let cookie = post_code(addr, &token, &code)
        .await
        .session_cookie()
        .unwrap();
    let copy = b.insurer_copy(&offer.offer_id).await;
    let path = format!("/u/{token}/dokumenty/nabidka");
    let before = b.events(&offer.offer_id).await.len();

    let head = http(addr, "HEAD", &path, &[("cookie", &cookie)], b"").await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(copy.len().to_string().as_str())
    );
    assert_eq!(head.header("accept-ranges"), Some("bytes"));

    let part = http(
        addr,
        "GET",
        &path,
        &[("cookie", &cookie), ("range", "bytes=100-199")],
        b"",
    )
    .await;
    assert_eq!(part.status, 206);
    assert_eq!(part.body, copy.slice(100..200));
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 100-199/{}", copy.len()).as_str())
    );
    let tail = http(
        addr,
        "GET",
        &path,
        &[("cookie", &cookie), ("range", "bytes=-10")],
        b"",
    )
    .await;
    assert_eq!(tail.status, 206);
    assert_eq!(tail.body, copy.slice(copy.len() - 10..));
    let beyond = format!("bytes={}-", copy.len());
    let unsatisfiable = http(
        addr,
        "GET",
        &path,
        &[("cookie", &cookie), ("range", &beyond)],
        b"",
    )
    .await;
    assert_eq!(unsatisfiable.status, 416);
    assert_eq!(
        unsatisfiable.header("content-range"),
        Some(format!("bytes */{}", copy.len()).as_str())
    );
    let several = http(
        addr,
        "GET",
        &path,
        &[("cookie", &cookie), ("range", "bytes=0-1,5-6")],
        b"",
    )
    .await;
    assert_eq!(several.status, 200, "several ranges: the whole document");
    assert_eq!(several.body, copy);

    // HEAD and the refused range record nothing; the three bodies sent do
    let mut recorded = Vec::new();
    for _ in 0..100 {
        recorded = new_events(&b, &offer.offer_id, before).await;
        if recorded.len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent: Vec<(Option<u64>, Option<u64>)> = recorded
        .iter()
        .filter_map(|e| match e {
            Event::DocumentDownloaded(d) => Some((d.bytes_sent, d.bytes_expected)),
            _ => None,
        })
        .collect();
    assert_eq!(recorded.len(), 3, "{recorded:?}");
    let n = copy.len() as u64;
    let mut sent = sent;
    sent.sort();
    assert_eq!(
        sent,
        vec![
            (Some(10), Some(10)),
            (Some(100), Some(100)),
            (Some(n), Some(n))
        ]
    );
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_cut_off_by_the_client_is_recorded_as_cut_off() {
    let b = storage_backend().await;
    // big enough that loopback socket buffers cannot take it all at once
    let offer = signed_offer("NAB-STORE-8", AGENT, 48 * 1024 * 1024);
    let token = b.publish(&offer).await;
    let code = b.issue_code(&offer.offer_id).await;
    let addr = b.storage_addr();
    let cookie = post_code(addr, &token, &code)
        .await
        .session_cookie()
        .unwrap();
    let before = b.events(&offer.offer_id).await.len();

    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET /u/{token}/dokumenty/nabidka HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n"
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut first = vec![0u8; 64 * 1024];
    let n = socket.read(&mut first).await.unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));
    drop(socket);

    let mut cut = None;
    for _ in 0..200 {
        cut = new_events(&b, &offer.offer_id, before)
            .await
            .into_iter()
            .find_map(|e| match e {
                Event::DocumentDownloaded(d) => Some(d),
                _ => None,
            });
        if cut.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cut = cut.expect("the cut-off download is recorded");
    assert_eq!(cut.completed, Some(false));
    assert!(cut.bytes_sent.unwrap() < cut.bytes_expected.unwrap());
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_that_never_finishes_its_request_is_cut_off() {
    let b = storage_backend().await;
    let addr = b.storage_addr();
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    socket
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // the header timeout (10 s) closes the connection; the read returns 0 or an error
    let mut buf = [0u8; 1024];
    let closed = tokio::time::timeout(Duration::from_secs(20), socket.read(&mut buf)).await;
    assert!(
        matches!(closed, Ok(Ok(_)) | Ok(Err(_))),
        "the server must close a stalled request"
    );
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_trying_codes_too_fast_is_slowed_down() {
    let (mut c, dir) = sqlite_components(&Role::ALL).await;
    c.storage.config.code_tries_per_minute = 2;
    let b = start(c, dir).await;
    let offer = signed_offer("NAB-STORE-9", AGENT, 0);
    let token = b.publish(&offer).await;
    b.issue_code(&offer.offer_id).await;
    let addr = b.storage_addr();
    assert_eq!(post_code(addr, &token, "ZZZZ ZZZZ").await.status, 403);
    let limited = post_code(addr, &token, "ZZZZ ZZZZ").await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("60"));
    assert!(limited.text().contains("Příliš mnoho pokusů"));
    let tries = b
        .event_types(&offer.offer_id)
        .await
        .iter()
        .filter(|t| *t == "StorageAccessRefused")
        .count();
    assert_eq!(tries, 1, "a try the rate limit stopped is not counted");
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_offer_publishes_nothing() {
    let b = storage_backend().await;
    let offer = signed_offer_with(
        "NAB-STORE-10",
        AGENT,
        0,
        Flaws {
            envelope_for_other_document: true,
            ..Default::default()
        },
    );
    let mut client = b.agent(AGENT).await;
    send_offer(&mut client, &offer).await;
    let mut types = Vec::new();
    for _ in 0..300 {
        types = b.event_types(&offer.offer_id).await;
        if types.iter().any(|t| t == "OfferRejected") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(types.iter().any(|t| t == "OfferRejected"), "{types:?}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    b.settle().await;
    let types = b.event_types(&offer.offer_id).await;
    assert!(
        !types.iter().any(|t| t == "DocumentsPublished"),
        "{types:?}"
    );
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_offers_wait_for_the_publication_role_and_are_published_once() {
    // a backend without the publication role accepts offers; one started later publishes them
    let (c, dir) = sqlite_components(&[
        Role::Ingest,
        Role::Projections,
        Role::Acceptance,
        Role::Storage,
    ])
    .await;
    let b = start(c.clone(), dir).await;
    let offers: Vec<_> = (0..3)
        .map(|i| signed_offer(&format!("NAB-STORE-11-{i}"), AGENT, 0))
        .collect();
    let mut client = b.agent(AGENT).await;
    for offer in &offers {
        send_offer(&mut client, offer).await;
    }
    for offer in &offers {
        for _ in 0..300 {
            if b.event_types(&offer.offer_id)
                .await
                .iter()
                .any(|t| t == "OfferAccepted")
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    for offer in &offers {
        assert!(
            !b.event_types(&offer.offer_id)
                .await
                .iter()
                .any(|t| t == "DocumentsPublished")
        );
    }
    let mut publisher = c.clone();
    publisher.roles = vec![Role::Publication];
    let running = inkseal_server::server::start(publisher, Default::default())
        .await
        .unwrap();
    for offer in &offers {
        b.wait_published(&offer.offer_id).await;
        let published = b
            .event_types(&offer.offer_id)
            .await
            .iter()
            .filter(|t| *t == "DocumentsPublished")
            .count();
        assert_eq!(published, 1);
    }
    running.shutdown().await.unwrap();
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_lock_holds_when_wrong_codes_arrive_at_two_processes_on_one_postgresql() {
    use event_store::testing::{TestSchema, postgres_url};
    let Some(url) = postgres_url().await else {
        return;
    };
    let schema = TestSchema {
        url,
        name: format!("inkseal_sto_{}", uuid::Uuid::new_v4().simple()),
    };
    let docs = tempfile::tempdir().unwrap();
    let documents = inkseal_server::documents::Documents::local(docs.path()).unwrap();
    let process = |roles: Vec<Role>, name: &'static str| {
        let (schema, documents) = (&schema, documents.clone());
        async move { pg_process(schema, &documents, &roles, name).await }
    };
    let a = process(Role::ALL.to_vec(), "storage-a").await;
    let b = process(vec![Role::Storage], "storage-b").await;
    let offer = signed_offer("NAB-STORE-PG", AGENT, 0);
    let token = a.publish(&offer).await;
    let code = a.issue_code(&offer.offer_id).await;

    // ten wrong codes at once, half to each process
    let addrs = [a.storage_addr(), b.storage_addr()];
    let tries = (0..10).map(|i| {
        let token = token.clone();
        let addr = addrs[i % 2];
        tokio::spawn(async move { post_code(addr, &token, "ZZZZ ZZZZ").await.status })
    });
    let mut statuses: Vec<u16> = Vec::new();
    for t in tries {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    assert_eq!(
        statuses,
        vec![403, 403, 403, 403, 423, 423, 423, 423, 423, 423],
        "four tries are told how many are left, the fifth locks, the rest find it locked"
    );
    let events = a.events(&offer.offer_id).await;
    let wrong = events
        .iter()
        .filter(|e| matches!(e, Event::StorageAccessRefused(r) if r.refusal == AccessRefusal::WrongCode))
        .count();
    let locked = events
        .iter()
        .filter(|e| matches!(e, Event::StorageLocked(_)))
        .count();
    assert_eq!((wrong, locked), (5, 1));
    for addr in addrs {
        assert_eq!(
            post_code(addr, &token, &code).await.status,
            423,
            "locked in every process"
        );
    }
    let new = a.issue_code(&offer.offer_id).await;
    assert_eq!(post_code(addrs[1], &token, &new).await.status, 303);
    b.stop().await;
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_the_storage_sets_secure_cookies() {
    use rustls_pki_types::pem::PemObject;
    use std::sync::Arc;
    let (mut c, dir) = sqlite_components(&Role::ALL).await;
    let p = pki();
    let pem = dir.path().join("storage-tls");
    std::fs::create_dir_all(&pem).unwrap();
    std::fs::write(pem.join("cert.pem"), &p.server.cert_pem).unwrap();
    std::fs::write(pem.join("key.pem"), &p.server.key_pem).unwrap();
    c.storage.tls = Some(
        inkseal_server::storage::http::tls_from_files(&pem.join("cert.pem"), &pem.join("key.pem"))
            .unwrap(),
    );
    let b = start(c, dir).await;
    let offer = signed_offer("NAB-STORE-TLS", AGENT, 0);
    let token = b.publish(&offer).await;
    let code = b.issue_code(&offer.offer_id).await;

    // a client that trusts the development CA, as a browser trusts a public one
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_slice_iter(p.ca.cert_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(
        rustls::crypto::ring::default_provider().into(),
    )
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(b.storage_addr())
        .await
        .unwrap();
    let tls = connector
        .connect(
            rustls_pki_types::ServerName::try_from("localhost").unwrap(),
            tcp,
        )
        .await
        .unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
            .await
            .unwrap();
    tokio::spawn(conn);
    let body = format!("kod={}", code.replace(' ', "+"));
    let request = axum::http::Request::post(format!("/u/{token}"))
        .header("host", "localhost")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 303);
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");

    // plain HTTP on the TLS port gets no page
    let plain = tokio::time::timeout(
        Duration::from_secs(15),
        tokio::net::TcpStream::connect(b.storage_addr()),
    )
    .await
    .unwrap()
    .unwrap();
    let mut plain = plain;
    plain
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(15), plain.read(&mut buf))
        .await
        .unwrap()
        .unwrap_or(0);
    assert!(!String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_publishers_on_one_postgresql_publish_each_offer_once_and_a_dead_workers_claim_is_taken_over()
 {
    use event_store::testing::{TestSchema, postgres_url};
    use inkseal_server::work_queue::{Queue, WorkQueue};
    let Some(url) = postgres_url().await else {
        return;
    };
    let schema = TestSchema {
        url,
        name: format!("inkseal_pub_{}", uuid::Uuid::new_v4().simple()),
    };
    let docs = tempfile::tempdir().unwrap();
    let documents = inkseal_server::documents::Documents::local(docs.path()).unwrap();
    let process = |roles: Vec<Role>, name: &'static str| {
        let (schema, documents) = (&schema, documents.clone());
        async move { pg_process(schema, &documents, &roles, name).await }
    };
    // offers are received and accepted; nobody publishes yet
    let a = process(
        vec![Role::Ingest, Role::Projections, Role::Acceptance],
        "accepting",
    )
    .await;
    let offers: Vec<_> = (0..6)
        .map(|i| signed_offer(&format!("NAB-PUB-PG-{i}"), AGENT, 0))
        .collect();
    let mut client = a.agent(AGENT).await;
    for offer in &offers {
        send_offer(&mut client, offer).await;
    }
    for offer in &offers {
        for _ in 0..300 {
            if a.event_types(&offer.offer_id)
                .await
                .iter()
                .any(|t| t == "OfferAccepted")
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    a.settle().await;
    // a worker claims one offer with a short lease and dies before publishing it
    let dead = WorkQueue::new(
        a.components.read_model.clone(),
        Queue::Publication,
        "dead-worker",
        Duration::from_secs(2),
        5,
    );
    let claimed = dead.claim().await.unwrap().expect("a backlog to claim");
    // two publishing processes start at once
    let (p1, p2) = tokio::join!(
        process(vec![Role::Publication], "publisher-1"),
        process(vec![Role::Publication], "publisher-2")
    );
    for offer in &offers {
        a.wait_published(&offer.offer_id).await;
    }
    for offer in &offers {
        let published = a
            .event_types(&offer.offer_id)
            .await
            .iter()
            .filter(|t| *t == "DocumentsPublished")
            .count();
        assert_eq!(published, 1, "{} published once", offer.offer_id);
    }
    let claims = a
        .components
        .read_model
        .claims(Queue::Publication)
        .await
        .unwrap();
    let taken_over = claims
        .iter()
        .find(|(id, _)| *id == claimed.offer_id)
        .map(|(_, n)| *n);
    assert_eq!(
        taken_over,
        Some(2),
        "the dead worker's offer was claimed again after its lease"
    );
    let owners: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT owner FROM rm_publication_claims ORDER BY owner")
            .fetch_all(a.components.read_model.pool())
            .await
            .unwrap();
    assert!(owners.len() >= 2, "{owners:?}");
    for p in [p1, p2, a] {
        p.stop().await;
    }
}
