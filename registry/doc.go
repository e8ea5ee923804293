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
