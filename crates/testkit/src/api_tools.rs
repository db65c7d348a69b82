//! The tools that check the OpenAPI document from outside, from PyPI in a venv of their own (so
//! that SMTP-only runs do not pay for them): `openapi-spec-validator` and `schemathesis`.

use std::path::PathBuf;

/// Pinned, so every machine checks the same way.
const PINS: [&str; 2] = ["schemathesis==4.32.5", "openapi-spec-validator==0.9.0"];

/// The venv's `bin/`, holding `openapi-spec-validator` and `schemathesis`.
#[must_use]
pub fn bin() -> PathBuf {
    crate::python::venv(&PINS, "import schemathesis, openapi_spec_validator").join("bin")
}
