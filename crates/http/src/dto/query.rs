//! The query strings of the listings, read strictly: every parameter a listing knows is
//! decoded (percent-encoding, `+` for a space, UTF-8) and checked, and each one that fails
//! becomes one `details` entry named as in the query (`page`, `userId`, ...) of a 400
//! `VALIDATION_ERROR`. A parameter given twice is refused rather than guessed at. Parameters a
//! listing does not know are ignored (a cache buster must not break a request).

use crate::error::ApiError;
use authd_domain::Timestamp;
use authd_domain::audit::AuditKind;
use authd_domain::authorization::RoleName;
use authd_domain::directory::{AuditQuery, PageRequest, SearchTerm, UserQuery, UserSort};
use authd_domain::error::FieldError;
use authd_domain::ids::UserId;
use authd_domain::user::AccountStatus;
use authd_domain::values::codes::{INVALID_FORMAT, TOO_LONG};

/// The finer codes of a rejected query parameter, beside the domain's `INVALID_FORMAT` and
/// `FIELD_TOO_LONG`.
pub mod codes {
    /// A number outside its range (`limit=101`, `page=0`, `page=-1`).
    pub const OUT_OF_RANGE: &str = "OUT_OF_RANGE";
    /// Not one of the values the parameter takes (`status=banned`, `sort=age`).
    pub const INVALID_VALUE: &str = "INVALID_VALUE";
    /// The parameter appears more than once.
    pub const DUPLICATE: &str = "DUPLICATE_PARAMETER";
    /// Broken percent-encoding, or bytes that are not UTF-8.
    pub const INVALID_ENCODING: &str = "INVALID_ENCODING";
    /// `from` after `to`.
    pub const INVALID_RANGE: &str = "INVALID_RANGE";
}

use codes::{DUPLICATE, INVALID_ENCODING, INVALID_RANGE, INVALID_VALUE, OUT_OF_RANGE};

/// Why one parameter was refused.
type Problem = (&'static str, String);

/// `GET /v1/admin/users?page&limit&status&search&role&sort`.
///
/// # Errors
/// `VALIDATION_ERROR` with one detail per bad parameter.
pub fn users(raw: &str) -> Result<UserQuery, ApiError> {
    let mut params = Params::read(raw, &["page", "limit", "status", "search", "role", "sort"]);
    let page = page_of(&mut params);
    let status = params.take("status", |v| {
        AccountStatus::parse(v).ok_or_else(|| {
            (
                INVALID_VALUE,
                "status must be one of pending, active, suspended, deleted".to_owned(),
            )
        })
    });
    let search = params.take("search", search_term);
    let role = params.take("role", |v| {
        RoleName::parse(v).map_err(|_| {
            (
                INVALID_FORMAT,
                "role must be a role name (a letter, then letters, digits, _, -, . or :; at most 64)"
                    .to_owned(),
            )
        })
    });
    let sort = params.take("sort", |v| {
        UserSort::parse(v).ok_or_else(|| {
            let known: Vec<&str> = UserSort::ALL.iter().map(|s| s.as_str()).collect();
            (
                INVALID_VALUE,
                format!("sort must be one of {}", known.join(", ")),
            )
        })
    });
    params.finish(UserQuery {
        status,
        search,
        role,
        sort: sort.unwrap_or_default(),
        page,
    })
}

/// `GET /v1/admin/audit-events?userId&type&from&to&page&limit`.
///
/// # Errors
/// `VALIDATION_ERROR` with one detail per bad parameter.
pub fn audit_events(raw: &str) -> Result<AuditQuery, ApiError> {
    let mut params = Params::read(raw, &["userId", "type", "from", "to", "page", "limit"]);
    let page = page_of(&mut params);
    let user_id = params.take("userId", |v| {
        UserId::parse(v).ok_or_else(|| (INVALID_FORMAT, "userId must be a UUID".to_owned()))
    });
    let kinds = params.take("type", kinds).unwrap_or_default();
    let from = params.take("from", |v| time("from", v));
    let to = params.take("to", |v| time("to", v));
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        params.refuse(
            "from",
            (INVALID_RANGE, "from must not be after to".to_owned()),
        );
    }
    params.finish(AuditQuery {
        user_id,
        kinds,
        from,
        to,
        page,
    })
}

/// `?page&limit` alone (`GET /v1/users/me/activity`).
///
/// # Errors
/// `VALIDATION_ERROR` with one detail per bad parameter.
pub fn page(raw: &str) -> Result<PageRequest, ApiError> {
    let mut params = Params::read(raw, &["page", "limit"]);
    let page = page_of(&mut params);
    params.finish(page)
}

/// `page` (1-100000, default 1) and `limit` (1-100, default 20).
fn page_of(params: &mut Params) -> PageRequest {
    let page = params.take("page", |v| number("page", v, PageRequest::MAX_PAGE));
    let limit = params.take("limit", |v| number("limit", v, PageRequest::MAX_LIMIT));
    // Each was checked above; a refused one leaves the default, and the whole query fails.
    PageRequest::new(page, limit).unwrap_or_default()
}

/// A whole number from 1 to `max`, written in plain digits.
fn number(name: &str, v: &str, max: u32) -> Result<u32, Problem> {
    let out_of_range = || (OUT_OF_RANGE, format!("{name} must be between 1 and {max}"));
    let digits = v.strip_prefix('-').unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err((INVALID_FORMAT, format!("{name} must be a whole number")));
    }
    if v.starts_with('-') {
        return Err(out_of_range());
    }
    // Too many digits for a u32 is out of range as much as 101 is.
    match v.parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(out_of_range()),
    }
}

fn search_term(v: &str) -> Result<SearchTerm, Problem> {
    SearchTerm::parse(v).map_err(|_| {
        if v.trim().chars().count() > SearchTerm::MAX_CHARS {
            (
                TOO_LONG,
                format!(
                    "search must be at most {} characters",
                    SearchTerm::MAX_CHARS
                ),
            )
        } else {
            (
                INVALID_FORMAT,
                "search must be 1-100 characters without control characters".to_owned(),
            )
        }
    })
}

/// `type`: one event type or several separated by commas; duplicates collapse.
fn kinds(v: &str) -> Result<Vec<AuditKind>, Problem> {
    let mut kinds = Vec::new();
    for name in v.split(',').map(str::trim) {
        let kind = AuditKind::parse(name).ok_or_else(|| {
            (
                INVALID_VALUE,
                "type must be event types (such as login_succeeded) separated by commas".to_owned(),
            )
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// An RFC 3339 time (`2023-12-01T10:30:00Z`; a `+` offset must be sent as `%2B`).
fn time(name: &str, v: &str) -> Result<Timestamp, Problem> {
    chrono::DateTime::parse_from_rfc3339(v)
        .map(|t| t.to_utc())
        .map_err(|_| {
            (
                INVALID_FORMAT,
                format!("{name} must be an RFC 3339 time such as 2023-12-01T10:30:00Z"),
            )
        })
}

/// The known parameters of one query string, decoded, and the problems found so far.
#[derive(Debug, Default)]
struct Params {
    /// The parameters the listing knows, in the order its problems are reported.
    known: &'static [&'static str],
    found: Vec<(&'static str, String)>,
    seen: Vec<&'static str>,
    problems: Vec<FieldError>,
}

impl Params {
    fn read(raw: &str, known: &'static [&'static str]) -> Self {
        let mut params = Self {
            known,
            ..Self::default()
        };
        for pair in raw.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            // A name that does not decode is no name a listing knows.
            let Some(name) = decode(name).and_then(|n| known.iter().find(|k| **k == n).copied())
            else {
                continue;
            };
            if params.seen.contains(&name) {
                params.found.retain(|(n, _)| *n != name);
                params.refuse(name, (DUPLICATE, format!("{name} must be given once")));
                continue;
            }
            params.seen.push(name);
            match decode(value) {
                Some(value) => params.found.push((name, value)),
                None => params.refuse(
                    name,
                    (
                        INVALID_ENCODING,
                        format!("{name} is not valid percent-encoded UTF-8"),
                    ),
                ),
            }
        }
        params
    }

    /// The value of `name` through `parse`; `None` when absent or refused.
    fn take<T>(
        &mut self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, Problem>,
    ) -> Option<T> {
        let at = self.found.iter().position(|(n, _)| *n == name)?;
        let (_, value) = self.found.swap_remove(at);
        parse(&value)
            .map_err(|problem| self.refuse(name, problem))
            .ok()
    }

    /// Records a problem with `name`, unless it has one already: one detail per parameter.
    fn refuse(&mut self, name: &str, (code, message): Problem) {
        if !self.problems.iter().any(|p| p.field == name) {
            self.problems.push(FieldError::new(name, code, message));
        }
    }

    fn finish<T>(mut self, value: T) -> Result<T, ApiError> {
        if self.problems.is_empty() {
            return Ok(value);
        }
        let known = self.known;
        self.problems
            .sort_by_key(|p| known.iter().position(|k| *k == p.field));
        Err(ApiError::Validation(self.problems))
    }
}

/// `application/x-www-form-urlencoded` decoding of one name or value: `+` is a space, `%XX` a
/// byte. `None` for a `%` without two hex digits, or bytes that are not UTF-8.
fn decode(raw: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut rest = raw.bytes();
    while let Some(b) = rest.next() {
        bytes.push(match b {
            b'+' => b' ',
            b'%' => {
                let hi = hex(rest.next()?)?;
                let lo = hex(rest.next()?)?;
                (hi << 4) | lo
            }
            b => b,
        });
    }
    String::from_utf8(bytes).ok()
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests;
