// Package registry keeps every issued credential and its history.
//
// A credential is recorded once, when it is issued, together with the hash
// of the signed document and the few public fields a verifier may see. It is
// never deleted: its status may later change to revoked or superseded, and
// every change is written to an append-only audit log in the same
// transaction. Database triggers refuse deletes, rewrites of what was issued,
// and any change to the audit log, so records survive mistakes made outside
// this package too.
//
// Credentials are identified by an ID of 100 random bits, written as 20
// Crockford base32 symbols and a GF(32) check symbol in three groups of
// seven (7KQ2M9P-X4R8T1B-HC0WZ3D). ParseID accepts what a person types:
// any case, with or without hyphens and spaces, I and L for 1, O for 0.
//
// The store runs on SQLite (OpenSQLite) with its schema migrations built
// into the binary. Queries are written in SQL that PostgreSQL shares; what
// differs between backends (driver settings, placeholders, error codes,
// migration files) is kept in one place per backend.
package registry
