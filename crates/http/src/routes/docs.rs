//! `GET /v1/openapi.json` (the document, serialised once per process) and the interactive docs:
//! Swagger UI at `/docs/`, its files embedded in the binary (no CDN, so it works offline).

use super::Features;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::{Bytes, Data, Path};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};
use utoipa_swagger_ui::Config;

/// Where the document is served, and what the viewer loads.
pub const DOCUMENT_PATH: &str = "/v1/openapi.json";

/// Swagger UI's own stylesheet uses `data:` images and its bundle sets inline styles; nothing
/// else is relaxed, and only for the viewer's files.
const DOCS_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";

/// The document of each set of features served in this process (one, outside of tests),
/// serialised once.
static DOCUMENTS: LazyLock<RwLock<HashMap<Features, Bytes>>> = LazyLock::new(RwLock::default);

fn serialised(features: Features) -> Bytes {
    let document = super::openapi_of(features);
    // Serialising a tree of strings, maps and numbers cannot fail; the empty answer is a safety net.
    Bytes::from(serde_json::to_vec(&document).unwrap_or_default())
}

fn document(features: Features) -> Bytes {
    if let Some(found) = DOCUMENTS
        .read()
        .ok()
        .and_then(|documents| documents.get(&features).cloned())
    {
        return found;
    }
    let built = serialised(features);
    if let Ok(mut documents) = DOCUMENTS.write() {
        documents.insert(features, built.clone());
    }
    built
}

static VIEWER: LazyLock<Arc<Config<'static>>> = LazyLock::new(|| {
    Arc::new(
        Config::new([DOCUMENT_PATH])
            // The bundle's default sends the document to validator.swagger.io.
            .validator_url("none")
            .try_it_out_enabled(true)
            .persist_authorization(false)
            .display_operation_id(true),
    )
});

/// Builds the document now, at start-up, rather than on the first request for it.
pub fn prepare(features: Features) {
    document(features);
}

/// The OpenAPI 3.1 document of this API
#[utoipa::path(
    get, path = "/v1/openapi.json", tag = "docs", operation_id = "openapi",
    responses((status = 200, description = "This document", body = Object)),
)]
pub async fn openapi_json(state: Option<Data<AppState>>) -> HttpResponse {
    // Without the state (the middleware's unit tests), the complete document.
    let features = state.map_or(Features::ALL, |s| Features::of(&s));
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document(features))
}

/// The interactive docs
///
/// Redirects to `/docs/`, whose relative links load the viewer's files.
#[utoipa::path(
    get, path = "/docs", tag = "docs", operation_id = "docs",
    responses((status = 308, description = "To `/docs/`",
        headers(("Location" = String, description = "`/docs/`")))),
)]
pub async fn index() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// The page of the interactive docs (Swagger UI)
#[utoipa::path(
    get, path = "/docs/", tag = "docs", operation_id = "docsPage",
    responses((status = 200, description = "The page", content_type = "text/html", body = String)),
)]
pub async fn page() -> Result<HttpResponse, ApiError> {
    viewer_file("index.html")
}

/// A file of the interactive docs (Swagger UI): its scripts, styles and icons
#[utoipa::path(
    get, path = "/docs/{file}", tag = "docs", operation_id = "docsFile",
    params(("file" = String, Path, description = "`swagger-ui-bundle.js`, `swagger-ui.css`, \
        `swagger-initializer.js`, ...")),
    responses(
        (status = 200, description = "The file", content(
            (String = "text/html"), (String = "text/javascript"), (String = "text/css"),
            (String = "image/png"))),
        (status = 404, description = "`NOT_FOUND`: not a file of the viewer"),
    ),
)]
pub async fn file(name: Path<String>) -> Result<HttpResponse, ApiError> {
    viewer_file(&name)
}

fn viewer_file(name: &str) -> Result<HttpResponse, ApiError> {
    let found = utoipa_swagger_ui::serve(name, VIEWER.clone())
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let Some(file) = found else {
        return Err(ApiError::NotFound("Resource not found"));
    };
    let mut res = HttpResponse::Ok();
    res.content_type(file.content_type).insert_header((
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DOCS_CSP),
    ));
    if file.gzpipped {
        res.insert_header((header::CONTENT_ENCODING, "gzip"));
    }
    Ok(res.body(file.bytes.into_owned()))
}
