// Package translog is kyso's transparency log: every issuance and status
// change of a credential is appended to an append-only Merkle tree whose
// size and root the log signs, so that a credential issued silently, or
// back-dated into an old part of the history, can be detected by anyone who
// keeps the log's checkpoints.
//
// # Entries and records (format kyso.translog/v1)
//
// The registry describes an event as an Entry: its Kind (issue, revoke,
// supersede), the credential's ID, the SHA-256 of the signed document and
// of the bytes its final signature covers, the time, and for a supersession
// the ID of the credential replaced. The log stores and publishes a Record
// instead, in which each credential ID is replaced by
//
//	SHA-256("kyso.translog/v1 credential-id\n" || ID)
//
// (CredentialHash). Log entries thus hold hashes only: no names, dates of
// birth or other personal data, and not the IDs either, since an ID opens
// the credential's public page and the public log must not become a list of
// them. IDs carry 100 random bits, so their hashes cannot be reversed;
// whoever holds an ID can compute its hash and find its entries.
//
// A record is encoded as exactly seven lines, each ending in "\n":
//
//	kyso.translog/v1
//	kind issue|revoke|supersede
//	credential_sha256 <64 lower-case hex>
//	document_sha256 <64 lower-case hex>
//	signed_sha256 <64 lower-case hex>
//	time <YYYY-MM-DDTHH:MM:SSZ, UTC, whole seconds>
//	prev_credential_sha256 <64 lower-case hex>
//
// A hash that does not apply is 64 zeros: prev_credential_sha256 except for
// supersede (where the credential is the new one and prev the one it
// replaces), document_sha256 may be zero except for issue, signed_sha256
// when unknown. Each record has exactly one encoding; ParseRecord refuses
// anything else. The Merkle tree leaf is the RFC 6962 / RFC 9162 leaf hash
// SHA-256(0x00 || encoding), and interior nodes are SHA-256(0x01 || left ||
// right), with github.com/transparency-dev/merkle computing and verifying
// the proofs.
//
// # Checkpoints and keys
//
// A checkpoint is a C2SP signed note (c2sp.org/signed-note) in the
// tlog-checkpoint format (c2sp.org/tlog-checkpoint): the origin (the log's
// name, such as "kyso.example/log"), the tree size in decimal and the root
// hash in standard base64, each on its own line, a blank line, and the
// signature line "— <origin> <base64(4-byte key hash || Ed25519
// signature)>". No extension lines are written or accepted. The envelope
// is handled by golang.org/x/mod/sumdb/note. Keys are in that package's
// text form: the private key "PRIVATE+KEY+<origin>+<8 hex key hash>+<base64
// of 0x01 || 32-byte seed>" and the public key "<origin>+<8 hex key
// hash>+<base64 of 0x01 || 32-byte public key>" (GenerateKey). The private
// key must be kept secret and out of configuration files; the public key is
// what verifiers are given.
//
// Checkpoints carry no time. Whoever fetches them regularly (a monitor,
// a school, a ministry) knows when each size was first seen, and an
// inclusion proof against an old checkpoint proves that an entry existed
// then; a back-dated entry can only be appended after the checkpoints
// already published.
//
// # Storage
//
// A Store keeps leaves and checkpoints; SQLStore does so in the tables
// translog_leaves (idx, leaf_hash, entry, created_at) and
// translog_checkpoints (size, root, note, created_at) of a SQLite or
// PostgreSQL database, created by Migrate, which records its versions in
// translog_schema so that the log can share the registry's database.
// Triggers refuse updates and deletes of both tables, a leaf that does not
// come right after the last one, and a checkpoint of more leaves than
// stored. Appends are serialised (SQLite's write lock; a PostgreSQL
// advisory lock) and may run inside the caller's transaction (AppendTx),
// so a credential and its log entry commit or roll back together.
//
// # Memory and cost
//
// A Log keeps in memory the hash of every complete subtree of 256 leaves
// and of every node above them, plus the leaf hashes of the last incomplete
// 256-leaf tile: about 8 KiB per 65,536 leaves, 256 KiB at a million. Open
// builds this by reading every stored leaf hash once; afterwards the log
// catches up incrementally, reading only leaves committed since (by itself
// or by other processes sharing the store). A root or proof needs those
// cached hashes plus at most a few tiles of 256 leaf hashes read from the
// store, whatever the size of the log. Every proof is verified against the
// tree's root, and against the signed root when it is for the latest
// checkpoint's size, before it is returned; a store changed behind the
// log's back shows as ErrCorrupt, and Open refuses a store whose leaves no
// longer reproduce the latest checkpoint.
//
// # HTTP
//
// Handler serves GET /checkpoint, /proof/inclusion, /proof/consistency and
// /entries/{index} with plain net/http, for the server to mount.
// VerifyCheckpoint, VerifyInclusion and VerifyConsistency are what clients
// such as "kyso verify" use on the answers.
package translog
