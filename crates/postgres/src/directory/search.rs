//! `UserDirectory::search`: one page of accounts and the exact count of all that match, read in
//! one snapshot. The search term is matched with `LIKE` on `lower(email)` and `lower(username)`,
//! which the trigram indexes of migration 000012 serve (docs/postgres.md, "Admin user search").

use crate::error::TxError;
use crate::rows::UserRow;
use crate::schema::users;
use authd_domain::directory::{Page, UserQuery, UserSort};
use authd_domain::user::User;
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

diesel::define_sql_function! {
    /// `lower(text)`: the expression the trigram indexes are built on.
    #[sql_name = "lower"]
    fn lower_text(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// `term` as a `LIKE` pattern matching it anywhere: `%`, `_` and the escape character `\`
/// (PostgreSQL's default) in it stand for themselves.
pub(crate) fn contains_pattern(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for ch in term.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// The accounts `query` selects, in no order.
fn matching<'a>(query: &'a UserQuery, pattern: Option<&'a str>) -> users::BoxedQuery<'a, Pg> {
    let mut q = users::table.into_boxed();
    if let Some(status) = query.status {
        q = q.filter(users::status.eq(status.as_str()));
    }
    if let Some(role) = &query.role {
        q = q.filter(users::roles.contains(vec![Some(role.as_str().to_owned())]));
    }
    if let Some(pattern) = pattern {
        q = q.filter(
            lower_text(users::email)
                .like(pattern)
                .or(lower_text(users::username).like(pattern)),
        );
    }
    q
}

/// Sorted as `sort` says, ties by id in the same direction. Emails and usernames compare by
/// their lowercased bytes (`COLLATE "C"`): the order of the indexes, whatever the server's locale.
fn sorted(q: users::BoxedQuery<'_, Pg>, sort: UserSort) -> users::BoxedQuery<'_, Pg> {
    let email = || sql::<Text>(r#"lower(users.email) COLLATE "C""#);
    let username = || sql::<Text>(r#"lower(users.username) COLLATE "C""#);
    match sort {
        UserSort::NewestFirst => q.order((users::created_at.desc(), users::id.desc())),
        UserSort::OldestFirst => q.order((users::created_at.asc(), users::id.asc())),
        UserSort::EmailAsc => q.order((email().asc(), users::id.asc())),
        UserSort::EmailDesc => q.order((email().desc(), users::id.desc())),
        UserSort::UsernameAsc => q.order((username().asc(), users::id.asc())),
        UserSort::UsernameDesc => q.order((username().desc(), users::id.desc())),
        UserSort::LastLoginDesc => {
            q.order((users::last_login.desc().nulls_last(), users::id.desc()))
        }
        UserSort::LastLoginAsc => q.order((users::last_login.asc().nulls_first(), users::id.asc())),
    }
}

/// The page and the total, in one read-only repeatable-read transaction so that they agree.
pub(super) async fn search(
    c: &mut AsyncPgConnection,
    query: &UserQuery,
) -> Result<Page<User>, TxError> {
    let pattern = query.search.as_ref().map(|t| contains_pattern(t.as_str()));
    let pattern = pattern.as_deref();
    let limit = i64::from(query.page.limit());
    let offset = i64::try_from(query.page.offset()).unwrap_or(i64::MAX);
    let (rows, total) = c
        .build_transaction()
        .repeatable_read()
        .read_only()
        .run::<_, TxError, _>(async |c| {
            // Planned for the term at hand, always: after a few broad terms PostgreSQL would
            // settle on one generic plan for the cached statement, and a plan that walks the
            // creation-order index suits a term matching half the accounts but reads every
            // account for a term matching two (docs/postgres.md, "Admin user search").
            diesel::sql_query("SET LOCAL plan_cache_mode = force_custom_plan")
                .execute(c)
                .await?;
            let rows: Vec<UserRow> = sorted(matching(query, pattern), query.sort)
                .limit(limit)
                .offset(offset)
                .select(UserRow::as_select())
                .load(c)
                .await?;
            let total: i64 = matching(query, pattern).count().get_result(c).await?;
            Ok((rows, total))
        })
        .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(UserRow::into_domain)
            .collect::<Result<_, _>>()?,
        request: query.page,
        total: u64::try_from(total).unwrap_or(0),
    })
}

/// The SQL `search` runs for `query`, with its binds, for the measurements of docs/postgres.md
/// and the benchmark.
#[must_use]
pub fn search_sql(query: &UserQuery) -> (String, String) {
    let pattern = query.search.as_ref().map(|t| contains_pattern(t.as_str()));
    let pattern = pattern.as_deref();
    let limit = i64::from(query.page.limit());
    let offset = i64::try_from(query.page.offset()).unwrap_or(i64::MAX);
    let page = sorted(matching(query, pattern), query.sort)
        .limit(limit)
        .offset(offset)
        .select(UserRow::as_select());
    let count = matching(query, pattern).count();
    (
        diesel::debug_query::<Pg, _>(&page).to_string(),
        diesel::debug_query::<Pg, _>(&count).to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_and_the_escape_character_stand_for_themselves() {
        assert_eq!(contains_pattern("ann"), "%ann%");
        assert_eq!(contains_pattern("50%_off"), r"%50\%\_off%");
        assert_eq!(contains_pattern(r"a\b"), r"%a\\b%");
    }
}
