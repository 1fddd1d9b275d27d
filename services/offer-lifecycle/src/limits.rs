//! The bounds of the offer lifecycle, in one place.
//!
//! Every string, list and counter the lifecycle accepts has an explicit upper bound; a bound that is hit
//! is a clear error ([`crate::LifecycleError::LimitReached`] or a [`crate::ValidationError`]), never a
//! silent truncation. The numbers are generous for a real offer and small enough that a forged or
//! runaway stream cannot grow an offer's state without limit.

/// Signature fields in one offer (a FLEXI offer has a handful; the bound guards against forged input).
pub const MAX_SIGNATURE_FIELDS: usize = 64;
/// Pages of the offer document that a signature field may point at.
pub const MAX_PAGES: u16 = 10_000;
/// Largest PDF coordinate, in points: the PDF user-space limit of 200 inches.
pub const MAX_PDF_COORDINATE: f64 = 14_400.0;

/// Characters in a help-desk reason, a rejection reason or a server reply.
pub const MAX_REASON_CHARS: usize = 1_000;
/// Characters in the client's name.
pub const MAX_PERSON_NAME_CHARS: usize = 200;
/// Characters in a signature field's label.
pub const MAX_LABEL_CHARS: usize = 200;
/// Characters in an identifier (offer, agent, field, pad serial).
pub const MAX_IDENTIFIER_CHARS: usize = 64;
/// Characters in a help-desk user name (may be an e-mail-like login).
pub const MAX_USER_CHARS: usize = 128;
/// Characters in an e-mail or SMS message id (RFC 5322 message ids, gateway ids).
pub const MAX_MESSAGE_ID_CHARS: usize = 256;
/// Characters in a storage folder path.
pub const MAX_FOLDER_CHARS: usize = 200;
/// Characters in a stored access-code hash (a PHC string such as argon2id).
pub const MAX_ACCESS_CODE_HASH_CHARS: usize = 256;
/// Characters in a published document's file name.
pub const MAX_FILE_NAME_CHARS: usize = 200;
/// Characters kept of a browser's `User-Agent`.
pub const MAX_USER_AGENT_CHARS: usize = 512;
/// Characters in an e-mail address (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Characters in the raw phone input before normalisation (spaces and prefixes included).
pub const MAX_PHONE_INPUT_CHARS: usize = 32;

/// E-mails recorded as sent for one offer (first send and help-desk resends).
pub const MAX_MESSAGES_PER_CHANNEL: usize = 32;
/// Times the documents may be (re)published, each with a fresh access code.
pub const MAX_PUBLICATIONS: u32 = 32;
/// Documents in one publication.
pub const MAX_PUBLISHED_DOCUMENTS: usize = 16;
/// Access codes issued for one offer (the first one and every help-desk resend).
pub const MAX_ACCESS_CODES: u32 = 32;
/// Wrong access codes in a row that lock the storage until a new code is issued.
pub const MAX_WRONG_ACCESS_CODES: u32 = 5;
/// Notifications scheduled for one offer.
pub const MAX_SCHEDULES: u32 = 32;
/// Help-desk resend requests for one offer.
pub const MAX_RESEND_REQUESTS: u32 = 32;
/// Help-desk contact corrections for one offer.
pub const MAX_CONTACT_CORRECTIONS: u32 = 16;
/// Storage visits recorded for one offer: openings, downloads, refused visits.
pub const MAX_ACCESS_RECORDS: u32 = 10_000;

/// Widest plausible signature, in millimetres (the largest supported pad is far smaller).
pub const MAX_SIGNATURE_WIDTH_MM: f64 = 1_000.0;
/// Longest pen-down time of one signature, in milliseconds (ten minutes).
pub const MAX_PEN_DOWN_MS: u32 = 600_000;
/// Most pen samples in one signature (ten minutes at 200 samples a second is 120,000).
pub const MAX_PEN_SAMPLES: u32 = 1_000_000;

/// Largest encoded event payload that [`crate::schema::decode_slice`] reads, in bytes.
pub const MAX_EVENT_PAYLOAD_BYTES: usize = 256 * 1024;
