//! The client's storage in a real browser: headless Chromium at a phone's
//! viewport (390×844), driven over WebDriver (chromedriver).
//!
//! The WebDriver comes from `INKSEAL_TEST_WEBDRIVER_URL` (`.ci/run` starts
//! chromedriver on loopback and sets it); without it the test starts
//! `chromedriver` from the PATH itself. When neither works the test fails
//! under CI (`CI=true`) and elsewhere skips with a one-line notice.
//! Screenshots of every page are kept under the target folder
//! (`target/tmp/storage-screenshots/`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use fantoccini::{Client, ClientBuilder, Locator};

/// A WebDriver to talk to, and the chromedriver this test started (killed on drop).
struct Driver {
    url: String,
    child: Option<Child>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

async fn driver() -> Option<Driver> {
    if let Ok(url) = std::env::var("INKSEAL_TEST_WEBDRIVER_URL") {
        return Some(Driver { url, child: None });
    }
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let spawned = Command::new("chromedriver")
        .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let child = match spawned {
        Ok(c) => c,
        Err(e) if in_ci() => {
            panic!("chromedriver cannot start ({e}) and CI requires the browser tests")
        }
        Err(e) => {
            eprintln!(
                "skipping browser test: chromedriver cannot start ({e}); install chromium and chromium-driver"
            );
            return None;
        }
    };
    let driver = Driver {
        url: format!("http://127.0.0.1:{port}"),
        child: Some(child),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(driver);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start listening");
}

async fn browser(driver: &Driver, downloads: &Path, profile: &Path) -> Client {
    let capabilities = serde_json::json!({
        "goog:chromeOptions": {
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--lang=cs-CZ",
                format!("--user-data-dir={}", profile.display()),
            ],
            "mobileEmulation": {
                "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 2.0 },
                "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36"
            },
            "prefs": {
                "download.default_directory": downloads.display().to_string(),
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
                "safebrowsing.enabled": false
            }
        }
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("storage-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shoot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    std::fs::write(screenshots().join(name), png).unwrap();
}

/// Types `code`, submits, and waits until the next page has replaced this one.
async fn enter_code(client: &Client, code: &str) {
    let old = client.find(Locator::Css("main")).await.unwrap();
    let input = client.find(Locator::Css("#kod")).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(code).await.unwrap();
    client
        .find(Locator::Css("form.code-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..200 {
        if old.text().await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the page did not change after submitting the code");
}

async fn body_text(client: &Client) -> String {
    client
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Waits for a finished download in `dir` (no `.crdownload` left).
async fn downloaded(dir: &Path) -> (String, Vec<u8>) {
    for _ in 0..300 {
        let files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        if let [file] = files.as_slice()
            && file.extension().is_some_and(|e| e == "pdf")
        {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            return (name, std::fs::read(file).unwrap());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no download arrived in {}", dir.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_client_opens_the_storage_with_the_sms_code_and_downloads_the_signed_offer()
{
    let Some(driver) = driver().await else {
        return;
    };
    let b = sqlite_backend().await;
    let offer = signed_offer("NAB-BROWSER-1", AGENT, 0);
    let token = b.publish(&offer).await;
    let code = b.issue_code(&offer.offer_id).await;
    let base = format!("http://{}", b.storage_addr());
    let downloads = tempfile::tempdir().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, downloads.path(), profile.path()).await;

    // the link from the e-mail
    client.goto(&format!("{base}/u/{token}")).await.unwrap();
    let text = body_text(&client).await;
    assert!(text.contains("Přístupový kód z SMS"), "{text}");
    let (width, _) = client
        .execute("return [window.innerWidth, window.innerHeight]", vec![])
        .await
        .map(|v| (v[0].as_u64().unwrap_or(0), v[1].as_u64().unwrap_or(0)))
        .unwrap();
    assert_eq!(width, 390, "a phone's viewport");
    shoot(&client, "1-zadani-kodu.png").await;

    // a wrong code: the page says so and how many tries are left
    enter_code(&client, "2345 6789").await;
    let text = body_text(&client).await;
    assert!(
        text.contains("Kód není správný. Zbývají 4 pokusy"),
        "{text}"
    );
    let invalid = client.find(Locator::Css("#kod[aria-invalid=true]")).await;
    assert!(
        invalid.is_ok(),
        "the field is marked invalid for screen readers"
    );
    shoot(&client, "2-chybny-kod.png").await;

    // the right code, typed in lower case as people do
    enter_code(&client, &code.to_lowercase()).await;
    let text = body_text(&client).await;
    assert!(
        text.contains("Podepsaná nabídka") && text.contains("Pojistné podmínky"),
        "{text}"
    );
    assert!(text.contains("Stáhnout"));
    shoot(&client, "3-dokumenty.png").await;

    // download the signed offer: the very bytes of the insurer's copy
    client
        .find(Locator::Css("a[href$='/dokumenty/nabidka']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let (name, bytes) = downloaded(downloads.path()).await;
    let copy = b.insurer_copy(&offer.offer_id).await;
    assert_eq!(
        bytes,
        copy.to_vec(),
        "the download equals the insurer's copy"
    );
    assert!(
        name.starts_with("Nabídka ") && name.ends_with(" – podepsaná.pdf"),
        "{name}"
    );
    std::fs::write(screenshots().join("stazena-nabidka.pdf"), &bytes).unwrap();

    // the help desk sees that the client got it
    let mut downloaded_event = false;
    for _ in 0..100 {
        downloaded_event = b
            .event_types(&offer.offer_id)
            .await
            .iter()
            .any(|t| t == "DocumentDownloaded");
        if downloaded_event {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(downloaded_event);

    // the pages that refuse: a link that does not work, and a locked entry
    client
        .goto(&format!("{base}/u/{}", "x".repeat(43)))
        .await
        .unwrap();
    let text = body_text(&client).await;
    assert!(
        text.contains("Odkaz už neplatí") && text.replace('\u{a0}', " ").contains("958 888 888"),
        "{text}"
    );
    shoot(&client, "4-neplatny-odkaz.png").await;

    let other = signed_offer("NAB-BROWSER-2", AGENT, 0);
    let other_token = b.publish(&other).await;
    b.issue_code(&other.offer_id).await;
    client
        .goto(&format!("{base}/u/{other_token}"))
        .await
        .unwrap();
    for _ in 0..5 {
        enter_code(&client, "ZZZZ ZZZZ").await;
    }
    let text = body_text(&client).await;
    assert!(text.contains("Úložiště je zablokované"), "{text}");
    shoot(&client, "5-zablokovano.png").await;

    client.close().await.unwrap();
    b.stop().await;
}
