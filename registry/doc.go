// Package registry keeps every issued credential and its history.
//
// A credential is recorded once, when it is issued, together with two
// hashes and the few public fields a verifier may see: the SHA-256 of the
// whole signed file, and the SHA-256 of the bytes its final signature covers.
// The second survives changes to the unsigned signature container (hex case,
// unsigned CMS attributes, extra certificates), so lookups by it find a
// credential the first would miss. A credential is never deleted: its status
// may later change to revoked or superseded, and every change is written to
// an append-only audit log in the same transaction. Database triggers refuse
// deletes, rewrites of what was issued, and any change to the audit log, so
// records survive mistakes made outside this package too.
//
// Credentials are identified by an ID of 100 random bits, written as 20
// Crockford base32 symbols and a GF(32) check symbol in three groups of
// seven (7KQ2M9P-X4R8T1B-HC0WZ3D). ParseID accepts what a person types:
// any case, with or without hyphens and spaces, I and L for 1, O for 0.
//
// # Statuses
//
// A credential is issued valid. Revoke makes it revoked, which is final.
// Supersede records that a corrected credential (issued after it, of the
// same kind, valid, and replacing nothing yet) replaces a valid one: the old
// one becomes superseded and the two point at each other (SupersededBy,
// Supersedes). A superseded credential can still be revoked and keeps its
// link. Each change carries a reason and the time it takes effect, which may
// be in the past but not before the credential's previous change, nor after
// the store's clock; the audit entry records separately when it was written,
// so a back-dated change stays visible. A refused change is a *StatusError
// (errors.Is ErrStatus) naming the credential and the problem. Changes to
// one credential are serialised: of concurrent revocations exactly one
// succeeds. The database checks the same transitions in triggers.
//
// # Transparency log
//
// A store opened with WithLog keeps a transparency log (package translog)
// in its own database: its tables are migrated alongside the registry's
// (read-write opens only), and every Issue, Revoke and Supersede appends
// its entry in the same transaction as the credential and audit changes,
// on both backends, so a crash never leaves one without the other. The
// entries are: issue (the compact ID, the document and signed hashes, the
// IssuedAt time), revoke (the same ID and hashes, the time the revocation
// takes effect) and supersede (the new credential's ID and hashes, the
// replaced ID as Prev, the time it takes effect); IssueEntry rebuilds the
// first from a credential. SignCheckpoint signs the log's current state;
// Log gives the log to the server, which needs only the public key, also
// on a read-only store. The log is an Option so that the library can be
// used without one; the kyso command turns it on whenever it has the
// log's key. Once a database has a log, opening it for writing without
// WithLog fails with ErrLogRequired, so no change can bypass the log.
//
// # Backends
//
// The store runs on SQLite (OpenSQLite), the default, or on PostgreSQL
// (OpenPostgres, through pgx's database/sql driver), both with their schema
// migrations built into the binary: the same versions, with the same names
// and meaning, in migrations/sqlite and migrations/postgres. Both pass one
// conformance test suite. Commands that only look credentials up open the
// store with ReadOnly, which never creates or migrates a database. Queries
// are written in SQL that both backends share; what differs (driver
// settings, placeholders, row locks, migration locks, error codes,
// migration files) is kept in one place per backend. Times are stored as
// fixed-width UTC text on both, since PostgreSQL's timestamptz would drop
// the nanoseconds the registry keeps.
//
// Strings with NUL characters or invalid UTF-8, which PostgreSQL cannot
// store, are refused on both backends alike. Connection URLs in errors lose
// their password (RedactURL).
package registry
