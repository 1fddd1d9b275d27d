//! SHA-256 digests: of the offer document, the signature images, the biometric envelopes, the sealed
//! PDF and the storage link token.
//!
//! A digest is 32 bytes, written as exactly 64 lowercase hexadecimal digits. Only the lowercase form is
//! read back, so every digest has one written form and replaying events gives byte-identical state.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ValidationError;

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256([u8; 32]);

impl Sha256 {
    /// Wraps a digest computed elsewhere (this crate does no hashing itself).
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The digest's bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The digest as 64 lowercase hexadecimal digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl FromStr for Sha256 {
    type Err = ValidationError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let canonical = value.len() == 64
            && value
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !canonical {
            return Err(ValidationError::InvalidSha256);
        }
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(value, &mut bytes).map_err(|_| ValidationError::InvalidSha256)?;
        Ok(Self(bytes))
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({})", self.to_hex())
    }
}

impl Serialize for Sha256 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Sha256 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_is_written_and_read_as_lowercase_hex() {
        let digest = Sha256::from_bytes([0xab; 32]);
        let json = serde_json::to_string(&digest).unwrap_or_default();
        assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
        let back: Sha256 = serde_json::from_str(&json).unwrap_or(Sha256::from_bytes([0; 32]));
        assert_eq!(back, digest);
    }

    #[test]
    fn uppercase_short_or_non_hex_digests_are_refused() {
        assert_eq!(
            "AB".repeat(32).parse::<Sha256>(),
            Err(ValidationError::InvalidSha256)
        );
        assert_eq!(
            "ab".repeat(31).parse::<Sha256>(),
            Err(ValidationError::InvalidSha256)
        );
        assert_eq!(
            "zz".repeat(32).parse::<Sha256>(),
            Err(ValidationError::InvalidSha256)
        );
        assert_eq!(
            format!("é{}", "a".repeat(62)).parse::<Sha256>(),
            Err(ValidationError::InvalidSha256)
        );
    }
}
