//! Pen-data encryption primitives: the 128-bit Diffie-Hellman arithmetic of v1 encryption and
//! the single-block AES cipher both schemes use (ECB, one 16-byte block per report).
//!
//! Pure computation; the RSA part of v2 is the host's (the driver only moves its bytes).

use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};

/// The AES key protecting one capture session (128, 192 or 256 bits).
#[derive(Clone)]
pub enum SessionCipher {
    Aes128(aes::Aes128),
    Aes192(aes::Aes192),
    Aes256(aes::Aes256),
}

impl std::fmt::Debug for SessionCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bits = match self {
            SessionCipher::Aes128(_) => 128,
            SessionCipher::Aes192(_) => 192,
            SessionCipher::Aes256(_) => 256,
        };
        write!(f, "SessionCipher(AES-{bits})")
    }
}

impl SessionCipher {
    /// A cipher from a 16-, 24- or 32-byte key; `None` for any other length.
    pub fn new(key: &[u8]) -> Option<SessionCipher> {
        match key.len() {
            16 => aes::Aes128::new_from_slice(key)
                .ok()
                .map(SessionCipher::Aes128),
            24 => aes::Aes192::new_from_slice(key)
                .ok()
                .map(SessionCipher::Aes192),
            32 => aes::Aes256::new_from_slice(key)
                .ok()
                .map(SessionCipher::Aes256),
            _ => None,
        }
    }

    /// Encrypts one block (what the pad does).
    pub fn encrypt(&self, plain: &[u8; 16]) -> [u8; 16] {
        let mut block = aes::Block::from(*plain);
        match self {
            SessionCipher::Aes128(c) => c.encrypt_block(&mut block),
            SessionCipher::Aes192(c) => c.encrypt_block(&mut block),
            SessionCipher::Aes256(c) => c.encrypt_block(&mut block),
        }
        block.into()
    }

    /// Decrypts one block (what the host does).
    pub fn decrypt(&self, cipher: &[u8; 16]) -> [u8; 16] {
        let mut block = aes::Block::from(*cipher);
        match self {
            SessionCipher::Aes128(c) => c.decrypt_block(&mut block),
            SessionCipher::Aes192(c) => c.decrypt_block(&mut block),
            SessionCipher::Aes256(c) => c.decrypt_block(&mut block),
        }
        block.into()
    }
}

fn add_mod(a: u128, b: u128, m: u128) -> u128 {
    // a, b < m
    if a >= m - b { a - (m - b) } else { a + b }
}

fn mul_mod(mut a: u128, mut b: u128, m: u128) -> u128 {
    let mut acc = 0u128;
    a %= m;
    while b > 0 {
        if b & 1 == 1 {
            acc = add_mod(acc, a, m);
        }
        a = add_mod(a, a, m);
        b >>= 1;
    }
    acc
}

/// `base^exp mod modulus` on 128-bit numbers. Returns 0 for a modulus below 2.
pub fn mod_pow(base: u128, mut exp: u128, modulus: u128) -> u128 {
    if modulus < 2 {
        return 0;
    }
    let mut result = 1u128;
    let mut b = base % modulus;
    while exp > 0 {
        if exp & 1 == 1 {
            result = mul_mod(result, b, modulus);
        }
        b = mul_mod(b, b, modulus);
        exp >>= 1;
    }
    result
}

/// DH public key `base^secret mod prime` as the 16 big-endian bytes the reports carry.
pub fn dh_public_key(prime: &[u8; 16], base: &[u8; 2], secret: u128) -> [u8; 16] {
    let g = u128::from(u16::from_be_bytes(*base));
    mod_pow(g, secret, u128::from_be_bytes(*prime)).to_be_bytes()
}

/// DH shared secret `peer^secret mod prime`: the 16 bytes are the AES-128 key.
pub fn dh_shared_key(prime: &[u8; 16], peer_public: &[u8; 16], secret: u128) -> [u8; 16] {
    mod_pow(
        u128::from_be_bytes(*peer_public),
        secret,
        u128::from_be_bytes(*prime),
    )
    .to_be_bytes()
}
