//! The user-facing texts. The seed fixes some of them word for word; they are kept here, in one
//! place, so tests and the CLI use exactly the same strings.

/// No pad, or a pad that fails to initialise (seed, question 4).
pub const PAD_INIT_FAILED: &str =
    "Chyba při inicializaci Signpadu. Zkontrolujte připojení Signpadu k počítači.";

/// A signature with too few characteristics (seed, question 5).
pub const SIGNATURE_INVALID: &str = "Podpis není platný. Podepište se znovu, prosím.";

/// The pad was disconnected (or stopped answering) after a successful init.
pub const PAD_LOST: &str = "Spojení se Signpadem bylo přerušeno. Zkontrolujte připojení Signpadu k počítači a podepište nabídku znovu.";

/// Signing needs the client's e-mail and mobile phone (seed: "je potřeba vyplnit mobilní telefon a e-mail").
pub const CONTACTS_MISSING: &str =
    "Pro digitální podpis je potřeba vyplnit platný e-mail a mobilní telefon klienta.";

/// The question asked after the last signature (seed: "zeptá, zda chcete nabídku uložit a odeslat do PČS").
pub const SAVE_AND_SEND_QUESTION: &str = "Chcete nabídku uložit a odeslat do PČS?";

/// The session was cancelled on the pad (Zrušit).
pub const SESSION_CANCELLED: &str = "Podepisování bylo zrušeno. Nabídka zůstává rozpracovaná.";

/// The agent declined to save and send.
pub const SAVE_DECLINED: &str = "Nabídka nebyla uložena ani odeslána. Zůstává rozpracovaná.";

/// Shown on the pad while the signer writes.
pub const SIGN_HERE: &str = "Podepište se prosím do rámečku.";

/// Button labels on the pad.
pub const BUTTON_CLEAR: &str = "Vymazat";
/// Button label: cancel the session.
pub const BUTTON_CANCEL: &str = "Zrušit";
/// Button label: accept the signature.
pub const BUTTON_OK: &str = "OK";

/// The backend could not be reached; the offer waits in the outbox.
pub const BACKEND_UNREACHABLE: &str =
    "Server PČS není dostupný. Nabídky čekají na synchronizaci a odešlou se při příštím spojení.";

/// Label of a role on the pad.
pub fn role_cs(role: offer_lifecycle::SignerRole) -> &'static str {
    match role {
        offer_lifecycle::SignerRole::Client => "klient",
        offer_lifecycle::SignerRole::Agent => "poradce",
        _ => "podepisující",
    }
}
