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
        actor_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    known_devices (user_id, fingerprint) {
        user_id -> Uuid,
        fingerprint -> Text,
        first_seen -> Timestamptz,
        last_seen -> Timestamptz,
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
    mfa_backup_codes (id) {
        id -> Int8,
        user_id -> Uuid,
        digest -> Text,
        factor_id -> Nullable<Uuid>,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    mfa_challenges (hash) {
        hash -> Text,
        user_id -> Uuid,
        verified -> Text,
        remember_me -> Bool,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        attempts -> Int4,
        lock_bypass -> Bool,
        code_digest -> Nullable<Text>,
        code_expires_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    mfa_factors (id) {
        id -> Uuid,
        user_id -> Uuid,
        kind -> Text,
        device_name -> Nullable<Text>,
        secret -> Nullable<Bytea>,
        last_step -> Nullable<Int8>,
        confirmed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        code_digest -> Nullable<Text>,
        code_expires_at -> Nullable<Timestamptz>,
        phone -> Nullable<Text>,
    }
}

diesel::table! {
    mfa_remembered_devices (id) {
        id -> Uuid,
        hash -> Text,
        user_id -> Uuid,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
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
        mfa_enabled -> Bool,
    }
}

diesel::joinable!(known_devices -> users (user_id));
diesel::joinable!(mfa_backup_codes -> mfa_factors (factor_id));
diesel::joinable!(mfa_backup_codes -> users (user_id));
diesel::joinable!(mfa_challenges -> users (user_id));
diesel::joinable!(mfa_factors -> users (user_id));
diesel::joinable!(mfa_remembered_devices -> users (user_id));
diesel::joinable!(one_time_tokens -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_events,
    known_devices,
    login_failures,
    mfa_backup_codes,
    mfa_challenges,
    mfa_factors,
    mfa_remembered_devices,
    one_time_tokens,
    outbox,
    refresh_tokens,
    sessions,
    users,
);
