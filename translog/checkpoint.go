package translog

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// maxNoteSize bounds the checkpoint notes VerifyCheckpoint reads. The log's
// own notes are under 200 bytes; the rest leaves room for cosignatures.
const maxNoteSize = 16 << 10

// maxOrigin bounds the length of a log's origin.
const maxOrigin = 255

// Checkpoint is a signed statement of the log's tree at one size, in the
// C2SP tlog-checkpoint format: a signed note whose text is three lines,
//
//	<origin>
//	<tree size in decimal>
//	<root hash in standard base64>
//
// followed by a blank line and one signature line per signer,
// "— <origin> <base64(key hash (4 bytes) || Ed25519 signature)>".
type Checkpoint struct {
	// Origin names the log; it is also the name of the log's key.
	Origin string
	// Size is the number of leaves in the tree.
	Size uint64
	// Root is the RFC 6962 root hash of the tree.
	Root [32]byte
	// Note is the whole signed note, as served at /checkpoint.
	Note []byte
}

// validOrigin reports whether s can name a log and its key: 1 to 255 bytes
// of UTF-8 without spaces, control characters or '+' (the separator of the
// key's text form).
func validOrigin(s string) bool {
	if s == "" || len(s) > maxOrigin || !utf8.ValidString(s) || strings.Contains(s, "+") {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) < 0
}

// GenerateKey returns a new Ed25519 key pair for the log named origin (for
// example "kyso.example/log"), in the text forms of the signed-note
// format: the private key "PRIVATE+KEY+<origin>+<key hash>+<base64>" and
// the public (verifier) key "<origin>+<key hash>+<base64>", where the key
// hash is 8 hex digits of SHA-256(origin || "\n" || 0x01 || public key) and
// the base64 holds the algorithm byte 0x01 followed by the 32-byte seed or
// public key. The private key must be kept secret; the public key is what
// verifiers are configured with.
func GenerateKey(rand io.Reader, origin string) (privateKey, publicKey string, err error) {
	if !validOrigin(origin) {
		return "", "", fmt.Errorf("%w: origin %q: want 1 to %d characters without spaces or '+'", ErrInvalidKey, origin, maxOrigin)
	}
	if rand == nil {
		return "", "", errors.New("translog: generate key: nil random source")
	}
	skey, vkey, err := note.GenerateKey(rand, origin)
	if err != nil {
		return "", "", fmt.Errorf("translog: generate key: %w", err)
	}
	return skey, vkey, nil
}

// newVerifier parses a public key in its text form.
func newVerifier(publicKey string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(publicKey))
	if err != nil {
		return nil, fmt.Errorf("%w: public key: %v", ErrInvalidKey, err)
	}
	if !validOrigin(v.Name()) {
		return nil, fmt.Errorf("%w: public key: origin %q", ErrInvalidKey, v.Name())
	}
	return v, nil
}

// newSigner parses a private key in its text form and checks that it
// belongs to v.
func newSigner(privateKey string, v note.Verifier) (note.Signer, error) {
	s, err := note.NewSigner(strings.TrimSpace(privateKey))
	if err != nil {
		// The error says which part is malformed; it never holds key bytes.
		return nil, fmt.Errorf("%w: private key: %v", ErrInvalidKey, err)
	}
	if s.Name() != v.Name() || s.KeyHash() != v.KeyHash() {
		return nil, fmt.Errorf("%w: private key %s+%08x does not match public key %s+%08x", ErrInvalidKey, s.Name(), s.KeyHash(), v.Name(), v.KeyHash())
	}
	// The key hash is 32 bits; a signature settles it.
	msg := []byte("kyso.translog key check\n")
	sig, err := s.Sign(msg)
	if err != nil {
		return nil, fmt.Errorf("%w: private key: %v", ErrInvalidKey, err)
	}
	if !v.Verify(msg, sig) {
		return nil, fmt.Errorf("%w: private key does not match the public key", ErrInvalidKey)
	}
	return s, nil
}

// checkpointText is the note text of a checkpoint.
func checkpointText(origin string, size uint64, root [32]byte) string {
	return origin + "\n" + strconv.FormatUint(size, 10) + "\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n"
}

// signCheckpoint returns the signed note of a checkpoint.
func signCheckpoint(s note.Signer, size uint64, root [32]byte) ([]byte, error) {
	return note.Sign(&note.Note{Text: checkpointText(s.Name(), size, root)}, s)
}

// parseCheckpointText reads the text of a checkpoint note. It accepts
// exactly the three lines this log writes: no extension lines, a size in
// decimal without leading zeros, and a root in canonical standard base64.
func parseCheckpointText(text string) (origin string, size uint64, root [32]byte, err error) {
	lines := strings.Split(text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		return "", 0, root, fmt.Errorf("%w: want three lines of text", ErrMalformedCheckpoint)
	}
	origin = lines[0]
	if !validOrigin(origin) {
		return "", 0, root, fmt.Errorf("%w: origin %q", ErrMalformedCheckpoint, origin)
	}
	s := lines[1]
	if s == "" || len(s) > 20 || (len(s) > 1 && s[0] == '0') || strings.TrimLeft(s, "0123456789") != "" {
		return "", 0, root, fmt.Errorf("%w: tree size %q", ErrMalformedCheckpoint, s)
	}
	size, err = strconv.ParseUint(s, 10, 64)
	if err != nil {
		return "", 0, root, fmt.Errorf("%w: tree size %q", ErrMalformedCheckpoint, s)
	}
	r, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(r) != 32 || base64.StdEncoding.EncodeToString(r) != lines[2] {
		return "", 0, root, fmt.Errorf("%w: root hash %q is not 32 bytes in base64", ErrMalformedCheckpoint, lines[2])
	}
	copy(root[:], r)
	return origin, size, root, nil
}

// VerifyCheckpoint checks that noteText is a checkpoint signed by the log
// whose public key (in the text form GenerateKey returns) is given, and
// returns it. A note not signed by that key, changed after signing, or for
// another origin fails with ErrBadSignature; one that does not parse with
// ErrMalformedCheckpoint; a malformed key with ErrInvalidKey. Signatures by
// other keys (cosigners) are allowed and ignored.
func VerifyCheckpoint(noteText []byte, publicKey string) (Checkpoint, error) {
	v, err := newVerifier(publicKey)
	if err != nil {
		return Checkpoint{}, err
	}
	return verifyCheckpoint(noteText, v)
}

func verifyCheckpoint(noteText []byte, v note.Verifier) (Checkpoint, error) {
	if len(noteText) > maxNoteSize {
		return Checkpoint{}, fmt.Errorf("%w: note of %d bytes, at most %d", ErrMalformedCheckpoint, len(noteText), maxNoteSize)
	}
	n, err := note.Open(noteText, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return Checkpoint{}, fmt.Errorf("%w: not signed by %s+%08x", ErrBadSignature, v.Name(), v.KeyHash())
		}
		return Checkpoint{}, fmt.Errorf("%w: %v", ErrMalformedCheckpoint, err)
	}
	origin, size, root, err := parseCheckpointText(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint of log %q signed by the key of %q", ErrBadSignature, origin, v.Name())
	}
	return Checkpoint{Origin: origin, Size: size, Root: root, Note: bytes.Clone(noteText)}, nil
}

// VerifyInclusion checks that the log recorded e as leaf index of the tree
// cp describes, given the inclusion proof the log served for them. cp must
// come from VerifyCheckpoint. It fails with ErrInvalidProof when the proof
// does not lead to cp's root, and with ErrInvalidEntry when e is not a
// valid entry.
func VerifyInclusion(e Entry, index uint64, inclusion [][]byte, cp Checkpoint) error {
	leaf, err := e.LeafHash()
	if err != nil {
		return err
	}
	return VerifyLeafInclusion(leaf, index, inclusion, cp)
}

// VerifyLeafInclusion is VerifyInclusion for a leaf hash, such as
// Record.LeafHash.
func VerifyLeafInclusion(leafHash [32]byte, index uint64, inclusion [][]byte, cp Checkpoint) error {
	if err := checkProofHashes(inclusion); err != nil {
		return err
	}
	if index >= cp.Size {
		return fmt.Errorf("%w: leaf %d is not in a tree of %d leaves", ErrInvalidProof, index, cp.Size)
	}
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, index, cp.Size, leafHash[:], inclusion, cp.Root[:]); err != nil {
		return fmt.Errorf("%w: inclusion of leaf %d in tree of %d: %v", ErrInvalidProof, index, cp.Size, err)
	}
	return nil
}

// VerifyConsistency checks that the tree of newer extends the tree of
// older, given the consistency proof the log served between their sizes:
// the log has only appended leaves, rewriting none. Both checkpoints must
// come from VerifyCheckpoint with the same key. It fails with
// ErrInvalidProof.
func VerifyConsistency(older, newer Checkpoint, consistency [][]byte) error {
	if older.Origin != newer.Origin {
		return fmt.Errorf("%w: checkpoints of logs %q and %q", ErrInvalidProof, older.Origin, newer.Origin)
	}
	if older.Size > newer.Size {
		return fmt.Errorf("%w: older checkpoint has %d leaves, newer %d", ErrInvalidProof, older.Size, newer.Size)
	}
	if err := checkProofHashes(consistency); err != nil {
		return err
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, older.Size, newer.Size, consistency, older.Root[:], newer.Root[:]); err != nil {
		return fmt.Errorf("%w: consistency of %d and %d: %v", ErrInvalidProof, older.Size, newer.Size, err)
	}
	return nil
}

// checkProofHashes refuses a proof with a hash that is not 32 bytes, or
// longer than any tree of 2^64 leaves needs.
func checkProofHashes(p [][]byte) error {
	if len(p) > 128 {
		return fmt.Errorf("%w: %d hashes", ErrInvalidProof, len(p))
	}
	for i, h := range p {
		if len(h) != 32 {
			return fmt.Errorf("%w: hash %d has %d bytes, want 32", ErrInvalidProof, i, len(h))
		}
	}
	return nil
}
