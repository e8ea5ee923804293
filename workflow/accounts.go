package workflow

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/kyso-vn/kyso/hsm"
)

var (
	orgIDRE      = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)
	usernameRE   = regexp.MustCompile(`^[a-z0-9._-]{3,64}$`)
	schoolYearRE = regexp.MustCompile(`^([0-9]{4})-([0-9]{4})$`)
)

// Bounds on what accounts and assignments hold.
const (
	maxNameRunes       = 200
	maxClassRunes      = 32
	maxSubjectRunes    = 100
	maxCertificatesPEM = 64 << 10
	maxChainCerts      = 8
)

// cleanText returns s trimmed, with each run of white space made one
// space, in NFC. ok is false when s is not valid UTF-8, holds a control
// character, or has more than maxRunes characters.
func cleanText(s string, maxRunes int) (string, bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	for _, r := range s {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return "", false
		}
	}
	s = norm.NFC.String(strings.Join(strings.Fields(s), " "))
	return s, utf8.RuneCountInString(s) <= maxRunes
}

// sameText compares a class or subject as staff type it: trimmed, spaces
// collapsed, NFC, case-insensitive.
func sameText(a, b string) bool {
	fold := func(s string) string { return norm.NFC.String(strings.Join(strings.Fields(s), " ")) }
	return strings.EqualFold(fold(a), fold(b))
}

// departmentRole reports the roles held in a Sở rather than a school.
func departmentRole(r Role) bool { return r == RoleDirector || r == RoleDepartmentAdmin }

// newAccountID is 16 random hex characters.
func newAccountID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// CreateOrg adds a school or a Sở. The ID is 1 to 64 lower-case ASCII
// letters, digits and hyphens; the name is required (stored trimmed, in
// NFC); a school's parent must be an existing Sở and a Sở has none. A
// duplicate ID is ErrExists; invalid fields wrap ErrInvalid.
func (s *Store) CreateOrg(ctx context.Context, o Org, actor string) error {
	if !orgIDRE.MatchString(o.ID) {
		return invalidf("org id %q: want 1 to 64 of a-z, 0-9 and -", o.ID)
	}
	name, ok := cleanText(o.Name, maxNameRunes)
	if !ok || name == "" {
		return invalidf("org %s: name: want 1 to %d printable characters", o.ID, maxNameRunes)
	}
	switch o.Kind {
	case OrgSchool:
		if o.Parent == "" {
			return invalidf("org %s: parent: a school needs its Sở", o.ID)
		}
	case OrgDepartment:
		if o.Parent != "" {
			return invalidf("org %s: parent: a Sở has none", o.ID)
		}
	default:
		return invalidf("org %s: kind %q: want %q or %q", o.ID, o.Kind, OrgSchool, OrgDepartment)
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var parent any // NULL for a Sở
		if o.Kind == OrgSchool {
			p, err := s.org(ctx, tx, o.Parent)
			if errors.Is(err, ErrNotFound) {
				return invalidf("org %s: parent %q does not exist", o.ID, o.Parent)
			}
			if err != nil {
				return err
			}
			if p.Kind != OrgDepartment {
				return invalidf("org %s: parent %q is not a Sở", o.ID, o.Parent)
			}
			parent = o.Parent
		}
		_, err := s.exec(ctx, tx, `INSERT INTO orgs (id, kind, name, parent, created_at) VALUES (?, ?, ?, ?, ?)`,
			o.ID, string(o.Kind), name, parent, formatTime(s.now()))
		if s.isUniqueViolation(err) {
			return fmt.Errorf("org %s: %w", o.ID, ErrExists)
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, ActionCreateOrg, o.ID, map[string]string{"kind": string(o.Kind), "parent": o.Parent})
	})
	if err != nil {
		return fmt.Errorf("create org: %w", err)
	}
	return nil
}

const orgColumns = `id, kind, name, parent`

func scanOrg(r rowScanner) (*Org, error) {
	var o Org
	var parent sql.NullString
	if err := r.Scan(&o.ID, &o.Kind, &o.Name, &parent); err != nil {
		return nil, err
	}
	o.Parent = parent.String
	return &o, nil
}

// Org returns the org with that ID, or ErrNotFound.
func (s *Store) Org(ctx context.Context, id string) (*Org, error) {
	return s.org(ctx, s.db, id)
}

func (s *Store) org(ctx context.Context, q querier, id string) (*Org, error) {
	o, err := scanOrg(q.QueryRowContext(ctx, s.bind(`SELECT `+orgColumns+` FROM orgs WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("org %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("org %s: %w", id, err)
	}
	return o, nil
}

// Orgs returns every org, by ID.
func (s *Store) Orgs(ctx context.Context) ([]Org, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+orgColumns+` FROM orgs ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("orgs: %w", err)
	}
	defer rows.Close()
	var out []Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, fmt.Errorf("orgs: %w", err)
		}
		out = append(out, *o)
	}
	return out, rows.Err()
}

const accountColumns = `id, username, full_name, org_id, roles, disabled, locked_until, key_kind, key_uri, certificates, created_at`

// prefixed returns columns (comma-separated) each prefixed with alias.
func prefixed(alias, columns string) string {
	f := strings.Split(columns, ", ")
	for i := range f {
		f[i] = alias + "." + f[i]
	}
	return strings.Join(f, ", ")
}

func scanAccount(r rowScanner, extra ...any) (*Account, error) {
	var a Account
	var roles, locked, created string
	var disabled int
	dest := append([]any{&a.ID, &a.Username, &a.FullName, &a.OrgID, &roles, &disabled, &locked, &a.KeyKind, &a.KeyURI, &a.Certificates, &created}, extra...)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	a.Roles, a.Disabled = splitRoles(roles), disabled != 0
	a.LockedUntil, a.CreatedAt = parseTime(locked), parseTime(created)
	return &a, nil
}

// CreateAccount adds an account with the given password hash (from
// HashPassword or Auth.HashPassword), filling a.ID with 16 random hex
// characters and a.CreatedAt with the store's clock; a.FullName is stored
// trimmed and in NFC, and a.Roles without repeats.
//
// The username is 3 to 64 of a-z, 0-9, '.', '_' and '-'; the full name is
// required; the roles are known and at least one; the org exists; the
// roles of a Sở (so_director, so_admin) go only with a Sở and the others
// only with a school. Key fields, when set, are checked as SetKey checks
// them. A taken username is ErrExists; invalid fields wrap ErrInvalid.
func (s *Store) CreateAccount(ctx context.Context, a *Account, passwordHash string, actor string) error {
	if !usernameRE.MatchString(a.Username) {
		return invalidf("username %q: want 3 to 64 of a-z, 0-9, '.', '_' and '-'", a.Username)
	}
	name, ok := cleanText(a.FullName, maxNameRunes)
	if !ok || name == "" {
		return invalidf("account %s: full_name: want 1 to %d printable characters", a.Username, maxNameRunes)
	}
	if len(a.Roles) == 0 {
		return invalidf("account %s: roles: want at least one", a.Username)
	}
	var roles []Role
	for _, r := range a.Roles {
		if !r.Valid() {
			return invalidf("account %s: roles: unknown role %q", a.Username, r)
		}
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	if err := checkPasswordHash(passwordHash); err != nil {
		return fmt.Errorf("account %s: %w", a.Username, err)
	}
	id, now := newAccountID(), s.now()
	var uri, certs string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		org, err := s.org(ctx, tx, a.OrgID)
		if errors.Is(err, ErrNotFound) {
			return invalidf("account %s: org_id: no org %q", a.Username, a.OrgID)
		}
		if err != nil {
			return err
		}
		for _, r := range roles {
			if departmentRole(r) != (org.Kind == OrgDepartment) {
				return invalidf("account %s: roles: %s is not a role in a %s", a.Username, r, org.Kind)
			}
		}
		uri, certs, err = checkKey(a.KeyKind, a.KeyURI, a.Certificates, name, roles, org, now)
		if err != nil {
			return fmt.Errorf("account %s: %w", a.Username, err)
		}
		_, err = s.exec(ctx, tx, `INSERT INTO accounts (id, username, full_name, org_id, roles, password_hash, disabled, key_kind, key_uri, certificates, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, a.Username, name, org.ID, joinRoles(roles), passwordHash, boolToInt(a.Disabled), string(a.KeyKind), uri, certs, formatTime(now))
		if s.isUniqueViolation(err) {
			return fmt.Errorf("username %s: %w", a.Username, ErrExists)
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, ActionCreateAccount, id, map[string]string{
			"org": org.ID, "roles": joinRoles(roles), "key_kind": keyKindName(a.KeyKind),
		})
	})
	if err != nil {
		return fmt.Errorf("create account: %w", err)
	}
	a.ID, a.FullName, a.Roles, a.CreatedAt, a.LockedUntil = id, name, roles, now.UTC(), time.Time{}
	a.KeyURI, a.Certificates = uri, certs
	return nil
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// keyKindName is the key kind as the audit log writes it.
func keyKindName(k KeyKind) string {
	if k == KeyNone {
		return "none"
	}
	return string(k)
}

// Account returns the account with that ID, or ErrNotFound.
func (s *Store) Account(ctx context.Context, id string) (*Account, error) {
	return s.account(ctx, s.db, "id", id)
}

// AccountByUsername returns the account with that username (compared
// after trimming and lower-casing), or ErrNotFound.
func (s *Store) AccountByUsername(ctx context.Context, username string) (*Account, error) {
	return s.account(ctx, s.db, "username", strings.ToLower(strings.TrimSpace(username)))
}

// account loads the account whose column (id or username) is value.
func (s *Store) account(ctx context.Context, q querier, column, value string) (*Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, s.bind(`SELECT `+accountColumns+` FROM accounts WHERE `+column+` = ?`), value))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("account %s: %w", value, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", value, err)
	}
	return a, nil
}

// Accounts returns the accounts of an org (every account when orgID is
// empty), sorted by full name in Vietnamese order, then by username.
func (s *Store) Accounts(ctx context.Context, orgID string) ([]Account, error) {
	q, args := `SELECT `+accountColumns+` FROM accounts`, []any{}
	if orgID != "" {
		q += ` WHERE org_id = ?`
		args = append(args, orgID)
	}
	rows, err := s.db.QueryContext(ctx, s.bind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("accounts: %w", err)
		}
		out = append(out, *a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	col := collate.New(language.Vietnamese)
	slices.SortFunc(out, func(a, b Account) int {
		if c := col.CompareString(a.FullName, b.FullName); c != 0 {
			return c
		}
		return strings.Compare(a.Username, b.Username)
	})
	return out, nil
}

// SetPassword replaces an account's password hash, clears its lock-out
// and failed-login count, and ends its sessions. Unknown id is
// ErrNotFound.
func (s *Store) SetPassword(ctx context.Context, id, passwordHash, actor string) error {
	if err := checkPasswordHash(passwordHash); err != nil {
		return fmt.Errorf("set password of %s: %w", id, err)
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.update(ctx, tx, id, `password_hash = ?, failed_logins = 0, locked_until = ''`, passwordHash); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM sessions WHERE account_id = ?`, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, ActionUpdateAccount, id, map[string]string{"field": "password"})
	})
	if err != nil {
		return fmt.Errorf("set password of %s: %w", id, err)
	}
	return nil
}

// update sets columns of account id inside tx; ErrNotFound when there is
// no such account.
func (s *Store) update(ctx context.Context, tx *sql.Tx, id, set string, args ...any) error {
	res, err := s.exec(ctx, tx, `UPDATE accounts SET `+set+` WHERE id = ?`, append(args, id)...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("account %s: %w", id, ErrNotFound)
	}
	return nil
}

// SetKey records where an account's signing key is.
//
// KeyHSM needs an RFC 7512 pkcs11: URI naming the key, without pin-value
// or pin-source (the PIN is typed for each batch and never stored), and
// the certificate chain. For development and demos a file: URI of an
// encrypted key file is accepted in its place; its passphrase is typed as
// the PIN. KeyUSB needs the chain and no URI. KeyNone needs
// neither and clears both.
//
// The chain is PEM, leaf first, only CERTIFICATE blocks (a private key
// pasted by mistake is refused, not stored), each certificate signed by
// the next. The leaf must not be a CA, must not have expired, must allow
// digitalSignature or nonRepudiation when it has a key usage, and its
// common name must be the account's full name (compared trimmed, NFC,
// case-insensitively), or, for a seal keeper, the org's name: the school
// seal's certificate is the school's. The chain is stored re-encoded,
// the URI in canonical form.
//
// Errors wrap ErrInvalid and name the field (key_kind, key_uri,
// certificates); an unknown id is ErrNotFound.
func (s *Store) SetKey(ctx context.Context, id string, kind KeyKind, uri, certificatesPEM, actor string) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		a, err := s.account(ctx, tx, "id", id)
		if err != nil {
			return err
		}
		org, err := s.org(ctx, tx, a.OrgID)
		if err != nil {
			return err
		}
		uri, certs, err := checkKey(kind, uri, certificatesPEM, a.FullName, a.Roles, org, s.now())
		if err != nil {
			return err
		}
		if err := s.update(ctx, tx, id, `key_kind = ?, key_uri = ?, certificates = ?`, string(kind), uri, certs); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, ActionUpdateAccount, id, map[string]string{"field": "key", "key_kind": keyKindName(kind)})
	})
	if err != nil {
		return fmt.Errorf("set key of %s: %w", id, err)
	}
	return nil
}

// checkKey validates key fields (see SetKey) and returns the URI and
// chain to store.
func checkKey(kind KeyKind, uri, certificatesPEM, fullName string, roles []Role, org *Org, now time.Time) (string, string, error) {
	switch kind {
	case KeyNone:
		if uri != "" || certificatesPEM != "" {
			return "", "", invalidf("key_kind: an account without a key has no key_uri or certificates")
		}
		return "", "", nil
	case KeyHSM:
		if uri == "" {
			return "", "", invalidf("key_uri: an HSM key needs a pkcs11: URI")
		}
		u, err := hsm.ParseURI(uri)
		if err != nil {
			return "", "", invalidf("key_uri: %v", err)
		}
		switch {
		case u.Scheme != hsm.SchemePKCS11 && u.Scheme != hsm.SchemeFile:
			return "", "", invalidf("key_uri: want a pkcs11: URI (or, for development, a file: URI of an encrypted key whose passphrase is typed as the PIN)")
		case u.HasPINValue() || u.PINSource != "":
			return "", "", invalidf("key_uri: remove pin-value and pin-source: the PIN is typed for each batch and never stored")
		}
		uri = u.String()
	case KeyUSB:
		if uri != "" {
			return "", "", invalidf("key_uri: a USB-token key has no URI")
		}
	default:
		return "", "", invalidf("key_kind %q: want %q, %q or none", kind, KeyHSM, KeyUSB)
	}
	chain, err := parseCertificatesPEM(certificatesPEM)
	if err != nil {
		return "", "", err
	}
	leaf := chain[0]
	cn := leaf.Subject.CommonName
	switch {
	case leaf.IsCA:
		return "", "", invalidf("certificates: the first certificate is a CA's, want the signer's first")
	case now.After(leaf.NotAfter):
		return "", "", invalidf("certificates: the signer's certificate expired on %s", leaf.NotAfter.UTC().Format(time.DateOnly))
	case leaf.KeyUsage != 0 && leaf.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0:
		return "", "", invalidf("certificates: the signer's certificate allows neither digitalSignature nor nonRepudiation")
	case sameName(cn, fullName):
	case slices.Contains(roles, RoleSealKeeper) && sameName(cn, org.Name):
	default:
		return "", "", invalidf("certificates: the signer's common name %q is not the account's full name", cn)
	}
	for i := 0; i+1 < len(chain); i++ {
		if err := chain[i].CheckSignatureFrom(chain[i+1]); err != nil {
			return "", "", invalidf("certificates: certificate %d is not issued by certificate %d: %v", i+1, i+2, err)
		}
	}
	var b strings.Builder
	for _, c := range chain {
		b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
	}
	return uri, b.String(), nil
}

// parseCertificatesPEM parses a PEM chain of at most maxChainCerts
// certificates, refusing any block that is not a certificate and any
// text outside blocks other than white space.
func parseCertificatesPEM(text string) ([]*x509.Certificate, error) {
	if text == "" {
		return nil, invalidf("certificates: a key needs its certificate chain")
	}
	if len(text) > maxCertificatesPEM {
		return nil, invalidf("certificates: longer than %d bytes", maxCertificatesPEM)
	}
	var chain []*x509.Certificate
	rest := []byte(text)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return nil, invalidf("certificates: a %q block; want CERTIFICATE blocks only", b.Type)
		}
		if len(chain) == maxChainCerts {
			return nil, invalidf("certificates: more than %d", maxChainCerts)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, invalidf("certificates: certificate %d: %v", len(chain)+1, err)
		}
		chain = append(chain, c)
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, invalidf("certificates: text that is not a PEM block")
	}
	if len(chain) == 0 {
		return nil, invalidf("certificates: no CERTIFICATE block")
	}
	return chain, nil
}

// SetDisabled disables or enables an account. Disabling ends its sessions;
// its API tokens stop working while it is disabled. Unknown id is
// ErrNotFound.
func (s *Store) SetDisabled(ctx context.Context, id string, disabled bool, actor string) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.update(ctx, tx, id, `disabled = ?`, boolToInt(disabled)); err != nil {
			return err
		}
		if disabled {
			if _, err := s.exec(ctx, tx, `DELETE FROM sessions WHERE account_id = ?`, id); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, actor, ActionUpdateAccount, id, map[string]string{"field": "disabled", "disabled": strconv.FormatBool(disabled)})
	})
	if err != nil {
		return fmt.Errorf("set disabled of %s: %w", id, err)
	}
	return nil
}

// checkSchoolYear accepts "2024-2025": two consecutive years.
func checkSchoolYear(y string) error {
	m := schoolYearRE.FindStringSubmatch(y)
	if m == nil {
		return invalidf("school_year %q: want YYYY-YYYY", y)
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	if b != a+1 {
		return invalidf("school_year %q: want consecutive years", y)
	}
	return nil
}

// cleanAssignment validates a and returns it with class and subject
// trimmed and in NFC.
func cleanAssignment(a Assignment) (Assignment, error) {
	switch a.Role {
	case RoleSubjectTeacher, RoleHomeroomTeacher:
	default:
		return a, invalidf("role %q: want %s or %s", a.Role, RoleSubjectTeacher, RoleHomeroomTeacher)
	}
	if err := checkSchoolYear(a.SchoolYear); err != nil {
		return a, err
	}
	var ok bool
	if a.Class, ok = cleanText(a.Class, maxClassRunes); !ok || a.Class == "" {
		return a, invalidf("class: want 1 to %d printable characters", maxClassRunes)
	}
	if a.Subject, ok = cleanText(a.Subject, maxSubjectRunes); !ok {
		return a, invalidf("subject: want at most %d printable characters", maxSubjectRunes)
	}
	if (a.Role == RoleSubjectTeacher) != (a.Subject != "") {
		if a.Subject == "" {
			return a, invalidf("subject: a subject teacher's assignment needs the subject")
		}
		return a, invalidf("subject: a homeroom teacher's assignment has none")
	}
	return a, nil
}

// assignmentLock serialises assignment changes on PostgreSQL, where two
// transactions could otherwise both find a class free (SQLite write
// transactions are serial already).
const assignmentLock = 7370421

// Assign assigns a subject teacher to a class and subject (Subject
// required), or a homeroom teacher to a class (Subject empty), for a
// school year written "2024-2025". The account must hold the role. A class
// has at most one homeroom teacher, and a class's subject at most one
// subject teacher, in a school year and org; class and subject are stored
// trimmed and in NFC and compared case-insensitively, and another account
// already holding the place is ErrExists. Assigning the same again does
// nothing.
func (s *Store) Assign(ctx context.Context, a Assignment, actor string) error {
	a, err := cleanAssignment(a)
	if err != nil {
		return fmt.Errorf("assign %s: %w", a.AccountID, err)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if s.postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(`+strconv.Itoa(assignmentLock)+`)`); err != nil {
				return err
			}
		}
		acct, err := s.account(ctx, tx, "id", a.AccountID)
		if err != nil {
			return err
		}
		if !acct.Has(a.Role) {
			return invalidf("role: the account does not hold %s", a.Role)
		}
		rows, err := tx.QueryContext(ctx, s.bind(`SELECT x.account_id, x.class, x.subject FROM assignments x JOIN accounts c ON c.id = x.account_id
WHERE c.org_id = ? AND x.school_year = ? AND x.role = ?`), acct.OrgID, a.SchoolYear, string(a.Role))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var holder, class, subject string
			if err := rows.Scan(&holder, &class, &subject); err != nil {
				return err
			}
			if !sameText(class, a.Class) || !sameText(subject, a.Subject) {
				continue
			}
			if holder == a.AccountID {
				return errSameAssignment
			}
			if a.Role == RoleHomeroomTeacher {
				return fmt.Errorf("class %s in %s already has a homeroom teacher: %w", a.Class, a.SchoolYear, ErrExists)
			}
			return fmt.Errorf("subject %s of class %s in %s already has a teacher: %w", a.Subject, a.Class, a.SchoolYear, ErrExists)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if _, err := s.exec(ctx, tx, `INSERT INTO assignments (account_id, role, school_year, class, subject) VALUES (?, ?, ?, ?, ?)`,
			a.AccountID, string(a.Role), a.SchoolYear, a.Class, a.Subject); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, ActionAssign, a.AccountID, assignmentDetail(a, "add"))
	})
	if errors.Is(err, errSameAssignment) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("assign %s: %w", a.AccountID, err)
	}
	return nil
}

// errSameAssignment rolls back an Assign that changes nothing.
var errSameAssignment = errors.New("assignment already recorded")

func assignmentDetail(a Assignment, op string) map[string]string {
	return map[string]string{"op": op, "role": string(a.Role), "school_year": a.SchoolYear, "class": a.Class, "subject": a.Subject}
}

// Unassign removes an assignment (class and subject compared as Assign
// compares them), so that another teacher can take the class or subject.
// ErrNotFound when the account has no such assignment.
func (s *Store) Unassign(ctx context.Context, a Assignment, actor string) error {
	a, err := cleanAssignment(a)
	if err != nil {
		return fmt.Errorf("unassign %s: %w", a.AccountID, err)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.bind(`SELECT class, subject FROM assignments WHERE account_id = ? AND role = ? AND school_year = ?`),
			a.AccountID, string(a.Role), a.SchoolYear)
		if err != nil {
			return err
		}
		defer rows.Close()
		var found *Assignment
		for rows.Next() {
			var class, subject string
			if err := rows.Scan(&class, &subject); err != nil {
				return err
			}
			if sameText(class, a.Class) && sameText(subject, a.Subject) {
				found = &Assignment{AccountID: a.AccountID, Role: a.Role, SchoolYear: a.SchoolYear, Class: class, Subject: subject}
				break
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if found == nil {
			return fmt.Errorf("assignment: %w", ErrNotFound)
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM assignments WHERE account_id = ? AND role = ? AND school_year = ? AND class = ? AND subject = ?`,
			found.AccountID, string(found.Role), found.SchoolYear, found.Class, found.Subject); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, ActionAssign, a.AccountID, assignmentDetail(*found, "remove"))
	})
	if err != nil {
		return fmt.Errorf("unassign %s: %w", a.AccountID, err)
	}
	return nil
}

// Assignments returns an account's assignments, by school year, class,
// role and subject.
func (s *Store) Assignments(ctx context.Context, accountID string) ([]Assignment, error) {
	rows, err := s.db.QueryContext(ctx, s.bind(`SELECT account_id, role, school_year, class, subject FROM assignments
WHERE account_id = ? ORDER BY school_year, class, role, subject`), accountID)
	if err != nil {
		return nil, fmt.Errorf("assignments of %s: %w", accountID, err)
	}
	defer rows.Close()
	var out []Assignment
	for rows.Next() {
		var a Assignment
		if err := rows.Scan(&a.AccountID, &a.Role, &a.SchoolYear, &a.Class, &a.Subject); err != nil {
			return nil, fmt.Errorf("assignments of %s: %w", accountID, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AssigneeOf returns the enabled account of org assigned role (subject or
// homeroom teacher) for the class (and subject) in the school year. Class
// and subject are compared trimmed, NFC and case-insensitively. ErrNotFound
// when there is none.
func (s *Store) AssigneeOf(ctx context.Context, orgID string, role Role, schoolYear, class, subject string) (*Account, error) {
	rows, err := s.db.QueryContext(ctx, s.bind(`SELECT `+prefixed("c", accountColumns)+`, x.class, x.subject
FROM assignments x JOIN accounts c ON c.id = x.account_id
WHERE c.org_id = ? AND x.role = ? AND x.school_year = ? AND c.disabled = 0`), orgID, string(role), schoolYear)
	if err != nil {
		return nil, fmt.Errorf("assignee: %w", err)
	}
	defer rows.Close()
	var found []*Account
	for rows.Next() {
		var c, sub string
		a, err := scanAccount(rows, &c, &sub)
		if err != nil {
			return nil, fmt.Errorf("assignee: %w", err)
		}
		if sameText(c, class) && sameText(sub, subject) {
			found = append(found, a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("assignee: %w", err)
	}
	what := fmt.Sprintf("%s of class %s", role, class)
	if subject != "" {
		what += ", subject " + subject + ","
	}
	what += " in " + schoolYear
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no enabled %s: %w", what, ErrNotFound)
	case 1:
		return found[0], nil
	}
	return nil, invalidf("%d accounts are %s", len(found), what)
}

// HolderOf returns the one enabled account of org holding role (the
// principal, the seal keeper, the Sở's director). ErrNotFound when there
// is none; an error wrapping ErrInvalid when there are several.
func (s *Store) HolderOf(ctx context.Context, orgID string, role Role) (*Account, error) {
	rows, err := s.db.QueryContext(ctx, s.bind(`SELECT `+accountColumns+` FROM accounts WHERE org_id = ? AND disabled = 0 ORDER BY id`), orgID)
	if err != nil {
		return nil, fmt.Errorf("holder of %s in %s: %w", role, orgID, err)
	}
	defer rows.Close()
	var found []*Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("holder of %s in %s: %w", role, orgID, err)
		}
		if a.Has(role) {
			found = append(found, a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("holder of %s in %s: %w", role, orgID, err)
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no enabled %s in %s: %w", role, orgID, ErrNotFound)
	case 1:
		return found[0], nil
	}
	return nil, invalidf("%d enabled accounts are %s in %s", len(found), role, orgID)
}
