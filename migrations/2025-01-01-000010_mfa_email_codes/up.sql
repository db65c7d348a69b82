-- Email codes as a second factor (issue 14).
--
-- An email factor has no secret: its codes are 6 digits minted by the mail worker just before
-- the mail goes out, stored only as a keyed digest (HMAC under MFA_ENCRYPTION_KEY) with their
-- expiry, and spent by one compare-and-set
-- `UPDATE ... SET code_digest = NULL WHERE code_digest = ANY($digests) AND code_expires_at > now`,
-- so exactly one of concurrent uses gets a code. A new code replaces the earlier one.
-- On a factor the code is the setup code of a pending email factor or a step-up code of a
-- confirmed one; on a challenge it is the login code of that mfaToken.
ALTER TABLE mfa_factors ALTER COLUMN secret DROP NOT NULL;
ALTER TABLE mfa_factors DROP CONSTRAINT mfa_factors_kind_check;
ALTER TABLE mfa_factors ADD CONSTRAINT mfa_factors_kind_check
    CHECK (kind IN ('totp', 'email'));
ALTER TABLE mfa_factors ADD CONSTRAINT mfa_factors_totp_secret_check
    CHECK (kind <> 'totp' OR secret IS NOT NULL);
ALTER TABLE mfa_factors ADD COLUMN code_digest text;
ALTER TABLE mfa_factors ADD COLUMN code_expires_at timestamptz;

ALTER TABLE mfa_challenges ADD COLUMN code_digest text;
ALTER TABLE mfa_challenges ADD COLUMN code_expires_at timestamptz;
