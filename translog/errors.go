package translog

import "errors"

// Sentinel errors callers branch on. Errors returned by this package wrap
// them; test with errors.Is.
var (
	// ErrInvalidEntry reports an Entry or a record encoding that breaks
	// the rules of kyso.translog/v1.
	ErrInvalidEntry = errors.New("invalid log entry")
	// ErrInvalidArgument reports a request that can never be answered:
	// an inclusion proof for an index not below the tree size, or a
	// consistency proof from a larger tree to a smaller one.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrBeyondTree reports an index or tree size beyond the leaves the log
	// holds now. The same request may succeed once the log has grown.
	ErrBeyondTree = errors.New("beyond the current tree")
	// ErrNotFound reports that no leaf has the leaf hash asked for.
	ErrNotFound = errors.New("not found in the log")
	// ErrNoCheckpoint reports that the log has not signed a checkpoint yet.
	ErrNoCheckpoint = errors.New("no checkpoint")
	// ErrCorrupt reports stored data that contradicts itself or a signed
	// checkpoint: a leaf hash that does not match its record, a missing
	// leaf, or a tree whose root differs from one the log signed. It means
	// the database was changed behind the log's back.
	ErrCorrupt = errors.New("transparency log storage is corrupt")
	// ErrNoSigner reports an attempt to sign a checkpoint with a log opened
	// without its private key.
	ErrNoSigner = errors.New("log has no signing key")
	// ErrInvalidKey reports a malformed key, or a private key that does not
	// belong to the public key it was given with.
	ErrInvalidKey = errors.New("invalid log key")
	// ErrMalformedCheckpoint reports a checkpoint note that does not parse.
	ErrMalformedCheckpoint = errors.New("malformed checkpoint")
	// ErrBadSignature reports a checkpoint that is not signed by the
	// expected key, or whose text was changed after signing.
	ErrBadSignature = errors.New("checkpoint signature does not verify")
	// ErrInvalidProof reports an inclusion or consistency proof that does
	// not verify.
	ErrInvalidProof = errors.New("proof does not verify")
	// ErrSchemaTooNew reports a database whose log schema is newer than
	// this program.
	ErrSchemaTooNew = errors.New("transparency log schema is newer than this program")
)
