DROP TABLE mfa_remembered_devices;
DROP TABLE mfa_challenges;
DROP TABLE mfa_backup_codes;
DROP TABLE mfa_factors;
ALTER TABLE users DROP COLUMN mfa_enabled;
