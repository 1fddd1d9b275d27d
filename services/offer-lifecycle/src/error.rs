//! Errors of the offer lifecycle.
//!
//! [`ValidationError`] says why a value (an e-mail, a phone number, an identifier, a hash) is not
//! acceptable; [`LifecycleError`] says why a command is refused in the offer's current state. Both
//! display Czech sentences an agent or a help-desk user can read as they are; the English doc comment
//! on each variant is for developers. Messages never repeat the client's personal data, so they can be
//! logged.

use crate::field::SignerRole;
use crate::ids::FieldId;

/// A value that does not meet the rules for its type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// A required text (identifier, user, reason) is empty or only whitespace.
    #[error("Údaj „{what}“ musí být vyplněn.")]
    Empty {
        /// Czech name of the value.
        what: &'static str,
    },
    /// A text is longer than its bound.
    #[error("Údaj „{what}“ je příliš dlouhý (nejvýše {max} znaků).")]
    TooLong {
        /// Czech name of the value.
        what: &'static str,
        /// The bound, in characters.
        max: usize,
    },
    /// A text contains characters its type does not allow (control characters, or outside an
    /// identifier's character set).
    #[error("Údaj „{what}“ obsahuje nepovolené znaky ({allowed}).")]
    BadCharacters {
        /// Czech name of the value.
        what: &'static str,
        /// Czech description of what is allowed.
        allowed: &'static str,
    },
    /// The client's e-mail address is not a valid address.
    #[error("E-mail klienta není platná e-mailová adresa: {detail}.")]
    InvalidEmail {
        /// Czech description of the defect.
        detail: &'static str,
    },
    /// The phone number is not nine digits, with or without the +420 / 00420 prefix.
    #[error(
        "Mobilní telefon klienta musí mít 9 číslic, případně s předvolbou +420 (např. 603 123 456 nebo +420 603 123 456)."
    )]
    InvalidPhoneFormat,
    /// The phone number has a foreign country code.
    #[error(
        "Mobilní telefon klienta musí být české číslo s předvolbou +420; zahraniční čísla nelze použít."
    )]
    ForeignPhone,
    /// The phone number is Czech but not a mobile number (a landline, a free-phone or a premium number).
    #[error(
        "Zadané číslo není český mobilní telefon (mobilní čísla začínají 60x, 70x, 72x, 73x, 77x, 78x nebo 79x); SMS s přístupovým kódem lze poslat jen na mobilní telefon."
    )]
    NotMobile,
    /// A SHA-256 digest is not 64 lowercase hexadecimal digits.
    #[error("Otisk SHA-256 musí mít 64 malých šestnáctkových číslic.")]
    InvalidSha256,
    /// A number is outside its allowed range (or is not a finite number).
    #[error("Hodnota „{what}“ je mimo povolený rozsah ({range}).")]
    OutOfRange {
        /// Czech name of the value.
        what: &'static str,
        /// The allowed range, as text.
        range: &'static str,
    },
}

/// A command the offer's current state does not allow. Returned by [`crate::decide`]; nothing
/// changes when it is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// A value carried by the command is not valid.
    #[error(transparent)]
    Invalid(#[from] ValidationError),

    /// The command needs an offer, but none has been modelled in this stream yet.
    #[error("Nabídka zatím neexistuje; nejdříve ji namodelujte.")]
    OfferNotModelled,
    /// `ModelOffer` names another offer than the one this stream holds.
    #[error("Tento záznam patří jiné nabídce; nabídku nelze přepsat jinou.")]
    OfferIdMismatch,
    /// `ModelOffer` names another agent than the one who modelled the offer.
    #[error("Nabídku namodeloval jiný poradce; upravit ji může jen on.")]
    AgentMismatch,
    /// The offer has no signature field.
    #[error("Nabídka musí mít alespoň jedno podpisové pole.")]
    NoSignatureFields,
    /// The offer has no signature field for the client.
    #[error("Nabídka musí mít podpisové pole klienta.")]
    NoClientField,
    /// The offer has more signature fields than the bound allows.
    #[error("Nabídka má příliš mnoho podpisových polí (nejvýše {max}).")]
    TooManyFields {
        /// The bound.
        max: usize,
    },
    /// Two signature fields share an identifier.
    #[error("Podpisové pole {0} je v nabídce dvakrát.")]
    DuplicateField(FieldId),
    /// The offer is re-modelled after a signature was placed on it.
    #[error(
        "Nabídku už nelze upravit: obsahuje podpis. Podepisování začněte znovu s novou nabídkou."
    )]
    AlreadyPartlySigned,

    /// Signing is started without the client's mobile phone or e-mail (seed, questions 3 and the
    /// "Nezapomeňte" paragraph).
    #[error("Pro digitální podpis je potřeba vyplnit mobilní telefon a e-mail klienta.")]
    ContactsMissing,
    /// A field is signed before the signing session started on a pad.
    #[error("Podepisování ještě nezačalo; nejdříve spusťte podpis na Signpadu.")]
    SigningNotStarted,
    /// The signed field is not one of the offer's signature fields.
    #[error("Podpisové pole {0} v nabídce není.")]
    UnknownField(FieldId),
    /// A field is signed out of turn: fields are signed in the order of the document.
    #[error("Nyní je na řadě podpisové pole {expected}, ne {got}; pole se podepisují postupně.")]
    FieldOutOfTurn {
        /// The next unsigned field.
        expected: FieldId,
        /// The field the command named.
        got: FieldId,
    },
    /// A field that is already signed is signed again with different data.
    #[error("Podpisové pole {0} je už podepsané; podpis nelze nahradit.")]
    FieldAlreadySigned(FieldId),
    /// The signer's role does not match the field's role.
    #[error("Pole {field} podepisuje {expected}, ne {got}.")]
    WrongSigner {
        /// The field.
        field: FieldId,
        /// The role the field is for.
        expected: SignerRole,
        /// The role the command named.
        got: SignerRole,
    },
    /// The encrypted biometric envelope is already bound to another field of this offer.
    #[error(
        "Biometrický záznam podpisu už patří jinému podpisovému poli; podpis nelze použít znovu."
    )]
    EnvelopeReused,
    /// The offer is saved and sent before every field is signed.
    #[error(
        "Nabídku nelze uložit a odeslat: zbývá podepsat {remaining} z {total} podpisových polí."
    )]
    UnsignedFields {
        /// Fields still unsigned.
        remaining: usize,
        /// All fields.
        total: usize,
    },
    /// Something would change the document or the signatures after the offer was sealed.
    #[error(
        "Nabídka je podepsána a uložena – již ji nelze editovat ani měnit podpisy. Odvolání nebo změna je možná jen papírově."
    )]
    OfferSealed,

    /// The command needs the sealed offer, but it is not sealed yet.
    #[error("Nabídka ještě není podepsána a uložena.")]
    NotSealed,
    /// The PDF the backend received is not the one that was sealed.
    #[error("Přijaté PDF se neshoduje s podepsanou nabídkou (otisk SHA-256 nesouhlasí).")]
    ReceivedPdfMismatch,
    /// The command needs the offer to have reached the insurer (state 3).
    #[error("Nabídka ještě nebyla odeslána do PČS.")]
    NotReceived,
    /// The command needs the offer accepted for processing (state 4).
    #[error("PČS ještě nepřijala nabídku do zpracování.")]
    NotAccepted,
    /// The offer was rejected by the acceptance checks; it cannot be accepted, published or made
    /// effective.
    #[error("PČS nabídku nepřijala do zpracování (byla zamítnuta).")]
    Rejected,
    /// A rejection is recorded for an offer that was already accepted.
    #[error("PČS už nabídku přijala do zpracování; nelze ji zamítnout.")]
    AlreadyAccepted,
    /// A second rejection gives another reason than the recorded one.
    #[error("Nabídka už byla zamítnuta s jiným důvodem.")]
    RejectedWithOtherReason,

    /// The link's expiry is not after the publication time.
    #[error("Platnost odkazu do úložiště musí skončit až po zveřejnění dokumentů.")]
    ExpiryNotAfterPublication,
    /// A publication lists no document.
    #[error("Do úložiště je třeba uložit alespoň jeden dokument.")]
    NoDocuments,
    /// A publication lists a document name twice.
    #[error("Dokument {document} je v úložišti uveden dvakrát.")]
    DuplicateDocument {
        /// The name.
        document: String,
    },
    /// A download names a document that was not published.
    #[error("Dokument {document} v klientově úložišti není.")]
    UnknownDocument {
        /// The name.
        document: String,
    },
    /// The storage is used before any access code was issued.
    #[error("Klientovi ještě nebyl vydán přístupový kód do úložiště.")]
    NoAccessCode,
    /// The storage is locked after too many wrong codes.
    #[error(
        "Přístup do úložiště je zablokován po pěti chybně zadaných kódech; nový kód pošle Help Desk."
    )]
    StorageLocked,
    /// The link and code have expired.
    #[error("Platnost odkazu do úložiště vypršela; nový kód a prodloužení zajistí Help Desk.")]
    StorageExpired,
    /// A refused visit is recorded while the storage is open to the right code.
    #[error("Úložiště není zablokované ani jeho platnost nevypršela.")]
    StorageOpen,
    /// The command needs the documents published to the client's storage.
    #[error("Dokumenty ještě nebyly uloženy do klientova úložiště.")]
    DocumentsNotPublished,
    /// Notifications are skipped for an offer that has none scheduled.
    #[error("Pro nabídku není naplánováno žádné oznámení klientovi.")]
    NothingScheduled,
    /// A delivery report names a message that was never recorded as sent.
    #[error("Zpráva {message_id} nebyla zaznamenána jako odeslaná.")]
    UnknownMessage {
        /// The message id from the report.
        message_id: String,
    },
    /// A message id is recorded again with other data.
    #[error("Zpráva {message_id} už je zaznamenána s jinými údaji.")]
    MessageConflict {
        /// The message id.
        message_id: String,
    },
    /// A per-offer bound is reached (messages, publications, resends, corrections, access records).
    #[error("Byl dosažen limit: {what} (nejvýše {max}).")]
    LimitReached {
        /// Czech name of what is counted.
        what: &'static str,
        /// The bound.
        max: usize,
    },

    /// A help-desk contact correction names neither an e-mail nor a mobile phone.
    #[error("Oprava kontaktu musí uvést nový e-mail nebo mobilní telefon klienta.")]
    NothingToCorrect,
    /// A help-desk action that exists for signed offers is used on an offer still being edited.
    #[error("Nabídka se ještě upravuje; kontakty opraví poradce přímo v nabídce.")]
    OfferStillEditable,
    /// A paper withdrawal is recorded for an offer that was never signed.
    #[error("Nepodepsanou nabídku není třeba odvolávat; stačí ji neodeslat.")]
    NothingToWithdraw,
    /// A second paper withdrawal with other data.
    #[error("Písemné odvolání nebo žádost o změnu už jsou u nabídky zaznamenány.")]
    WithdrawalAlreadyRecorded,

    /// The offer is made effective while the e-mail to the client's current address is not delivered
    /// (seed, question 3).
    #[error("Nabídku nelze zplatnit: klientovi se nepodařilo doručit e-mail.")]
    EmailNotDelivered,
    /// The offer is made effective after the client withdrew it on paper.
    #[error("Nabídku nelze zplatnit: klient ji písemně odvolal.")]
    Withdrawn,
}
