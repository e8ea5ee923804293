// Package workflowtest builds a complete staff signing service for tests:
// a Sở and one of its schools, an account for every role with a known
// password, an assignment for every teacher of the sample class, a
// SoftHSM2 token per person holding their key and a certificate from an
// in-process development CA, a registry, and the sample data files. It is
// used by the tests of workflow, staffweb and cmd/kyso.
package workflowtest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/internal/testenv"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/templates"
	"github.com/kyso-vn/kyso/workflow"
)

// Clock is a settable clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Start is the time every Env starts at: the sample data is of 2024-2025.
var Start = time.Date(2025, time.June, 2, 8, 0, 0, 0, time.UTC)

// Password is every account's password.
const Password = "mật-khẩu-thử-nghiệm"

// Org IDs.
const (
	DeptID   = workflow.SampleDepartmentID
	SchoolID = workflow.SampleSchoolID
)

// Person is an account with its secrets.
type Person struct {
	Account *workflow.Account
	// PIN opens the person's SoftHSM token (HSM accounts).
	PIN string
	// Token is the person's SoftHSM token (HSM accounts).
	Token *testenv.Token
	// Key and Chain are the key and chain of a USB-token account, for the
	// test to sign with as the person would at their computer.
	Key   crypto.Signer
	Chain []*x509.Certificate
}

// Env is a running staff signing service.
type Env struct {
	Store    *workflow.Store
	Auth     *workflow.Auth
	Service  *workflow.Service
	Registry *registry.SQLite
	CA       *devca.CA
	Clock    *Clock
	HSM      *testenv.HSM
	// People by username.
	People map[string]*Person
}

// Options choose the fixture.
type Options struct {
	// USB lists the usernames whose key is on their own USB token rather
	// than in the service's HSM.
	USB []string
	// WorkflowDSN, when set, is the workflow store's database (a
	// postgres:// URL); by default a SQLite file in a temporary folder.
	WorkflowDSN string
}

// Usernames of the fixture's people (workflow.SampleStaff).
const (
	DeptAdmin   = "so.admin"
	Director    = "phuc.le"
	SchoolAdmin = "it.chuyenbt"
	Principal   = "dong.tran"
	SealKeeper  = "vanthu.chuyenbt"
	Homeroom    = "oanh.do"
	MathTeacher = "ha.nguyen"
)

// Year and Class are the sample class's.
const (
	Year  = "2024-2025"
	Class = "10A1"
)

// New builds the service. It fails (CI=true) or skips t when SoftHSM2 is
// missing.
func New(t testing.TB, opts Options) *Env {
	t.Helper()
	ctx := context.Background()
	clock := &Clock{t: Start}
	dir := t.TempDir()
	dsn := opts.WorkflowDSN
	if dsn == "" {
		dsn = filepath.Join(dir, "staff.db")
	}
	store, err := workflow.Open(ctx, dsn, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	reg, err := registry.OpenSQLite(ctx, filepath.Join(dir, "registry.db"), registry.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	ca, err := devca.New(rand.Reader, Start.Add(-24*time.Hour), devca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fonts, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	h := testenv.NewSoftHSM(t)
	auth := workflow.NewAuth(store, workflow.DefaultPolicy, workflow.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}, rand.Reader)
	env := &Env{Store: store, Auth: auth, Registry: reg, CA: ca, Clock: clock, HSM: h, People: map[string]*Person{}}
	env.Service = &workflow.Service{
		Store: store, Registry: reg, Fonts: fonts, Roots: ca.Chain()[len(ca.Chain())-1:],
		OpenKey: workflow.HSMKeys(h.Module, false), BaseURL: "https://xacthuc.example.edu.vn",
		MaxBatch: 500, Rand: rand.Reader, Now: clock.Now,
	}
	const actor = "test:setup"
	orgs, err := workflow.SampleOrgs()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if err := store.CreateOrg(ctx, o, actor); err != nil {
			t.Fatal(err)
		}
	}
	usb := map[string]bool{}
	for _, u := range opts.USB {
		usb[u] = true
	}
	ps, err := workflow.SampleStaff()
	if err != nil {
		t.Fatal(err)
	}
	// SoftHSM reads its configuration once: every token first, then keys.
	tokens := map[string]*testenv.Token{}
	for _, p := range ps {
		if p.Signs && !usb[p.Username] {
			tokens[p.Username] = h.InitToken(t, "kyso-"+p.Username)
		}
	}
	hash, err := auth.HashPassword(ctx, []byte(Password))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		a := &workflow.Account{Username: p.Username, FullName: norm.NFC.String(p.FullName), OrgID: p.OrgID, Roles: p.Roles}
		if err := store.CreateAccount(ctx, a, hash, actor); err != nil {
			t.Fatalf("account %s: %v", p.Username, err)
		}
		per := &Person{Account: a}
		if p.Signs {
			cn := p.FullName
			if p.CertName != "" {
				cn = p.CertName
			}
			org := orgs[1].Name
			if p.OrgID == DeptID {
				org = orgs[0].Name
			}
			var pub crypto.PublicKey
			var uri string
			if tok := tokens[p.Username]; tok != nil {
				uri = tok.URI("object=sign")
				k, err := hsm.GenerateTokenKey(ctx, tok.URI("object=sign", "pin-value="+tok.PIN), hsm.ECDSAP256, hsm.Options{})
				if err != nil {
					t.Fatalf("key of %s: %v", p.Username, err)
				}
				pub = k.Signer.Public()
				k.Close()
				per.PIN, per.Token = tok.PIN, tok
			} else {
				k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				per.Key, pub = k, k.Public()
			}
			cert, err := ca.IssueSigner(rand.Reader, pub, devca.Subject{CommonName: cn, Organization: org}, Start.Add(-time.Hour), 3*365*24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			per.Chain = append([]*x509.Certificate{cert}, ca.Chain()...)
			kind := workflow.KeyHSM
			if usb[p.Username] {
				kind, uri = workflow.KeyUSB, ""
			}
			if err := store.SetKey(ctx, a.ID, kind, uri, string(devca.CertsPEM(per.Chain...)), actor); err != nil {
				t.Fatalf("key of %s: %v", p.Username, err)
			}
		}
		if p.Subject != "" {
			if err := store.Assign(ctx, workflow.Assignment{AccountID: a.ID, Role: workflow.RoleSubjectTeacher, SchoolYear: Year, Class: Class, Subject: p.Subject}, actor); err != nil {
				t.Fatal(err)
			}
		}
		if p.Homeroom {
			if err := store.Assign(ctx, workflow.Assignment{AccountID: a.ID, Role: workflow.RoleHomeroomTeacher, SchoolYear: Year, Class: Class}, actor); err != nil {
				t.Fatal(err)
			}
		}
		if per.Account, err = store.Account(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		env.People[p.Username] = per
	}
	return env
}

// Account returns the account of username.
func (e *Env) Account(t testing.TB, username string) *workflow.Account {
	t.Helper()
	p, ok := e.People[username]
	if !ok {
		t.Fatalf("no person %q in the fixture", username)
	}
	return p.Account
}

// Gradebooks returns a CSV file of the sample class's gradebooks for
// term HK1 in the given subjects, with n students each.
func Gradebooks(t testing.TB, n int, subjects ...string) []byte {
	t.Helper()
	var gs []*templates.Gradebook
	for _, s := range subjects {
		g, err := templates.SampleGradebook(n, "HK1", s)
		if err != nil {
			t.Fatal(err)
		}
		gs = append(gs, &g)
	}
	data, err := templates.GradebookCSV(gs...)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Transcripts returns a CSV file of the học bạ of the first n students of
// the sample class.
func Transcripts(t testing.TB, n int) []byte {
	t.Helper()
	var ts []*templates.Transcript
	for i := range n {
		tr, err := templates.SampleTranscript(i)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, &tr)
	}
	data, err := templates.TranscriptsCSV(ts...)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Diplomas returns a CSV file of n sample diplomas.
func Diplomas(t testing.TB, n int) []byte {
	t.Helper()
	data, err := templates.DiplomasCSV(templates.SampleGraduates(n))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
