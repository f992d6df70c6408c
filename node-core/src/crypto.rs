//! National algorithms: SM3 digests and HMAC-SM3 (device signatures, audit chain, blind indexes) and
//! SM4-GCM (RFC 8998) for personal data at rest. Keys live in files under the data directory, created
//! on first start with mode 0600.

use std::path::Path;

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{AesGcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rand::RngCore;
use zeroize::Zeroizing;

type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("key file {path}: {source}")]
    KeyFile { path: String, source: std::io::Error },
    #[error("key file {path} must hold {expected} bytes, found {found}")]
    KeyLength {
        path: String,
        expected: usize,
        found: usize,
    },
    #[error("sealed value is damaged or was sealed with another key")]
    Open,
}

pub use protocol::sign::{hmac_sm3, hmac_sm3_verify, sm3, sm3_hex};

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

/// A random token for URLs and QR codes (128 bits, URL-safe).
pub fn random_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<16>())
}

/// A random token whose first 48 bits are the current Unix time in milliseconds, then 80 random bits,
/// hex-encoded. Tokens issued one after another sort together, so the unique index they live in
/// grows at its right edge instead of touching a random page per insert; 80 random bits are still
/// far beyond guessing (and the issue time it reveals is printed on the ticket anyway).
pub fn ordered_token() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    b[6..].copy_from_slice(&random_bytes::<10>());
    hex::encode(b)
}

/// Reads a 32-byte key file, creating it (0600) with fresh random bytes when missing.
pub fn load_or_create_key(path: &Path) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let err = |source| CryptoError::KeyFile {
        path: path.display().to_string(),
        source,
    };
    if !path.exists() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let key = random_bytes::<32>();
        write_private(path, &key).map_err(err)?;
    }
    let key = Zeroizing::new(std::fs::read(path).map_err(err)?);
    if key.len() != 32 {
        return Err(CryptoError::KeyLength {
            path: path.display().to_string(),
            expected: 32,
            found: key.len(),
        });
    }
    Ok(key)
}

pub fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(data)?;
    f.sync_all()
}

/// Seals and opens personal data (SM4-GCM, random 96-bit nonce), and makes blind indexes (HMAC-SM3 with
/// a second key) so records can be found by ID number without storing it.
#[derive(Clone)]
pub struct Sealer {
    cipher: Sm4Gcm,
    index_key: Zeroizing<Vec<u8>>,
}

impl Sealer {
    /// `key`: 32 bytes; the first 16 are the SM4 key, the last 16 the index key.
    pub fn new(key: &[u8]) -> Sealer {
        let cipher = Sm4Gcm::new_from_slice(&key[..16]).unwrap_or_else(|_| unreachable!("16-byte SM4 key"));
        Sealer {
            cipher,
            index_key: Zeroizing::new(key[16..].to_vec()),
        }
    }

    pub fn seal(&self, plain: &str) -> String {
        B64.encode(self.seal_bytes(plain.as_bytes()))
    }

    pub fn open(&self, sealed: &str) -> Result<String, CryptoError> {
        let raw = B64.decode(sealed).map_err(|_| CryptoError::Open)?;
        String::from_utf8(self.open_bytes(&raw)?).map_err(|_| CryptoError::Open)
    }

    /// `nonce (12) || ciphertext || tag (16)`.
    pub fn seal_bytes(&self, plain: &[u8]) -> Vec<u8> {
        let nonce_bytes = random_bytes::<12>();
        let nonce = Nonce::<U12>::from_slice(&nonce_bytes);
        // Encryption with a valid key and nonce cannot fail.
        let ct = self.cipher.encrypt(nonce, plain).unwrap_or_default();
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&ct);
        out
    }

    pub fn open_bytes(&self, raw: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if raw.len() < 12 + 16 {
            return Err(CryptoError::Open);
        }
        let (nonce, ct) = raw.split_at(12);
        self.cipher
            .decrypt(Nonce::<U12>::from_slice(nonce), ct)
            .map_err(|_| CryptoError::Open)
    }

    /// A keyed digest: equal inputs give equal keys; the input cannot be recovered without the key.
    pub fn blind_index(&self, value: &str) -> String {
        hex::encode(&hmac_sm3(&self.index_key, value.trim().to_uppercase().as_bytes())[..16])
    }
}

/// 230102199001011234 → 230***********1234
pub fn mask_id_number(s: &str) -> String {
    mask_middle(s, 3, 4)
}

/// 13812345678 → 138****5678
pub fn mask_phone(s: &str) -> String {
    mask_middle(s, 3, 4)
}

/// 张三 → 张*, 欧阳娜娜 → 欧***
pub fn mask_name(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

fn mask_middle(s: &str, keep_head: usize, keep_tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= keep_head + keep_tail {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_head || i >= chars.len() - keep_tail {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_round_trip_and_detect_tampering() {
        let s = Sealer::new(&[7u8; 32]);
        let sealed = s.seal("230102199001011234");
        assert!(!sealed.contains("1990"));
        assert_eq!(s.open(&sealed).ok().as_deref(), Some("230102199001011234"));
        assert_ne!(s.seal("x"), s.seal("x"), "fresh nonce each time");
        let mut raw = B64.decode(&sealed).unwrap_or_default();
        raw[14] ^= 1;
        assert!(s.open(&B64.encode(raw)).is_err());
        assert!(Sealer::new(&[8u8; 32]).open(&sealed).is_err());
        assert_eq!(s.blind_index("23010219900101123x"), s.blind_index("23010219900101123X"));
    }

    #[test]
    fn masks_keep_only_the_ends() {
        assert_eq!(mask_id_number("230102199001011234"), "230***********1234");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
    }
}
