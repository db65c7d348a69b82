//! `authd keys generate`: a new RS256 signing key for `JWT_PRIVATE_KEY_FILE`, written to a file
//! only its owner can read, and its `kid` exactly as the JWKS will publish it (derived by the
//! same code that loads the file at start-up). Rotating keys with it: docs/operations.md.
//!
//! Nothing is read from the configuration: the command makes a file, and the operator decides
//! where it goes in `JWT_PRIVATE_KEY_FILE`.

use authd_crypto::{RsaKeyBits, RsaSigningKey};
use secrecy::ExposeSecret;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The part of `authd --help` about `authd keys`.
// No `\` line continuation before the first line: it would swallow the indentation.
pub const USAGE: &str = "  authd keys generate [--out FILE] [--bits 2048|3072|4096]
                         write a new RSA private key for JWT_PRIVATE_KEY_FILE (PKCS#8 PEM,
                         mode 0600, 2048 bits unless asked; default file ./jwt-signing-<kid>.pem;
                         an existing file is never overwritten) and print its kid, as the JWKS
                         will publish it, on standard output; rotation: docs/operations.md";

/// Characters of the `kid` in the default file name: enough to tell keys apart at a glance.
const KID_IN_FILE_NAME: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeysCommand {
    Generate {
        out: Option<PathBuf>,
        bits: RsaKeyBits,
    },
}

/// Reads the arguments after `authd keys`.
///
/// # Errors
/// What is wrong with them, in one line.
pub fn parse(args: &[&str]) -> Result<KeysCommand, String> {
    let (sub, rest) = args
        .split_first()
        .ok_or("`authd keys` needs a command: generate")?;
    if *sub != "generate" {
        return Err(format!("unknown keys command {sub} (expected generate)"));
    }
    let mut out = None;
    let mut bits = None;
    let mut rest = rest.iter();
    while let Some(&arg) = rest.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value)),
            _ => (arg, None),
        };
        if name != "--out" && name != "--bits" {
            return Err(if name.starts_with('-') {
                format!("unknown option {name} (only --out and --bits exist)")
            } else {
                format!("unexpected argument {arg} (the file is given with --out)")
            });
        }
        let value = match inline {
            Some(value) => value,
            None => *rest.next().ok_or_else(|| format!("{name} needs a value"))?,
        };
        if value.is_empty() {
            return Err(format!("{name} needs a value"));
        }
        let repeated = if name == "--out" {
            // JWT_PRIVATE_KEY_FILE is a comma-separated list: a file whose path holds a comma
            // could never be named there.
            if value.contains(',') {
                return Err(format!(
                    "--out {value}: JWT_PRIVATE_KEY_FILE separates files with commas, so a path \
                     with a comma could not be configured"
                ));
            }
            out.replace(PathBuf::from(value)).is_some()
        } else {
            let size = value
                .parse()
                .ok()
                .and_then(RsaKeyBits::from_bits)
                .ok_or_else(|| format!("--bits {value}: expected 2048, 3072 or 4096"))?;
            bits.replace(size).is_some()
        };
        if repeated {
            return Err(format!("{name} is given twice"));
        }
    }
    Ok(KeysCommand::Generate {
        out,
        bits: bits.unwrap_or_default(),
    })
}

/// A key written by [`run`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub kid: String,
    pub path: PathBuf,
    pub bits: RsaKeyBits,
}

/// Generates the key and writes it to a new file: `out`, or `jwt-signing-<kid>.pem` in the
/// working directory.
///
/// # Errors
/// The file exists already (nothing is written), cannot be created or written (a partial file
/// is removed), or key generation failed; as one line.
pub fn run(command: KeysCommand) -> Result<Generated, String> {
    let KeysCommand::Generate { out, bits } = command;
    if let Some(path) = &out {
        // Fails fast before a slow 4096-bit generation; `create_new` below is the real guard.
        if path.symlink_metadata().is_ok() {
            return Err(exists(path));
        }
    }
    let (key, pem) = RsaSigningKey::generate(bits).map_err(|e| e.to_string())?;
    let kid = key.kid().to_owned();
    let path = out.unwrap_or_else(|| {
        let short: String = kid.chars().take(KID_IN_FILE_NAME).collect();
        PathBuf::from(format!("jwt-signing-{short}.pem"))
    });
    write_new(&path, pem.expose_secret().as_bytes())?;
    Ok(Generated { kid, path, bits })
}

fn exists(path: &Path) -> String {
    format!(
        "{} already exists: nothing was written (choose another --out, or move that file away)",
        path.display()
    )
}

/// Creates `path` (never following or replacing anything already there) readable and writable
/// by its owner only, and writes `contents` to disk before returning.
fn write_new(path: &Path, contents: &[u8]) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => exists(path),
        _ => format!("cannot create {}: {e}", path.display()),
    })?;
    let written = (|| {
        // The umask may only take bits away; this makes the mode exactly 0600 whatever it is.
        #[cfg(unix)]
        file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        file.write_all(contents)?;
        file.sync_all()
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(path);
        format!("cannot write {}: {e}; nothing was kept", path.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generate(out: Option<&str>, bits: RsaKeyBits) -> KeysCommand {
        KeysCommand::Generate {
            out: out.map(PathBuf::from),
            bits,
        }
    }

    #[test]
    fn generate_takes_an_optional_file_and_size_in_either_spelling() {
        let cases: [(&[&str], KeysCommand); 5] = [
            (&["generate"], generate(None, RsaKeyBits::Rsa2048)),
            (
                &["generate", "--out", "next.pem"],
                generate(Some("next.pem"), RsaKeyBits::Rsa2048),
            ),
            (
                &["generate", "--out=/etc/authd/k2.pem", "--bits=3072"],
                generate(Some("/etc/authd/k2.pem"), RsaKeyBits::Rsa3072),
            ),
            (
                &["generate", "--bits", "4096", "--out", "a b.pem"],
                generate(Some("a b.pem"), RsaKeyBits::Rsa4096),
            ),
            (
                &["generate", "--bits", "2048"],
                generate(None, RsaKeyBits::Rsa2048),
            ),
        ];
        for (args, expected) in cases {
            assert_eq!(parse(args), Ok(expected), "{args:?}");
        }
    }

    #[test]
    fn wrong_arguments_are_named() {
        let cases: [(&[&str], &str); 11] = [
            (&[], "generate"),
            (&["rotate"], "unknown keys command rotate"),
            (&["generate", "next.pem"], "--out"),
            (&["generate", "--out"], "--out needs a value"),
            (&["generate", "--out="], "--out needs a value"),
            (&["generate", "--bits", "1024"], "2048, 3072 or 4096"),
            (&["generate", "--bits=lots"], "2048, 3072 or 4096"),
            (&["generate", "--out", "a", "--out", "b"], "twice"),
            (&["generate", "--force"], "unknown option --force"),
            (&["generate", "-o", "a.pem"], "unknown option -o"),
            (&["generate", "--out", "keys/a,b.pem"], "commas"),
        ];
        for (args, says) in cases {
            let error = parse(args).unwrap_err();
            assert!(error.contains(says), "{args:?}: {error}");
        }
    }

    #[test]
    fn a_new_file_holds_the_key_with_the_printed_kid_and_an_existing_one_is_kept() {
        let dir = std::env::temp_dir().join(format!("authd-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("next.pem");
        let _ = std::fs::remove_file(&path);

        let made = run(generate(path.to_str(), RsaKeyBits::Rsa2048)).unwrap();

        let pem = std::fs::read_to_string(&path).unwrap();
        assert_eq!(RsaSigningKey::from_pem(&pem).unwrap().kid(), made.kid);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = run(generate(path.to_str(), RsaKeyBits::Rsa2048)).unwrap_err();
        assert!(again.contains("already exists"), "{again}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), pem);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_in_a_missing_directory_is_reported_and_not_made() {
        let path = std::env::temp_dir()
            .join(format!("authd-no-such-dir-{}", std::process::id()))
            .join("k.pem");
        let error = run(generate(path.to_str(), RsaKeyBits::Rsa2048)).unwrap_err();
        assert!(error.starts_with("cannot create"), "{error}");
        assert!(!path.exists());
    }
}
