//! Writes the FLEXI terms PDF to the path given as the first argument.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| pdf_compose::terms::FLEXI_TERMS_FILE_NAME.to_string());
    std::fs::write(&path, pdf_compose::terms::flexi_terms()?)?;
    println!("{path}");
    Ok(())
}
