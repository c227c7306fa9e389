//! The software crypto provider: SM3 (GB/T 32905), HMAC-SM3 for the audit chain, PBKDF2-HMAC-SM3 for
//! passwords (密评 GB/T 39786 §8.4a; ASVS 2.4.3 asks ≥100,000 iterations).
//!
//! These RustCrypto implementations are correct but not a certified cryptographic module; a deployment
//! assessed at 密评 level 3 replaces this crate with a provider backed by a certified device (GM/T 0018),
//! behind the same [`domain::ports::CryptoProvider`] trait.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use domain::{DomainError, Result};
use hmac::{Hmac, KeyInit, Mac};
use sm3::{Digest, Sm3};
use zeroize::Zeroizing;

/// PBKDF2 iterations for new password hashes.
pub const PASSWORD_ITERATIONS: u32 = 120_000;
const SALT_BYTES: usize = 16;
const HASH_BYTES: usize = 32;
const SCHEME: &str = "pbkdf2-sm3";

/// SM3 and HMAC-SM3 in software, with the audit key held in memory (zeroised on drop).
pub struct SoftwareCrypto {
    audit_key: Zeroizing<Vec<u8>>,
    /// SM4 key for personal fields, derived from the master key so that one file holds all key material.
    field_key: Zeroizing<[u8; 16]>,
    iterations: u32,
}

/// Key version carried in every sealed field (`v1:`), so that a key rotation can tell old from new.
const FIELD_KEY_VERSION: &str = "v1";

impl SoftwareCrypto {
    /// A provider with the given audit key.
    pub fn new(audit_key: Vec<u8>) -> Self {
        let derived = hmac_sm3(&audit_key, b"firelaw field key v1");
        let mut field_key = Zeroizing::new([0u8; 16]);
        field_key.copy_from_slice(&derived[..16]);
        SoftwareCrypto { audit_key: Zeroizing::new(audit_key), field_key, iterations: PASSWORD_ITERATIONS }
    }

    /// Loads the audit key from `path` (hex), creating a new random key readable only by its owner when
    /// the file does not exist.
    pub fn from_key_file(path: &Path) -> std::io::Result<Self> {
        if !path.exists() {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut key = Zeroizing::new([0u8; 32]);
            getrandom::fill(key.as_mut()).map_err(std::io::Error::other)?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o400);
            let mut file = options.open(path)?;
            file.write_all(hex::encode(key.as_ref()).as_bytes())?;
            file.sync_all()?;
        }
        let text = Zeroizing::new(std::fs::read_to_string(path)?);
        let key = hex::decode(text.trim()).map_err(|e| std::io::Error::other(format!("bad key file: {e}")))?;
        if key.len() < 16 {
            return Err(std::io::Error::other("audit key shorter than 128 bits"));
        }
        Ok(Self::new(key))
    }

    /// Lowers the iteration count for new hashes. Only for benchmarks and tests that create many accounts;
    /// the stored hash records its own count, so verification is unaffected.
    pub fn with_iterations(mut self, iterations: u32) -> Self {
        self.iterations = iterations.max(1);
        self
    }
}

/// SM3 digest, hex.
pub fn sm3_hex(data: &[u8]) -> String {
    hex::encode(Sm3::digest(data))
}

/// HMAC-SM3, raw bytes.
pub fn hmac_sm3(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sm3> as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn pbkdf2_sm3(password: &[u8], salt: &[u8], iterations: u32) -> Zeroizing<[u8; HASH_BYTES]> {
    let mut out = Zeroizing::new([0u8; HASH_BYTES]);
    pbkdf2::pbkdf2_hmac::<Sm3>(password, salt, iterations, out.as_mut());
    out
}

fn hash_with(password: &str, iterations: u32) -> Result<String> {
    let mut salt = [0u8; SALT_BYTES];
    getrandom::fill(&mut salt).map_err(DomainError::internal)?;
    let hash = pbkdf2_sm3(password.as_bytes(), &salt, iterations);
    Ok(format!("${SCHEME}$i={iterations}${}${}", hex::encode(salt), hex::encode(hash.as_ref())))
}

/// Constant-time comparison.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn verify_with(password: &str, stored: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    // ["", scheme, "i=N", salt, hash]
    let parsed = match parts.as_slice() {
        ["", scheme, iters, salt, hash] if *scheme == SCHEME => iters
            .strip_prefix("i=")
            .and_then(|i| i.parse::<u32>().ok())
            .zip(hex::decode(salt).ok())
            .zip(hex::decode(hash).ok()),
        _ => None,
    };
    match parsed {
        Some(((iterations, salt), expected)) if (1..=10_000_000).contains(&iterations) => {
            let got = pbkdf2_sm3(password.as_bytes(), &salt, iterations);
            ct_eq(got.as_ref(), &expected)
        }
        _ => false,
    }
}

#[async_trait::async_trait]
impl domain::ports::CryptoProvider for SoftwareCrypto {
    fn audit_mac(&self, data: &[u8]) -> String {
        hex::encode(hmac_sm3(&self.audit_key, data))
    }

    fn digest(&self, data: &[u8]) -> String {
        sm3_hex(data)
    }

    fn random_token(&self, bytes: usize) -> String {
        let mut buf = Zeroizing::new(vec![0u8; bytes]);
        // The OS CSPRNG failing is not recoverable; refusing to serve is the only safe answer.
        getrandom::fill(buf.as_mut()).expect("the OS random number generator failed");
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf.as_slice())
    }

    async fn hash_password(&self, password: &str) -> Result<String> {
        let password = Zeroizing::new(password.to_string());
        let iterations = self.iterations;
        tokio::task::spawn_blocking(move || hash_with(&password, iterations)).await.map_err(DomainError::internal)?
    }

    async fn verify_password(&self, password: &str, stored: &str) -> Result<bool> {
        let password = Zeroizing::new(password.to_string());
        let stored = stored.to_string();
        tokio::task::spawn_blocking(move || verify_with(&password, &stored)).await.map_err(DomainError::internal)
    }

    fn seal_field(&self, aad: &str, plaintext: &str) -> Result<String> {
        let aad = format!("{aad}|{FIELD_KEY_VERSION}");
        let sealed = field::seal(&self.field_key, aad.as_bytes(), plaintext.as_bytes())?;
        Ok(format!("{FIELD_KEY_VERSION}:{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(sealed)))
    }

    fn open_field(&self, aad: &str, sealed: &str) -> Result<String> {
        let body = sealed
            .strip_prefix(FIELD_KEY_VERSION)
            .and_then(|s| s.strip_prefix(':'))
            .ok_or_else(|| DomainError::internal("sealed field of an unknown key version"))?;
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD.decode(body).map_err(DomainError::internal)?;
        let aad = format!("{aad}|{FIELD_KEY_VERSION}");
        let plain = field::open(&self.field_key, aad.as_bytes(), &bytes)?;
        String::from_utf8(plain).map_err(DomainError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ports::CryptoProvider;

    #[test]
    fn sm3_known_answer() {
        // GB/T 32905-2016 Appendix A, example 1.
        assert_eq!(sm3_hex(b"abc"), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    }

    #[test]
    fn hmac_sm3_is_keyed_and_deterministic() {
        let a = hmac_sm3(b"key", b"data");
        assert_eq!(a, hmac_sm3(b"key", b"data"));
        assert_ne!(a, hmac_sm3(b"other", b"data"));
        assert_eq!(a.len(), 32);
    }

    #[tokio::test]
    async fn passwords_round_trip_with_salt() {
        let c = SoftwareCrypto::new(vec![7; 32]).with_iterations(1000);
        let h1 = c.hash_password("Fire-Station-2026").await.unwrap();
        let h2 = c.hash_password("Fire-Station-2026").await.unwrap();
        assert_ne!(h1, h2, "salted");
        assert!(h1.starts_with("$pbkdf2-sm3$i=1000$"));
        assert!(c.verify_password("Fire-Station-2026", &h1).await.unwrap());
        assert!(!c.verify_password("Fire-Station-2027", &h1).await.unwrap());
        assert!(!c.verify_password("x", "garbage").await.unwrap());
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = std::env::temp_dir().join(format!("firelaw-key-{}", std::process::id()));
        let path = dir.join("audit.key");
        let a = SoftwareCrypto::from_key_file(&path).unwrap();
        let b = SoftwareCrypto::from_key_file(&path).unwrap();
        assert_eq!(a.audit_mac(b"x"), b.audit_mac(b"x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o400);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}

/// SM4-GCM (RFC 8998) for personal data at rest (密评 GB/T 39786 §8.4e: 身份证号、手机号、住址 stored
/// encrypted). A field is sealed with a fresh 96-bit nonce, and the additional data binds it to its place
/// (`table‖column‖row id‖key version`), so a ciphertext copied into another row or column does not open.
pub mod field {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use aes_gcm::{AesGcm, Nonce};
    use domain::{DomainError, Result};

    type Sm4Gcm = AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

    fn nonce(bytes: &[u8]) -> Result<Nonce<aes_gcm::aead::consts::U12>> {
        Nonce::try_from(bytes).map_err(|_| DomainError::internal("SM4-GCM nonce must be 12 bytes"))
    }

    /// Encrypts `plaintext`; returns `nonce ‖ ciphertext ‖ tag`.
    pub fn seal(key: &[u8; 16], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        let cipher = Sm4Gcm::new_from_slice(key).map_err(DomainError::internal)?;
        let mut iv = [0u8; 12];
        getrandom::fill(&mut iv).map_err(DomainError::internal)?;
        let ct = cipher
            .encrypt(&nonce(&iv)?, Payload { msg: plaintext, aad })
            .map_err(|_| DomainError::internal("SM4-GCM encryption failed"))?;
        let mut out = iv.to_vec();
        out.extend(ct);
        Ok(out)
    }

    /// Decrypts what [`seal`] produced for the same `aad`; fails if anything was altered.
    pub fn open(key: &[u8; 16], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
        if sealed.len() < 12 + 16 {
            return Err(DomainError::internal("sealed field too short"));
        }
        let cipher = Sm4Gcm::new_from_slice(key).map_err(DomainError::internal)?;
        let (iv, ct) = sealed.split_at(12);
        cipher
            .decrypt(&nonce(iv)?, Payload { msg: ct, aad })
            .map_err(|_| DomainError::internal("SM4-GCM authentication failed"))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn rfc8998_appendix_a_known_answer() {
            let key: [u8; 16] = hex::decode("0123456789ABCDEFFEDCBA9876543210").unwrap().try_into().unwrap();
            let iv = hex::decode("00001234567800000000ABCD").unwrap();
            let aad = hex::decode("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2").unwrap();
            let pt = hex::decode(
                "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
            )
            .unwrap();
            let cipher = Sm4Gcm::new_from_slice(&key).unwrap();
            let out = cipher.encrypt(&nonce(&iv).unwrap(), Payload { msg: &pt, aad: &aad }).unwrap();
            let (ct, tag) = out.split_at(pt.len());
            assert_eq!(
                hex::encode_upper(ct),
                "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
            );
            assert_eq!(hex::encode_upper(tag), "83DE3541E4C2B58177E065A9BF7B62EC");
        }

        #[test]
        fn a_field_opens_only_in_its_place() {
            let key = [9u8; 16];
            let sealed = seal(&key, b"units|phone|u1|1", "13812345678".as_bytes()).unwrap();
            assert_eq!(open(&key, b"units|phone|u1|1", &sealed).unwrap(), b"13812345678");
            assert!(open(&key, b"units|phone|u2|1", &sealed).is_err(), "moved to another row");
            let mut tampered = sealed.clone();
            tampered[14] ^= 1;
            assert!(open(&key, b"units|phone|u1|1", &tampered).is_err());
            assert_ne!(seal(&key, b"a", b"x").unwrap(), seal(&key, b"a", b"x").unwrap(), "fresh nonce each time");
        }
    }
}
