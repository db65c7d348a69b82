ALTER TABLE mfa_challenges DROP COLUMN lock_bypass;

-- Unlock tokens cannot exist under the narrower check.
DELETE FROM one_time_tokens WHERE purpose = 'account_unlock';
ALTER TABLE one_time_tokens DROP CONSTRAINT one_time_tokens_purpose_check;
ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_purpose_check
    CHECK (purpose IN ('email_verification', 'password_reset'));
