//! Helpers of the integration tests: the independent tools that read the
//! PDFs (poppler's `pdftotext` and `pdffonts`, `qpdf`). A missing tool fails
//! the test under `CI=true` and is skipped with a one-line notice elsewhere.

#![allow(dead_code)]

use std::io::Write;
use std::process::Command;

/// Whether `tool` is installed. When it is not: fails under `CI=true`,
/// otherwise prints a one-line notice so the caller can skip.
pub fn tool_available(tool: &str) -> bool {
    if Command::new(tool).arg("-v").output().is_ok()
        || Command::new(tool).arg("--version").output().is_ok()
    {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!(
            "{tool} is required in CI but is not installed (apt-get install qpdf poppler-utils)"
        );
    }
    eprintln!("notice: {tool} not installed, skipping the independent check");
    false
}

/// Runs `tool args… FILE [extra…]` on `pdf` written to a temporary file:
/// (success, stdout, stderr), or `None` when the tool is missing (see
/// [`tool_available`]).
pub fn run_tool(
    tool: &str,
    args: &[&str],
    extra: &[&str],
    pdf: &[u8],
) -> Option<(bool, String, String)> {
    if !tool_available(tool) {
        return None;
    }
    let mut file = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
    file.write_all(pdf).unwrap();
    file.flush().unwrap();
    let output = Command::new(tool)
        .args(args)
        .arg(file.path())
        .args(extra)
        .output()
        .unwrap();
    Some((
        output.status.success(),
        String::from_utf8(output.stdout).expect("tool output is UTF-8"),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

/// `pdftotext` of the whole document (UTF-8), or `None` when skipped.
pub fn pdftotext(pdf: &[u8]) -> Option<String> {
    let (ok, text, err) = run_tool("pdftotext", &["-enc", "UTF-8"], &["-"], pdf)?;
    assert!(ok, "pdftotext failed: {err}");
    Some(text)
}

/// `pdffonts` output, or `None` when skipped.
pub fn pdffonts(pdf: &[u8]) -> Option<String> {
    let (ok, text, err) = run_tool("pdffonts", &[], &[], pdf)?;
    assert!(ok, "pdffonts failed: {err}");
    Some(text)
}

/// `qpdf --check` passes (or is skipped).
pub fn qpdf_check(pdf: &[u8]) {
    if let Some((ok, out, err)) = run_tool("qpdf", &["--check"], &[], pdf) {
        assert!(ok, "qpdf --check failed:\n{out}{err}");
        assert!(
            out.contains("No syntax or stream encoding errors found"),
            "{out}{err}"
        );
    }
}

/// `text` with every run of whitespace made one space (line breaks of the
/// layout then do not matter when looking for a sentence).
pub fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The number of pages, read back with lopdf.
pub fn page_count(pdf: &[u8]) -> usize {
    lopdf::Document::load_mem(pdf)
        .expect("lopdf reads the PDF")
        .get_pages()
        .len()
}
