//! A Python that can import aiosmtpd: the machine's `python3` when it already can, else a venv
//! with it from PyPI ([`crate::python::venv`]).

use std::path::PathBuf;

/// The aiosmtpd release the venv gets: pinned, so every machine runs the same server.
const AIOSMTPD: &str = "aiosmtpd==1.4.6";
const PROBE: &str = "import aiosmtpd.smtp, aiosmtpd.handlers";

/// The interpreter to run the server with.
pub(super) fn find_or_install() -> PathBuf {
    let system = PathBuf::from("python3");
    if crate::python::runs(&system, PROBE) {
        return system;
    }
    crate::python::venv(&[AIOSMTPD], PROBE)
        .join("bin")
        .join("python")
}
