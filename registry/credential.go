package registry

import (
	"errors"
	"fmt"
	"time"
)

// KindDiploma is the kind of an upper secondary diploma (Bằng tốt nghiệp THPT).
const KindDiploma = "diploma"

// knownKind reports whether the registry accepts credentials of kind k:
// diplomas, gradebooks ("gradebook", a subject's sổ điểm) and học bạ years
// ("hocba").
func knownKind(k string) bool {
	return k == KindDiploma || k == "gradebook" || k == "hocba"
}

// Status is the lifecycle state of an issued credential. A credential is
// never deleted; it only changes status.
type Status string

// Credential statuses.
const (
	// StatusValid is the status of every credential when it is issued.
	StatusValid Status = "valid"
	// StatusRevoked marks a credential withdrawn by its issuer.
	StatusRevoked Status = "revoked"
	// StatusSuperseded marks a credential replaced by a newer one.
	StatusSuperseded Status = "superseded"
)

func (s Status) known() bool {
	switch s {
	case StatusValid, StatusRevoked, StatusSuperseded:
		return true
	}
	return false
}

// PublicFields are the fields shown to anyone who verifies a credential: the
// least that lets a verifier match the credential to the paper or PDF in
// front of them. The caller decides what goes here; the registry stores it
// as a JSON object.
type PublicFields struct {
	// HolderName is the holder's full name as printed (họ và tên).
	HolderName string `json:"holder_name"`
	// DateOfBirth is the date of birth as printed, dd/mm/yyyy.
	DateOfBirth string `json:"date_of_birth"`
	// KindLabel is the document title as printed, e.g. "Bằng tốt nghiệp
	// trung học phổ thông".
	KindLabel string `json:"kind_label,omitempty"`
	// Year is the graduation or school year.
	Year int `json:"year,omitempty"`
	// School is the school's name as printed.
	School string `json:"school,omitempty"`
	// Serial is the document's serial number (số hiệu). When not empty it
	// is unique among credentials of the same kind.
	Serial string `json:"serial,omitempty"`
	// IssuingAuthority names the issuer as printed, e.g. the provincial
	// Department of Education and Training.
	IssuingAuthority string `json:"issuing_authority,omitempty"`
}

// Credential is one issued document as the registry keeps it.
type Credential struct {
	// ID is the credential's identifier, printed on the document.
	ID ID
	// Kind is the document kind, e.g. KindDiploma.
	Kind string
	// LayoutVersion names the template layout used to render the
	// document, e.g. "diploma/v1".
	LayoutVersion string
	// Public holds the fields a verifier may see.
	Public PublicFields
	// DocumentSHA256 is the SHA-256 digest of the signed document bytes.
	DocumentSHA256 [32]byte
	// SignedSHA256 is the SHA-256 digest over the byte ranges covered by
	// the document's final signature, computed by the caller. Unlike
	// DocumentSHA256 it does not change when the unsigned /Contents gap
	// of the signature is rewritten. Issue requires it; credentials
	// registered before the registry recorded it have it all zero.
	SignedSHA256 [32]byte
	// Status is the lifecycle state; Issue stores StatusValid.
	Status Status
	// StatusReason explains the last status change; empty while valid.
	StatusReason string
	// StatusChangedAt is when the status was last set; for a credential
	// that was never revoked or superseded it equals IssuedAt.
	StatusChangedAt time.Time
	// SupersededBy is the credential that replaced this one; zero unless
	// it was superseded. It stays set if a superseded credential is later
	// revoked.
	SupersededBy ID
	// Supersedes is the credential this one replaced; zero if none.
	Supersedes ID
	// IssuedAt is when the document was signed.
	IssuedAt time.Time
	// Issuer identifies who issued the document, e.g. the signer
	// certificate's subject and the issuing authority.
	Issuer string
}

// Errors callers branch on.
var (
	// ErrNotFound means no credential matches the lookup.
	ErrNotFound = errors.New("credential not found")
	// ErrDuplicate means a credential with the same ID, serial (for its
	// kind), document hash or signed-content digest is already registered. The error is a
	// *DuplicateError that names the key.
	ErrDuplicate = errors.New("credential already registered")
	// ErrInvalidCredential means Issue was given an incomplete or
	// inconsistent credential; nothing was stored.
	ErrInvalidCredential = errors.New("invalid credential")
	// ErrSchemaTooNew means the database was migrated by a newer program
	// than this one; opening it could misread or damage its records.
	ErrSchemaTooNew = errors.New("database schema is newer than this program")
	// ErrSchemaOutdated means a database opened read-only has not been
	// migrated to the schema this program needs; a read-only open never
	// migrates.
	ErrSchemaOutdated = errors.New("database schema is older than this program")
	// ErrNoDatabase means a database opened read-only does not exist; a
	// read-only open never creates one.
	ErrNoDatabase = errors.New("registry database does not exist")
	// ErrReadOnly means a write was attempted on a store opened with
	// ReadOnly.
	ErrReadOnly = errors.New("registry is open read-only")
	// ErrSchemaMismatch means a migration recorded in the database differs
	// from the one of the same version built into this program.
	ErrSchemaMismatch = errors.New("database schema history does not match this program")
)

// DuplicateKey names the unique key an Issue collided on.
type DuplicateKey string

// Unique keys of a credential.
const (
	// KeyID is the credential ID.
	KeyID DuplicateKey = "id"
	// KeySerial is the serial number within a kind.
	KeySerial DuplicateKey = "serial"
	// KeyDocumentHash is the SHA-256 of the signed document.
	KeyDocumentHash DuplicateKey = "document_sha256"
	// KeySignedHash is the SHA-256 of the signed content.
	KeySignedHash DuplicateKey = "signed_sha256"
)

// DuplicateError reports which unique key an Issue collided on and which
// credential already holds it. It matches ErrDuplicate with errors.Is.
type DuplicateError struct {
	// Key is the colliding key.
	Key DuplicateKey
	// Existing is the ID of the credential already registered with it.
	Existing ID
}

// Error implements error.
func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%v: same %s as %s", ErrDuplicate, e.Key, e.Existing)
}

// Is makes errors.Is(err, ErrDuplicate) true.
func (e *DuplicateError) Is(target error) bool {
	return target == ErrDuplicate
}

// validateForIssue checks what Issue needs before it touches the database.
func validateForIssue(c *Credential, actor string) error {
	if c == nil {
		return fmt.Errorf("%w: nil credential", ErrInvalidCredential)
	}
	switch {
	case c.ID.IsZero():
		return fmt.Errorf("%w: field %q is not set", ErrInvalidCredential, "ID")
	case !knownKind(c.Kind):
		return fmt.Errorf("%w: field %q: unknown kind %q", ErrInvalidCredential, "Kind", c.Kind)
	case c.LayoutVersion == "":
		return fmt.Errorf("%w: field %q is not set", ErrInvalidCredential, "LayoutVersion")
	case c.DocumentSHA256 == [32]byte{}:
		return fmt.Errorf("%w: field %q is not set", ErrInvalidCredential, "DocumentSHA256")
	case c.SignedSHA256 == [32]byte{}:
		return fmt.Errorf("%w: field %q is not set", ErrInvalidCredential, "SignedSHA256")
	case c.IssuedAt.IsZero():
		return fmt.Errorf("%w: field %q is not set", ErrInvalidCredential, "IssuedAt")
	case c.Issuer == "":
		return fmt.Errorf("%w: field %q is not set", ErrInvalidCredential, "Issuer")
	case c.Status != "" && c.Status != StatusValid:
		return fmt.Errorf("%w: field %q: a new credential is %q, got %q", ErrInvalidCredential, "Status", StatusValid, c.Status)
	case c.StatusReason != "":
		return fmt.Errorf("%w: field %q must be empty for a new credential", ErrInvalidCredential, "StatusReason")
	case actor == "":
		return fmt.Errorf("%w: actor is not set", ErrInvalidCredential)
	case !c.SupersededBy.IsZero() || !c.Supersedes.IsZero():
		return fmt.Errorf("%w: a new credential supersedes nothing and is superseded by nothing; use Supersede", ErrInvalidCredential)
	}
	if err := checkTime("IssuedAt", c.IssuedAt); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidCredential, err)
	}
	text := []struct{ name, value string }{
		{"LayoutVersion", c.LayoutVersion}, {"Issuer", c.Issuer}, {"actor", actor},
		{"Public.HolderName", c.Public.HolderName}, {"Public.DateOfBirth", c.Public.DateOfBirth},
		{"Public.KindLabel", c.Public.KindLabel}, {"Public.School", c.Public.School},
		{"Public.Serial", c.Public.Serial}, {"Public.IssuingAuthority", c.Public.IssuingAuthority},
	}
	for _, f := range text {
		if err := checkText(f.name, f.value); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidCredential, err)
		}
	}
	return nil
}
