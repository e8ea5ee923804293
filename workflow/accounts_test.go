package workflow

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/hsm"
)

// Fixture orgs.
const (
	testDept    = "so-ben-tre"
	testSchool  = "thpt-chuyen-ben-tre"
	testSchool2 = "thpt-ben-tre"
	testActor   = "test:admin"
)

const (
	testDeptName   = "Sở Giáo dục và Đào tạo Bến Tre"
	testSchoolName = "Trường THPT Chuyên Bến Tre"
)

// testParams hash fast; only TestDefaultPasswordParams uses the defaults.
var testParams = PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}

// testPassword is every fixture account's password.
const testPassword = "mật khẩu thử nghiệm"

func testHash(t *testing.T, password string) string {
	t.Helper()
	h, err := HashPassword([]byte(password), rand.Reader, testParams)
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	return h
}

// seedOrgs creates a Sở and two of its schools.
func seedOrgs(t *testing.T, s *Store) {
	t.Helper()
	for _, o := range []Org{
		{ID: testDept, Kind: OrgDepartment, Name: testDeptName},
		{ID: testSchool, Kind: OrgSchool, Name: testSchoolName, Parent: testDept},
		{ID: testSchool2, Kind: OrgSchool, Name: "Trường THPT Bến Tre", Parent: testDept},
	} {
		if err := s.CreateOrg(t.Context(), o, testActor); err != nil {
			t.Fatalf("CreateOrg %s: %v", o.ID, err)
		}
	}
}

// newAccount creates an account with testPassword.
func newAccount(t *testing.T, s *Store, username, fullName, org string, roles ...Role) *Account {
	t.Helper()
	a := &Account{Username: username, FullName: fullName, OrgID: org, Roles: roles}
	if err := s.CreateAccount(t.Context(), a, testHash(t, testPassword), testActor); err != nil {
		t.Fatalf("CreateAccount %s: %v", username, err)
	}
	return a
}

// auditJSON is the whole audit log as JSON, for checking what it holds.
func auditJSON(t *testing.T, s *Store) string {
	t.Helper()
	entries, err := s.AuditLog(t.Context(), "", 1000)
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	b, err := json.Marshal(entries)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// auditActions returns the actions of the audit entries about subject,
// oldest first.
func auditActions(t *testing.T, s *Store, subject string) []string {
	t.Helper()
	entries, err := s.AuditLog(t.Context(), subject, 1000)
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	var out []string
	for i := len(entries) - 1; i >= 0; i-- {
		out = append(out, entries[i].Action)
	}
	return out
}

// assertAuditClean fails when the audit log holds any of secrets.
func assertAuditClean(t *testing.T, s *Store, secrets ...string) {
	t.Helper()
	log := auditJSON(t, s)
	for _, sec := range secrets {
		for _, form := range []string{sec, norm.NFC.String(sec), norm.NFD.String(sec)} {
			if form != "" && strings.Contains(log, form) {
				t.Errorf("audit log holds %q; want identifiers only", sec)
			}
		}
	}
}

func TestCreateOrg(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		seedOrgs(t, s)
		long := strings.Repeat("a", 65)
		tests := []struct {
			name string
			org  Org
			want error
		}{
			{"department", Org{ID: "so-ha-noi", Kind: OrgDepartment, Name: "Sở GD&ĐT Hà Nội"}, nil},
			{"school", Org{ID: "thcs-1", Kind: OrgSchool, Name: "Trường THCS 1", Parent: testDept}, nil},
			{"duplicate", Org{ID: testSchool, Kind: OrgSchool, Name: "x", Parent: testDept}, ErrExists},
			{"upper-case id", Org{ID: "THPT", Kind: OrgDepartment, Name: "x"}, ErrInvalid},
			{"empty id", Org{ID: "", Kind: OrgDepartment, Name: "x"}, ErrInvalid},
			{"id too long", Org{ID: long, Kind: OrgDepartment, Name: "x"}, ErrInvalid},
			{"id with space", Org{ID: "a b", Kind: OrgDepartment, Name: "x"}, ErrInvalid},
			{"id with underscore", Org{ID: "a_b", Kind: OrgDepartment, Name: "x"}, ErrInvalid},
			{"unknown kind", Org{ID: "x", Kind: "ministry", Name: "x"}, ErrInvalid},
			{"empty name", Org{ID: "x", Kind: OrgDepartment, Name: "  "}, ErrInvalid},
			{"control in name", Org{ID: "x", Kind: OrgDepartment, Name: "a\x00b"}, ErrInvalid},
			{"school without parent", Org{ID: "x", Kind: OrgSchool, Name: "x"}, ErrInvalid},
			{"school with unknown parent", Org{ID: "x", Kind: OrgSchool, Name: "x", Parent: "so-nowhere"}, ErrInvalid},
			{"school under a school", Org{ID: "x", Kind: OrgSchool, Name: "x", Parent: testSchool}, ErrInvalid},
			{"department with parent", Org{ID: "x", Kind: OrgDepartment, Name: "x", Parent: testDept}, ErrInvalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := s.CreateOrg(ctx, tt.org, testActor)
				if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
					t.Fatalf("CreateOrg: got %v, want %v", err, tt.want)
				}
				if tt.want != nil {
					return
				}
				got, err := s.Org(ctx, tt.org.ID)
				if err != nil {
					t.Fatalf("Org: %v", err)
				}
				if *got != tt.org {
					t.Errorf("Org: got %+v, want %+v", *got, tt.org)
				}
				if acts := auditActions(t, s, tt.org.ID); !slices.Equal(acts, []string{ActionCreateOrg}) {
					t.Errorf("audit: got %v, want [%s]", acts, ActionCreateOrg)
				}
			})
		}
		if _, err := s.Org(ctx, "x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Org of a refused org: got %v, want ErrNotFound", err)
		}
		orgs, err := s.Orgs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, o := range orgs {
			ids = append(ids, o.ID)
		}
		want := []string{"so-ben-tre", "so-ha-noi", "thcs-1", "thpt-ben-tre", "thpt-chuyen-ben-tre"}
		if !slices.Equal(ids, want) {
			t.Errorf("Orgs: got %v, want %v", ids, want)
		}
	})
}

func TestCreateAccount(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		seedOrgs(t, s)
		hash := testHash(t, testPassword)
		newAccount(t, s, "taken", "Người Đã Có", testSchool, RoleSchoolAdmin)
		nfd := norm.NFD.String("  Nguyễn   Thị Hà ")
		tests := []struct {
			name string
			acct Account
			hash string
			want error
		}{
			{"teacher", Account{Username: "ha.nguyen", FullName: nfd, OrgID: testSchool, Roles: []Role{RoleSubjectTeacher, RoleHomeroomTeacher, RoleSubjectTeacher}}, hash, nil},
			{"director", Account{Username: "phuc_le-1", FullName: "Lê Hoàng Phúc", OrgID: testDept, Roles: []Role{RoleDirector}}, hash, nil},
			{"disabled at creation", Account{Username: "off", FullName: "Tắt", OrgID: testSchool, Roles: []Role{RolePrincipal}, Disabled: true}, hash, nil},
			{"duplicate username", Account{Username: "taken", FullName: "X", OrgID: testSchool, Roles: []Role{RolePrincipal}}, hash, ErrExists},
			{"upper-case username", Account{Username: "Upper.Case", FullName: "X", OrgID: testSchool, Roles: []Role{RolePrincipal}}, hash, ErrInvalid},
			{"short username", Account{Username: "ha", FullName: "X", OrgID: testSchool, Roles: []Role{RolePrincipal}}, hash, ErrInvalid},
			{"username with @", Account{Username: "ha@school", FullName: "X", OrgID: testSchool, Roles: []Role{RolePrincipal}}, hash, ErrInvalid},
			{"no full name", Account{Username: "noname", FullName: " ", OrgID: testSchool, Roles: []Role{RolePrincipal}}, hash, ErrInvalid},
			{"no roles", Account{Username: "noroles", FullName: "X", OrgID: testSchool}, hash, ErrInvalid},
			{"unknown role", Account{Username: "badrole", FullName: "X", OrgID: testSchool, Roles: []Role{"janitor"}}, hash, ErrInvalid},
			{"unknown org", Account{Username: "noorg", FullName: "X", OrgID: "nowhere", Roles: []Role{RolePrincipal}}, hash, ErrInvalid},
			{"Sở role in a school", Account{Username: "dir", FullName: "X", OrgID: testSchool, Roles: []Role{RoleDirector}}, hash, ErrInvalid},
			{"school role in a Sở", Account{Username: "prin", FullName: "X", OrgID: testDept, Roles: []Role{RolePrincipal}}, hash, ErrInvalid},
			{"mixed roles", Account{Username: "mixed", FullName: "X", OrgID: testDept, Roles: []Role{RoleDepartmentAdmin, RoleSchoolAdmin}}, hash, ErrInvalid},
			{"no password hash", Account{Username: "nohash", FullName: "X", OrgID: testSchool, Roles: []Role{RolePrincipal}}, "", ErrInvalid},
			{"plain-text password", Account{Username: "plain", FullName: "X", OrgID: testSchool, Roles: []Role{RolePrincipal}}, testPassword, ErrInvalid},
			{"key without certificates", Account{Username: "nocert", FullName: "X", OrgID: testSchool, Roles: []Role{RolePrincipal}, KeyKind: KeyUSB}, hash, ErrInvalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := tt.acct
				err := s.CreateAccount(ctx, &a, tt.hash, testActor)
				if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
					t.Fatalf("CreateAccount: got %v, want %v", err, tt.want)
				}
				if tt.want != nil {
					if _, err := s.AccountByUsername(ctx, tt.acct.Username); tt.want != ErrExists && !errors.Is(err, ErrNotFound) {
						t.Errorf("AccountByUsername after a refusal: got %v, want ErrNotFound", err)
					}
					return
				}
				if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(a.ID) {
					t.Errorf("ID: got %q, want 16 hex characters", a.ID)
				}
				if !a.CreatedAt.Equal(clock.Now()) {
					t.Errorf("CreatedAt: got %v, want %v", a.CreatedAt, clock.Now())
				}
				got, err := s.Account(ctx, a.ID)
				if err != nil {
					t.Fatalf("Account: %v", err)
				}
				if wantName := norm.NFC.String(strings.Join(strings.Fields(tt.acct.FullName), " ")); got.FullName != wantName || a.FullName != wantName {
					t.Errorf("FullName: got %q (stored %q), want %q", a.FullName, got.FullName, wantName)
				}
				var wantRoles []Role
				for _, r := range tt.acct.Roles {
					if !slices.Contains(wantRoles, r) {
						wantRoles = append(wantRoles, r)
					}
				}
				if !slices.Equal(got.Roles, wantRoles) {
					t.Errorf("Roles: got %v, want %v", got.Roles, wantRoles)
				}
				if got.Username != a.Username || got.OrgID != a.OrgID || got.Disabled != a.Disabled || !got.CreatedAt.Equal(a.CreatedAt) || !got.LockedUntil.IsZero() {
					t.Errorf("Account: got %+v, want %+v", got, a)
				}
				byName, err := s.AccountByUsername(ctx, "  "+strings.ToUpper(a.Username)+" ")
				if err != nil || byName.ID != a.ID {
					t.Errorf("AccountByUsername: got %v, %v; want account %s", byName, err, a.ID)
				}
			})
		}
		if _, err := s.Account(ctx, "0123456789abcdef"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Account of an unknown id: got %v, want ErrNotFound", err)
		}
		assertAuditClean(t, s, "Nguyễn Thị Hà", "Lê Hoàng Phúc", "ha.nguyen", hash)
	})
}

func TestAccountsSortedByVietnameseName(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		seedOrgs(t, s)
		names := []string{"Ê Đê", "Đỗ Thị Oanh", "Anh Trần", "Dương Văn Bình", "Ân Văn Cư"}
		for i, n := range names {
			newAccount(t, s, "user"+string(rune('a'+i))+"xx", n, testSchool, RoleSubjectTeacher)
		}
		newAccount(t, s, "other", "Ai Khác", testSchool2, RoleSubjectTeacher)
		got, err := s.Accounts(t.Context(), testSchool)
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, a := range got {
			order = append(order, a.FullName)
		}
		// Vietnamese order: A < Â < D < Đ < E < Ê.
		want := []string{"Anh Trần", "Ân Văn Cư", "Dương Văn Bình", "Đỗ Thị Oanh", "Ê Đê"}
		if !slices.Equal(order, want) {
			t.Errorf("Accounts: got %q, want %q", order, want)
		}
		all, err := s.Accounts(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != len(names)+1 {
			t.Errorf("Accounts of every org: got %d, want %d", len(all), len(names)+1)
		}
	})
}

// testCA issues certificates for tests, valid from a day before testStart.
func testCA(t *testing.T) *devca.CA {
	t.Helper()
	ca, err := devca.New(rand.Reader, testStart.Add(-24*time.Hour), devca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// chainPEM issues a signer certificate for cn from ca and returns the
// chain, leaf first, in PEM.
func chainPEM(t *testing.T, ca *devca.CA, cn string) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.IssueSigner(rand.Reader, k.Public(), devca.Subject{CommonName: cn, Organization: testSchoolName}, testStart.Add(-time.Hour), 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return string(devca.CertsPEM(append([]*x509.Certificate{leaf}, ca.Chain()...)...))
}

// selfSignedPEM makes a self-signed certificate from tmpl (subject cn,
// valid around testStart unless tmpl says otherwise).
func selfSignedPEM(t *testing.T, cn string, tmpl x509.Certificate) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(7)
	tmpl.Subject = pkix.Name{CommonName: cn}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = testStart.Add(-time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = testStart.Add(365 * 24 * time.Hour)
	}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestSetKey(t *testing.T) {
	ca := testCA(t)
	const name = "Nguyễn Thị Hà"
	good := chainPEM(t, ca, name)
	blocks := regexp.MustCompile(`(?s)-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n`).FindAllString(good, -1)
	if len(blocks) != 3 {
		t.Fatalf("chain: got %d certificates, want 3", len(blocks))
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)))
	if err != nil {
		t.Fatal(err)
	}
	withKey := good + string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	const uri = "pkcs11:token=kyso-ha.nguyen;object=sign?module-path=/usr/lib/softhsm/libsofthsm2.so"
	tests := []struct {
		name    string
		account string // "teacher" or "seal"
		kind    KeyKind
		uri     string
		certs   string
		want    error
	}{
		{"HSM", "teacher", KeyHSM, uri, good, nil},
		{"USB", "teacher", KeyUSB, "", good, nil},
		{"none", "teacher", KeyNone, "", "", nil},
		{"name in other case and NFD", "teacher", KeyUSB, "", chainPEM(t, ca, norm.NFD.String(strings.ToUpper(name))), nil},
		{"seal keeper with the school's name", "seal", KeyHSM, uri, chainPEM(t, ca, testSchoolName), nil},
		{"seal keeper with their own name", "seal", KeyUSB, "", chainPEM(t, ca, "Nguyễn Thị Thu"), nil},
		{"teacher with the school's name", "teacher", KeyUSB, "", chainPEM(t, ca, testSchoolName), ErrInvalid},
		{"other name", "teacher", KeyUSB, "", chainPEM(t, ca, "Nguyễn Thị Hả"), ErrInvalid},
		{"pin-value", "teacher", KeyHSM, uri + "&pin-value=1234", good, ErrInvalid},
		{"pin-source", "teacher", KeyHSM, uri + "&pin-source=env:PIN", good, ErrInvalid},
		{"file URI, for development", "teacher", KeyHSM, "file:/etc/kyso/key.pem", good, nil},
		{"file URI with pin-value", "teacher", KeyHSM, "file:/etc/kyso/key.pem?pin-value=1234", good, ErrInvalid},
		{"other scheme", "teacher", KeyHSM, "https://hsm.example/key", good, ErrInvalid},
		{"malformed URI", "teacher", KeyHSM, "pkcs11:token=a;bogus=1", good, ErrInvalid},
		{"HSM without URI", "teacher", KeyHSM, "", good, ErrInvalid},
		{"HSM without certificates", "teacher", KeyHSM, uri, "", ErrInvalid},
		{"USB with URI", "teacher", KeyUSB, uri, good, ErrInvalid},
		{"USB without certificates", "teacher", KeyUSB, "", "", ErrInvalid},
		{"none with certificates", "teacher", KeyNone, "", good, ErrInvalid},
		{"unknown kind", "teacher", "smartcard", "", good, ErrInvalid},
		{"private key in the PEM", "teacher", KeyUSB, "", withKey, ErrInvalid},
		{"not PEM", "teacher", KeyUSB, "", "hello", ErrInvalid},
		{"text after the chain", "teacher", KeyUSB, "", good + "trailing", ErrInvalid},
		{"corrupt certificate", "teacher", KeyUSB, "", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 1, 2}})), ErrInvalid},
		{"chain in the wrong order", "teacher", KeyUSB, "", blocks[0] + blocks[2] + blocks[1], ErrInvalid},
		{"CA first", "teacher", KeyUSB, "", blocks[1] + blocks[2], ErrInvalid},
		{"too long", "teacher", KeyUSB, "", good + strings.Repeat("\n", maxCertificatesPEM), ErrInvalid},
		{"expired", "teacher", KeyUSB, "", selfSignedPEM(t, name, x509.Certificate{NotBefore: testStart.AddDate(-2, 0, 0), NotAfter: testStart.Add(-time.Second)}), ErrInvalid},
		{"key usage for CAs only", "teacher", KeyUSB, "", selfSignedPEM(t, name, x509.Certificate{KeyUsage: x509.KeyUsageCertSign}), ErrInvalid},
		{"no key usage", "teacher", KeyUSB, "", selfSignedPEM(t, name, x509.Certificate{}), nil},
		{"non-repudiation only", "teacher", KeyUSB, "", selfSignedPEM(t, name, x509.Certificate{KeyUsage: x509.KeyUsageContentCommitment}), nil},
	}
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		seedOrgs(t, s)
		accts := map[string]*Account{
			"teacher": newAccount(t, s, "ha.nguyen", name, testSchool, RoleSubjectTeacher),
			"seal":    newAccount(t, s, "vanthu", "Nguyễn Thị Thu", testSchool, RoleSealKeeper),
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := accts[tt.account]
				// Start from a known key, so a refusal can be seen to
				// change nothing.
				if err := s.SetKey(ctx, a.ID, KeyNone, "", "", testActor); err != nil {
					t.Fatal(err)
				}
				err := s.SetKey(ctx, a.ID, tt.kind, tt.uri, tt.certs, testActor)
				if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
					t.Fatalf("SetKey: got %v, want %v", err, tt.want)
				}
				if err != nil && strings.Contains(err.Error(), "1234") {
					t.Errorf("SetKey error quotes the PIN: %v", err)
				}
				got, err := s.Account(ctx, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				if tt.want != nil {
					if got.KeyKind != KeyNone || got.KeyURI != "" || got.Certificates != "" {
						t.Errorf("after a refusal: key %q %q, %d bytes of certificates; want none", got.KeyKind, got.KeyURI, len(got.Certificates))
					}
					return
				}
				if got.KeyKind != tt.kind {
					t.Errorf("KeyKind: got %q, want %q", got.KeyKind, tt.kind)
				}
				wantURI := ""
				if tt.uri != "" {
					u, err := hsm.ParseURI(tt.uri)
					if err != nil {
						t.Fatal(err)
					}
					wantURI = u.String()
				}
				if got.KeyURI != wantURI {
					t.Errorf("KeyURI: got %q, want %q", got.KeyURI, wantURI)
				}
				if tt.certs != "" {
					chain, err := devca.ParseCertsPEM([]byte(got.Certificates))
					if err != nil || len(chain) == 0 {
						t.Fatalf("stored certificates: %v", err)
					}
					if got.Certificates != strings.TrimLeft(tt.certs, "\n") {
						t.Errorf("stored certificates differ from those given")
					}
				} else if got.Certificates != "" {
					t.Errorf("Certificates: got %d bytes, want none", len(got.Certificates))
				}
			})
		}
		if err := s.SetKey(ctx, "0123456789abcdef", KeyUSB, "", good, testActor); !errors.Is(err, ErrNotFound) {
			t.Errorf("SetKey of an unknown account: got %v, want ErrNotFound", err)
		}
		// The same checks apply when the account is created with a key.
		for _, tc := range []struct {
			username, cn string
			want         error
		}{{"dong.tran", "Trần Văn Đông", nil}, {"dong.tran2", "Someone Else", ErrInvalid}} {
			a := &Account{Username: tc.username, FullName: "Trần Văn Đông", OrgID: testSchool, Roles: []Role{RolePrincipal},
				KeyKind: KeyHSM, KeyURI: uri + "&pin-value=1234", Certificates: chainPEM(t, ca, tc.cn)}
			if err := s.CreateAccount(ctx, a, testHash(t, testPassword), testActor); !errors.Is(err, ErrInvalid) {
				t.Errorf("CreateAccount with pin-value (CN %s): got %v, want ErrInvalid", tc.cn, err)
			}
			a.KeyURI = uri
			err := s.CreateAccount(ctx, a, testHash(t, testPassword), testActor)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("CreateAccount with key (CN %s): got %v, want %v", tc.cn, err, tc.want)
			}
		}
		assertAuditClean(t, s, name, "Nguyễn Thị Thu", "BEGIN CERTIFICATE", "1234")
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestAssign(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		seedOrgs(t, s)
		ha := newAccount(t, s, "ha.nguyen", "Nguyễn Thị Hà", testSchool, RoleSubjectTeacher, RoleHomeroomTeacher)
		oanh := newAccount(t, s, "oanh.do", "Đỗ Thị Oanh", testSchool, RoleSubjectTeacher, RoleHomeroomTeacher)
		prin := newAccount(t, s, "dong.tran", "Trần Văn Đông", testSchool, RolePrincipal)
		other := newAccount(t, s, "khac", "Người Trường Khác", testSchool2, RoleHomeroomTeacher)
		const y = "2024-2025"
		sub := func(id, class, subject string) Assignment {
			return Assignment{AccountID: id, Role: RoleSubjectTeacher, SchoolYear: y, Class: class, Subject: subject}
		}
		home := func(id, class string) Assignment {
			return Assignment{AccountID: id, Role: RoleHomeroomTeacher, SchoolYear: y, Class: class}
		}
		tests := []struct {
			name string
			a    Assignment
			want error
		}{
			{"subject teacher", sub(ha.ID, "10A1", "Toán"), nil},
			{"homeroom teacher", home(ha.ID, "10A1"), nil},
			{"same again", sub(ha.ID, "10A1", "Toán"), nil},
			{"same in other case and spacing", sub(ha.ID, " 10a1 ", norm.NFD.String("TOÁN")), nil},
			{"second homeroom teacher", home(oanh.ID, "10A1"), ErrExists},
			{"second homeroom teacher, other case", home(oanh.ID, "10a1"), ErrExists},
			{"second teacher of a subject", sub(oanh.ID, "10A1", "toán"), ErrExists},
			{"other subject", sub(oanh.ID, "10A1", "Ngữ văn"), nil},
			{"other class", home(oanh.ID, "10A2"), nil},
			{"other year", Assignment{AccountID: oanh.ID, Role: RoleHomeroomTeacher, SchoolYear: "2025-2026", Class: "10A1"}, nil},
			{"same class in another school", home(other.ID, "10A1"), nil},
			{"role not held", home(prin.ID, "11B1"), ErrInvalid},
			{"role not assignable", Assignment{AccountID: prin.ID, Role: RolePrincipal, SchoolYear: y, Class: "11B1"}, ErrInvalid},
			{"subject teacher without subject", sub(ha.ID, "10A3", " "), ErrInvalid},
			{"homeroom teacher with subject", Assignment{AccountID: ha.ID, Role: RoleHomeroomTeacher, SchoolYear: y, Class: "10A3", Subject: "Toán"}, ErrInvalid},
			{"years not consecutive", Assignment{AccountID: ha.ID, Role: RoleHomeroomTeacher, SchoolYear: "2024-2026", Class: "10A3"}, ErrInvalid},
			{"year with slash", Assignment{AccountID: ha.ID, Role: RoleHomeroomTeacher, SchoolYear: "2024/2025", Class: "10A3"}, ErrInvalid},
			{"no class", home(ha.ID, ""), ErrInvalid},
			{"unknown account", home("0123456789abcdef", "10A3"), ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := s.Assign(ctx, tt.a, testActor)
				if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
					t.Fatalf("Assign: got %v, want %v", err, tt.want)
				}
			})
		}
		got, err := s.Assignments(ctx, ha.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []Assignment{home(ha.ID, "10A1"), sub(ha.ID, "10A1", "Toán")}
		if !slices.Equal(got, want) {
			t.Errorf("Assignments: got %+v, want %+v", got, want)
		}
		if acts := auditActions(t, s, ha.ID); !slices.Equal(acts, []string{ActionCreateAccount, ActionAssign, ActionAssign}) {
			t.Errorf("audit of %s: got %v, want create_account and two assign (repeats are not recorded)", ha.ID, acts)
		}
		// Another teacher takes the class once the first is unassigned.
		if err := s.Unassign(ctx, home(ha.ID, "10a1"), testActor); err != nil {
			t.Fatalf("Unassign: %v", err)
		}
		if err := s.Unassign(ctx, home(ha.ID, "10A1"), testActor); !errors.Is(err, ErrNotFound) {
			t.Errorf("Unassign again: got %v, want ErrNotFound", err)
		}
		if err := s.Assign(ctx, home(oanh.ID, "10A1"), testActor); err != nil {
			t.Errorf("Assign after Unassign: %v", err)
		}
	})
}

func TestAssigneeOf(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		seedOrgs(t, s)
		ha := newAccount(t, s, "ha.nguyen", "Nguyễn Thị Hà", testSchool, RoleSubjectTeacher)
		oanh := newAccount(t, s, "oanh.do", "Đỗ Thị Oanh", testSchool, RoleHomeroomTeacher)
		off := newAccount(t, s, "nghi.viec", "Người Nghỉ Việc", testSchool, RoleSubjectTeacher)
		const y = "2024-2025"
		for _, a := range []Assignment{
			{AccountID: ha.ID, Role: RoleSubjectTeacher, SchoolYear: y, Class: "10A1", Subject: "Toán"},
			{AccountID: ha.ID, Role: RoleSubjectTeacher, SchoolYear: y, Class: "10A1", Subject: "Giáo dục  quốc phòng và an ninh"},
			{AccountID: oanh.ID, Role: RoleHomeroomTeacher, SchoolYear: y, Class: "10A1"},
			{AccountID: off.ID, Role: RoleSubjectTeacher, SchoolYear: y, Class: "10A1", Subject: "Vật lí"},
		} {
			if err := s.Assign(ctx, a, testActor); err != nil {
				t.Fatalf("Assign %+v: %v", a, err)
			}
		}
		if err := s.SetDisabled(ctx, off.ID, true, testActor); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name                         string
			org                          string
			role                         Role
			year, class, subject, wantID string
			want                         error
		}{
			{"subject", testSchool, RoleSubjectTeacher, y, "10A1", "Toán", ha.ID, nil},
			{"subject lower-case", testSchool, RoleSubjectTeacher, y, "10a1", "toán", ha.ID, nil},
			{"subject NFD, spaced", testSchool, RoleSubjectTeacher, y, " 10A1", norm.NFD.String("  TOÁN "), ha.ID, nil},
			{"stored with double space", testSchool, RoleSubjectTeacher, y, "10A1", "Giáo dục quốc phòng và an ninh", ha.ID, nil},
			{"homeroom", testSchool, RoleHomeroomTeacher, y, "10A1", "", oanh.ID, nil},
			{"other subject", testSchool, RoleSubjectTeacher, y, "10A1", "Toan", "", ErrNotFound},
			{"other class", testSchool, RoleSubjectTeacher, y, "10A2", "Toán", "", ErrNotFound},
			{"other year", testSchool, RoleSubjectTeacher, "2023-2024", "10A1", "Toán", "", ErrNotFound},
			{"other school", testSchool2, RoleSubjectTeacher, y, "10A1", "Toán", "", ErrNotFound},
			{"disabled teacher", testSchool, RoleSubjectTeacher, y, "10A1", "Vật lí", "", ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.AssigneeOf(ctx, tt.org, tt.role, tt.year, tt.class, tt.subject)
				if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
					t.Fatalf("AssigneeOf: got %v, want %v", err, tt.want)
				}
				if err == nil && got.ID != tt.wantID {
					t.Errorf("AssigneeOf: got %s, want %s", got.ID, tt.wantID)
				}
			})
		}
	})
}

func TestHolderOf(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		seedOrgs(t, s)
		if _, err := s.HolderOf(ctx, testSchool, RolePrincipal); !errors.Is(err, ErrNotFound) {
			t.Errorf("HolderOf with none: got %v, want ErrNotFound", err)
		}
		p1 := newAccount(t, s, "dong.tran", "Trần Văn Đông", testSchool, RoleSchoolAdmin, RolePrincipal)
		newAccount(t, s, "other.principal", "Hiệu Trưởng Khác", testSchool2, RolePrincipal)
		dir := newAccount(t, s, "phuc.le", "Lê Hoàng Phúc", testDept, RoleDirector)
		for _, tc := range []struct {
			org  string
			role Role
			want string
		}{{testSchool, RolePrincipal, p1.ID}, {testDept, RoleDirector, dir.ID}} {
			got, err := s.HolderOf(ctx, tc.org, tc.role)
			if err != nil || got.ID != tc.want {
				t.Errorf("HolderOf(%s, %s): got %v, %v; want %s", tc.org, tc.role, got, err, tc.want)
			}
		}
		p2 := newAccount(t, s, "second", "Hiệu Trưởng Thứ Hai", testSchool, RolePrincipal)
		if _, err := s.HolderOf(ctx, testSchool, RolePrincipal); !errors.Is(err, ErrInvalid) {
			t.Errorf("HolderOf with two: got %v, want ErrInvalid", err)
		}
		if err := s.SetDisabled(ctx, p2.ID, true, testActor); err != nil {
			t.Fatal(err)
		}
		if got, err := s.HolderOf(ctx, testSchool, RolePrincipal); err != nil || got.ID != p1.ID {
			t.Errorf("HolderOf with one disabled: got %v, %v; want %s", got, err, p1.ID)
		}
		if _, err := s.HolderOf(ctx, testSchool, RoleSealKeeper); !errors.Is(err, ErrNotFound) {
			t.Errorf("HolderOf of a role nobody holds: got %v, want ErrNotFound", err)
		}
	})
}

func TestAccountUpdatesOfUnknownAccount(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clock *testClock) {
		ctx := t.Context()
		const id = "0123456789abcdef"
		for name, err := range map[string]error{
			"SetPassword": s.SetPassword(ctx, id, testHash(t, testPassword), testActor),
			"SetDisabled": s.SetDisabled(ctx, id, true, testActor),
		} {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%s: got %v, want ErrNotFound", name, err)
			}
		}
		if err := s.SetPassword(ctx, id, "not a hash", testActor); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetPassword with a bad hash: got %v, want ErrInvalid", err)
		}
		if log := auditJSON(t, s); log != "null" {
			t.Errorf("audit log after refused updates: got %s, want nothing", log)
		}
	})
}
