package workflow

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// Role is what an account may do. A person may hold several.
type Role string

const (
	// RoleSchoolAdmin is school IT: imports data, watches progress, manages
	// the school's accounts.
	RoleSchoolAdmin Role = "school_admin"
	// RoleSubjectTeacher (giáo viên bộ môn) signs the gradebooks and học bạ
	// rows of the classes and subjects assigned to them.
	RoleSubjectTeacher Role = "subject_teacher"
	// RoleHomeroomTeacher (giáo viên chủ nhiệm) signs the học bạ of the
	// classes assigned to them.
	RoleHomeroomTeacher Role = "homeroom_teacher"
	// RolePrincipal (hiệu trưởng) approves the học bạ of their school.
	RolePrincipal Role = "principal"
	// RoleSealKeeper holds the school's seal key (con dấu).
	RoleSealKeeper Role = "seal_keeper"
	// RoleDirector is the head of a Sở (thủ trưởng) who signs diplomas.
	RoleDirector Role = "so_director"
	// RoleDepartmentAdmin is a Sở's IT: imports diplomas, watches the
	// province's progress.
	RoleDepartmentAdmin Role = "so_admin"
)

// Roles lists every role, in the order pages show them.
var Roles = []Role{RoleSchoolAdmin, RoleSubjectTeacher, RoleHomeroomTeacher, RolePrincipal, RoleSealKeeper, RoleDirector, RoleDepartmentAdmin}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// OrgKind is a school or a Sở.
type OrgKind string

const (
	OrgSchool     OrgKind = "school"
	OrgDepartment OrgKind = "department"
)

// Org is a school or a Sở Giáo dục và Đào tạo.
type Org struct {
	// ID is a short code, e.g. "thpt-chuyen-ben-tre".
	ID   string
	Kind OrgKind
	// Name is the name as documents print it ("Trường THPT Chuyên Bến Tre").
	Name string
	// Parent is a school's Sở, or "".
	Parent string
}

// KeyKind says where an account's signing key is.
type KeyKind string

const (
	// KeyNone: the account does not sign.
	KeyNone KeyKind = ""
	// KeyHSM: the key is in the service's HSM, on a token of its own that
	// only the holder's PIN opens.
	KeyHSM KeyKind = "hsm"
	// KeyUSB: the key is on the holder's own USB token; they sign on their
	// computer with kyso sign and upload the result.
	KeyUSB KeyKind = "usb"
)

// Account is a member of staff.
type Account struct {
	ID       string
	Username string
	// FullName is the name as documents print it and as the signing
	// certificate's common name gives it.
	FullName string
	OrgID    string
	Roles    []Role
	Disabled bool
	// LockedUntil is set after too many wrong passwords.
	LockedUntil time.Time
	KeyKind     KeyKind
	// KeyURI is the RFC 7512 pkcs11: URI of an HSM key, without any PIN.
	KeyURI string
	// Certificates is the signing certificate chain (PEM, leaf first).
	Certificates string
	CreatedAt    time.Time
}

// Has reports whether the account holds role r.
func (a *Account) Has(r Role) bool { return slices.Contains(a.Roles, r) }

func joinRoles(rs []Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, " ")
}

func splitRoles(s string) []Role {
	var rs []Role
	for _, f := range strings.Fields(s) {
		rs = append(rs, Role(f))
	}
	return rs
}

// Assignment ties a subject teacher to a class and subject, or a homeroom
// teacher to a class, for a school year.
type Assignment struct {
	AccountID  string
	Role       Role // RoleSubjectTeacher or RoleHomeroomTeacher
	SchoolYear string
	Class      string
	// Subject is the subject's name for a subject teacher ("Toán"), empty
	// for a homeroom teacher.
	Subject string
}

// Errors callers branch on. The HTTP layer maps them to statuses and
// messages in one place.
var (
	ErrNotFound       = errors.New("not found")
	ErrExists         = errors.New("already exists")
	ErrSchemaTooNew   = errors.New("database schema is newer than this program")
	ErrInvalid        = errors.New("invalid value")
	ErrBadCredentials = errors.New("wrong username or password")
	ErrLockedOut      = errors.New("account locked after too many wrong passwords")
	ErrSessionExpired = errors.New("session expired")
	ErrBadCSRF        = errors.New("form token missing or wrong")
	ErrTokenRevoked   = errors.New("API token revoked or expired")
	ErrForbidden      = errors.New("not allowed")
	ErrNotYourTurn    = errors.New("the signatures before yours are not all there yet")
	ErrAlreadySigned  = errors.New("already signed")
	ErrConflict       = errors.New("the document changed while you were signing it")
	ErrUploadMismatch = errors.New("the upload is not the document sent plus exactly your signature")
	ErrWrongKeyKind   = errors.New("the account's key is not of this kind")
	ErrNotSigned      = errors.New("the document is not signed by everyone yet")
)
