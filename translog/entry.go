package translog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"
)

// Kind is what happened to a credential.
type Kind string

// The kinds of log entries.
const (
	// KindIssue records that a credential was issued.
	KindIssue Kind = "issue"
	// KindRevoke records that a credential was revoked.
	KindRevoke Kind = "revoke"
	// KindSupersede records that a credential (Entry.CredentialID)
	// replaces an older one (Entry.Prev).
	KindSupersede Kind = "supersede"
)

func (k Kind) known() bool {
	return k == KindIssue || k == KindRevoke || k == KindSupersede
}

// FormatVersion names the record encoding and the hashing of credential
// IDs described in the package documentation.
const FormatVersion = "kyso.translog/v1"

// maxCredentialID bounds the length of a credential ID.
const maxCredentialID = 64

// credentialHashPrefix separates the hash of a credential ID from any other
// SHA-256 of the same string.
const credentialHashPrefix = FormatVersion + " credential-id\n"

// recordTimeLayout is RFC 3339 in UTC with whole seconds.
const recordTimeLayout = "2006-01-02T15:04:05Z"

// maxRecordSize bounds the records ParseRecord reads. A kyso.translog/v1
// record is at most 389 bytes.
const maxRecordSize = 512

// Entry is one event in a credential's life, as the registry knows it.
// The log never stores the credential IDs themselves: Record replaces them
// with their CredentialHash, so that the public log cannot be used to list
// the credentials it covers.
type Entry struct {
	// Kind is what happened.
	Kind Kind
	// CredentialID is the credential's ID in its compact form: upper-case
	// letters and digits only, as the registry stores it (for example
	// 7KQ2M9PX4R8T1BHC0WZ3D). For KindSupersede it is the new credential.
	CredentialID string
	// DocumentSHA256 is the SHA-256 of the whole signed document. Required
	// for KindIssue; zero when not applicable.
	DocumentSHA256 [32]byte
	// SignedSHA256 is the SHA-256 of the bytes the document's final
	// signature covers; zero when not applicable or not known.
	SignedSHA256 [32]byte
	// Time is when the event took effect. It is recorded in UTC with whole
	// seconds (any fraction is dropped).
	Time time.Time
	// Prev is, for KindSupersede, the compact ID of the credential being
	// replaced; empty otherwise.
	Prev string
}

// Record is what the log stores and publishes for an Entry: the same
// event with credential IDs replaced by their CredentialHash. Its
// canonical encoding (Encode) is the leaf of the Merkle tree.
type Record struct {
	Kind Kind
	// CredentialSHA256 is CredentialHash(Entry.CredentialID).
	CredentialSHA256 [32]byte
	DocumentSHA256   [32]byte
	SignedSHA256     [32]byte
	// Time is in UTC, with whole seconds.
	Time time.Time
	// PrevCredentialSHA256 is CredentialHash(Entry.Prev) for
	// KindSupersede, zero otherwise.
	PrevCredentialSHA256 [32]byte
}

// CredentialHash returns the hash that stands for a credential ID in the
// log: SHA-256 of "kyso.translog/v1 credential-id\n" followed by the ID.
// Credential IDs carry 100 random bits, so the hash cannot be turned back
// into the ID, while anyone holding an ID can find its entries.
func CredentialHash(id string) [32]byte {
	h := sha256.New()
	h.Write([]byte(credentialHashPrefix))
	h.Write([]byte(id))
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// validCredentialID reports whether id is a compact credential ID: 1 to 64
// upper-case ASCII letters and digits. Anything else (lower case, hyphens,
// spaces, names) is refused, so that one credential has one hash and no
// personal data can be passed off as an ID.
func validCredentialID(id string) bool {
	if id == "" || len(id) > maxCredentialID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// Record checks e and returns what the log records for it.
func (e Entry) Record() (Record, error) {
	if !validCredentialID(e.CredentialID) {
		return Record{}, fmt.Errorf("%w: credential ID must be 1 to %d upper-case letters and digits (the compact form)", ErrInvalidEntry, maxCredentialID)
	}
	r := Record{
		Kind:             e.Kind,
		CredentialSHA256: CredentialHash(e.CredentialID),
		DocumentSHA256:   e.DocumentSHA256,
		SignedSHA256:     e.SignedSHA256,
		Time:             e.Time.UTC().Truncate(time.Second),
	}
	if e.Kind == KindSupersede {
		if !validCredentialID(e.Prev) {
			return Record{}, fmt.Errorf("%w: supersede: previous credential ID must be 1 to %d upper-case letters and digits", ErrInvalidEntry, maxCredentialID)
		}
		if e.Prev == e.CredentialID {
			return Record{}, fmt.Errorf("%w: supersede: a credential cannot replace itself", ErrInvalidEntry)
		}
		r.PrevCredentialSHA256 = CredentialHash(e.Prev)
	} else if e.Prev != "" {
		return Record{}, fmt.Errorf("%w: %s: previous credential ID is only for %s", ErrInvalidEntry, e.Kind, KindSupersede)
	}
	if e.Time.IsZero() {
		return Record{}, fmt.Errorf("%w: zero time", ErrInvalidEntry)
	}
	if err := r.validate(); err != nil {
		return Record{}, err
	}
	return r, nil
}

// LeafHash returns the Merkle tree leaf hash of e's record.
func (e Entry) LeafHash() ([32]byte, error) {
	r, err := e.Record()
	if err != nil {
		return [32]byte{}, err
	}
	return r.LeafHash(), nil
}

// validate checks the rules every record obeys.
func (r Record) validate() error {
	var zero [32]byte
	if !r.Kind.known() {
		return fmt.Errorf("%w: unknown kind %q", ErrInvalidEntry, r.Kind)
	}
	if r.CredentialSHA256 == zero {
		return fmt.Errorf("%w: zero credential hash", ErrInvalidEntry)
	}
	if r.Kind == KindIssue && r.DocumentSHA256 == zero {
		return fmt.Errorf("%w: issue: document hash is required", ErrInvalidEntry)
	}
	if y := r.Time.Year(); y < 1 || y > 9999 {
		return fmt.Errorf("%w: time %v is outside years 0001 to 9999", ErrInvalidEntry, r.Time)
	}
	if r.Time.Location() != time.UTC || r.Time.Nanosecond() != 0 {
		return fmt.Errorf("%w: time must be UTC with whole seconds", ErrInvalidEntry)
	}
	switch {
	case r.Kind == KindSupersede && r.PrevCredentialSHA256 == zero:
		return fmt.Errorf("%w: supersede: previous credential hash is required", ErrInvalidEntry)
	case r.Kind == KindSupersede && r.PrevCredentialSHA256 == r.CredentialSHA256:
		return fmt.Errorf("%w: supersede: a credential cannot replace itself", ErrInvalidEntry)
	case r.Kind != KindSupersede && r.PrevCredentialSHA256 != zero:
		return fmt.Errorf("%w: %s: previous credential hash is only for %s", ErrInvalidEntry, r.Kind, KindSupersede)
	}
	return nil
}

// numRecordFields is the number of lines after the first.
const numRecordFields = 6

// recordFields returns the names of the lines after the first, in order.
func recordFields() [numRecordFields]string {
	return [...]string{"kind", "credential_sha256", "document_sha256", "signed_sha256", "time", "prev_credential_sha256"}
}

// Encode returns the canonical kyso.translog/v1 encoding of r: seven lines,
// each ending in a line feed, in this order and with nothing else:
//
//	kyso.translog/v1
//	kind issue|revoke|supersede
//	credential_sha256 <64 lower-case hex digits>
//	document_sha256 <64 lower-case hex digits>
//	signed_sha256 <64 lower-case hex digits>
//	time <YYYY-MM-DDTHH:MM:SSZ>
//	prev_credential_sha256 <64 lower-case hex digits>
//
// A hash that does not apply is written as 64 zeros. Encode does not check
// r; Entry.Record and ParseRecord only produce records that obey the rules.
func (r Record) Encode() []byte {
	b := make([]byte, 0, maxRecordSize)
	b = append(b, FormatVersion...)
	b = append(b, '\n')
	values := [numRecordFields]string{
		string(r.Kind),
		hex.EncodeToString(r.CredentialSHA256[:]),
		hex.EncodeToString(r.DocumentSHA256[:]),
		hex.EncodeToString(r.SignedSHA256[:]),
		r.Time.UTC().Format(recordTimeLayout),
		hex.EncodeToString(r.PrevCredentialSHA256[:]),
	}
	for i, name := range recordFields() {
		b = append(b, name...)
		b = append(b, ' ')
		b = append(b, values[i]...)
		b = append(b, '\n')
	}
	return b
}

// LeafHash returns the RFC 6962 leaf hash of r: SHA-256(0x00 || Encode()).
func (r Record) LeafHash() [32]byte {
	var h [32]byte
	copy(h[:], rfc6962.DefaultHasher.HashLeaf(r.Encode()))
	return h
}

// ParseRecord reads a kyso.translog/v1 record. Only the canonical encoding
// is accepted: b must be exactly what Encode returns for the record.
func ParseRecord(b []byte) (Record, error) {
	if len(b) > maxRecordSize {
		return Record{}, fmt.Errorf("%w: record of %d bytes, at most %d", ErrInvalidEntry, len(b), maxRecordSize)
	}
	lines := bytes.Split(b, []byte("\n"))
	// A final line feed leaves one empty element at the end.
	if len(lines) != numRecordFields+2 || len(lines[len(lines)-1]) != 0 {
		return Record{}, fmt.Errorf("%w: want %d lines, each ending in a line feed", ErrInvalidEntry, numRecordFields+1)
	}
	names := recordFields()
	if string(lines[0]) != FormatVersion {
		return Record{}, fmt.Errorf("%w: first line is not %s", ErrInvalidEntry, FormatVersion)
	}
	var values [numRecordFields]string
	for i, name := range names {
		k, v, ok := bytes.Cut(lines[i+1], []byte(" "))
		if !ok || string(k) != name {
			return Record{}, fmt.Errorf("%w: line %d: want field %s", ErrInvalidEntry, i+2, name)
		}
		values[i] = string(v)
	}
	var r Record
	r.Kind = Kind(values[0])
	for _, f := range []struct {
		name  string
		value string
		dst   *[32]byte
	}{
		{names[1], values[1], &r.CredentialSHA256},
		{names[2], values[2], &r.DocumentSHA256},
		{names[3], values[3], &r.SignedSHA256},
		{names[5], values[5], &r.PrevCredentialSHA256},
	} {
		if err := decodeHex32(f.dst, f.value); err != nil {
			return Record{}, fmt.Errorf("%w: %s: %v", ErrInvalidEntry, f.name, err)
		}
	}
	t, err := time.Parse(recordTimeLayout, values[4])
	if err != nil {
		return Record{}, fmt.Errorf("%w: time: not YYYY-MM-DDTHH:MM:SSZ", ErrInvalidEntry)
	}
	r.Time = t.UTC()
	if err := r.validate(); err != nil {
		return Record{}, err
	}
	// Whatever the parser tolerated (a time such as 24:00:00 that Parse
	// normalises), the bytes must be the one encoding of the record.
	if !bytes.Equal(r.Encode(), b) {
		return Record{}, fmt.Errorf("%w: not the canonical encoding", ErrInvalidEntry)
	}
	return r, nil
}

// decodeHex32 reads 64 lower-case hex digits.
func decodeHex32(dst *[32]byte, s string) error {
	if len(s) != 64 {
		return fmt.Errorf("want 64 hex digits, got %d characters", len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return fmt.Errorf("want lower-case hex digits")
		}
	}
	_, err := hex.Decode(dst[:], []byte(s))
	return err
}
