-- Lookups by account (logout everywhere, token lists) and expiry sweeps.
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX api_tokens_account ON api_tokens (account_id);
CREATE INDEX documents_status ON documents (status);
