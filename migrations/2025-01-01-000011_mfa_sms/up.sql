-- SMS codes as a second factor (issue 14).
--
-- An SMS factor has no secret but a number: its codes are minted by the outbox worker just
-- before the SMS goes out and stored like emailed codes (code_digest, code_expires_at). The
-- number is E.164 and belongs to the factor, not the profile: changing the profile's phone does
-- not move where codes go.
ALTER TABLE mfa_factors ADD COLUMN phone text;
ALTER TABLE mfa_factors DROP CONSTRAINT mfa_factors_kind_check;
ALTER TABLE mfa_factors ADD CONSTRAINT mfa_factors_kind_check
    CHECK (kind IN ('totp', 'email', 'sms'));
ALTER TABLE mfa_factors ADD CONSTRAINT mfa_factors_sms_phone_check
    CHECK (kind <> 'sms' OR phone IS NOT NULL);
