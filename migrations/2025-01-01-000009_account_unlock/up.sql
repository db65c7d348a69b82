-- A lockout that attackers cannot weaponise.
--
-- The "account locked" email carries a single-use self-unlock link: its token is a
-- one_time_tokens row of the new purpose 'account_unlock' (stored as a SHA-256 hash like the
-- others, consumed together with clearing the account's lockout in one statement).
ALTER TABLE one_time_tokens DROP CONSTRAINT one_time_tokens_purpose_check;
ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_purpose_check
    CHECK (purpose IN ('email_verification', 'password_reset', 'account_unlock'));

-- A login from a live remembered device passes a lock that failures from elsewhere caused, but
-- only to the second factor: its challenge is marked so that the lock does not refuse its code.
ALTER TABLE mfa_challenges ADD COLUMN lock_bypass boolean NOT NULL DEFAULT false;
