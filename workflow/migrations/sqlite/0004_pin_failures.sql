-- Wrong PINs typed for an account's HSM key, counted by the service: a
-- token that never locks (SoftHSM2, some network HSMs) must not allow
-- unlimited guesses through a stolen session.
ALTER TABLE accounts ADD COLUMN pin_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN pin_locked_until TEXT NOT NULL DEFAULT '';
