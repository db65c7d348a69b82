-- SMS factors cannot exist under the narrower check. Users left without a confirmed factor
-- lose MFA with them, as turning it off would do.
DELETE FROM mfa_factors WHERE kind = 'sms';
UPDATE users SET mfa_enabled = false
WHERE mfa_enabled
  AND NOT EXISTS (SELECT 1 FROM mfa_factors f
                  WHERE f.user_id = users.id AND f.confirmed_at IS NOT NULL);
DELETE FROM mfa_backup_codes b
WHERE b.factor_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM mfa_factors f
                  WHERE f.user_id = b.user_id AND f.confirmed_at IS NOT NULL);
ALTER TABLE mfa_factors DROP CONSTRAINT mfa_factors_sms_phone_check;
ALTER TABLE mfa_factors DROP CONSTRAINT mfa_factors_kind_check;
ALTER TABLE mfa_factors ADD CONSTRAINT mfa_factors_kind_check
    CHECK (kind IN ('totp', 'email'));
ALTER TABLE mfa_factors DROP COLUMN phone;
