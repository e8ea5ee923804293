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
// The store runs on SQLite (OpenSQLite) with its schema migrations built
// into the binary. Commands that only look credentials up open it with
// ReadOnly, which never creates or migrates a database. Queries are written
// in SQL that PostgreSQL shares; what differs between backends (driver
// settings, placeholders, error codes, migration files) is kept in one place
// per backend.
package registry
