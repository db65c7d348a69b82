// @generated automatically by Diesel CLI.

diesel::table! {
    audit_events (id) {
        id -> Uuid,
        seq -> Int8,
        at -> Timestamptz,
        kind -> Text,
        user_id -> Nullable<Uuid>,
        session_id -> Nullable<Uuid>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    login_failures (digest) {
        digest -> Text,
        failed_attempts -> Int4,
        last_failed_at -> Nullable<Timestamptz>,
        locked_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    one_time_tokens (hash) {
        hash -> Text,
        user_id -> Uuid,
        purpose -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Uuid,
        kind -> Text,
        payload -> Jsonb,
        created_at -> Timestamptz,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        leased_until -> Nullable<Timestamptz>,
        sent_at -> Nullable<Timestamptz>,
        dead_at -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (hash) {
        hash -> Text,
        session_id -> Uuid,
        user_id -> Uuid,
        issued_at -> Timestamptz,
        expires_at -> Timestamptz,
        rotated_at -> Nullable<Timestamptz>,
        successor_hash -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        remember_me -> Bool,
        created_at -> Timestamptz,
        last_activity -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        current_token_hash -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        username -> Text,
        password_hash -> Text,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        phone -> Nullable<Text>,
        preferences -> Jsonb,
        status -> Text,
        email_verified -> Bool,
        phone_verified -> Bool,
        roles -> Array<Nullable<Text>>,
        failed_login_attempts -> Int4,
        last_failed_login -> Nullable<Timestamptz>,
        locked_until -> Nullable<Timestamptz>,
        last_login -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        username_skeleton -> Text,
    }
}

diesel::joinable!(one_time_tokens -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_events,
    login_failures,
    one_time_tokens,
    outbox,
    refresh_tokens,
    sessions,
    users,
);
