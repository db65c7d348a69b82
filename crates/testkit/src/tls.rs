//! Certificates for the TLS test servers, made during the test: a CA of its own and a server
//! certificate it signed, for `localhost` and `127.0.0.1`, as PEM files in a temp dir that goes
//! away with the value. Another [`TestCertificates`] is a CA the first server does not trust:
//! the "wrong CA" of a test.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use std::fs;
use std::path::{Path, PathBuf};

/// A CA and a server certificate it signed, on disk.
#[derive(Debug)]
pub struct TestCertificates {
    dir: PathBuf,
}

impl TestCertificates {
    /// Generates a fresh CA and server certificate (a few milliseconds).
    pub fn generate() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "authd-tls-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        fs::create_dir(&dir).unwrap_or_else(|e| panic!("could not create {}: {e}", dir.display()));
        let failed = |e: rcgen::Error| -> ! { panic!("generating test certificates: {e}") };
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| failed(e));
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        // A name of its own, so that another test CA is unknown rather than a forger.
        let name = format!("authd test CA {}", uuid::Uuid::new_v4().simple());
        ca.distinguished_name.push(DnType::CommonName, name);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_key = KeyPair::generate().unwrap_or_else(|e| failed(e));
        let ca = CertifiedIssuer::self_signed(ca, ca_key).unwrap_or_else(|e| failed(e));
        let mut server =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
                .unwrap_or_else(|e| failed(e));
        server
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let server_key = KeyPair::generate().unwrap_or_else(|e| failed(e));
        let cert = server
            .signed_by(&server_key, &ca)
            .unwrap_or_else(|e| failed(e));
        let this = Self { dir };
        this.write("ca.pem", &ca.pem());
        this.write("server.pem", &cert.pem());
        this.write("server.key", &server_key.serialize_pem());
        this
    }

    /// The CA certificate (what a client is told to trust).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// The server's certificate.
    pub fn cert_file(&self) -> PathBuf {
        self.dir.join("server.pem")
    }

    /// The server's private key (mode 0600).
    pub fn key_file(&self) -> PathBuf {
        self.dir.join("server.key")
    }

    /// The directory of the three files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn write(&self, name: &str, pem: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.dir.join(name);
        fs::write(&path, pem).unwrap_or_else(|e| panic!("could not write {}: {e}", path.display()));
        // PostgreSQL refuses a key others may read.
        let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o600));
        if name != "server.key" {
            let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o644));
        }
    }
}

impl Drop for TestCertificates {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}
