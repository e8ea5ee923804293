package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/internal/atomicfile"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/templates"
	"github.com/kyso-vn/kyso/workflow"
)

// Demo secrets of the staff service: printed by the demo, fine for a
// machine nobody else uses, and nothing else.
const (
	demoStaffPassword = "kyso-demo-2025"
	demoStaffPIN      = "123456"
)

// demoStaffConfig is DIR/staff.toml, the configuration 'kyso demo' serves
// the staff pages with.
const demoStaffConfig = `# kyso demo: the staff signing service (see docs/CONFIG.md)
listen = %q
base_url = %q
data_dir = "."

[trust]
roots = "ca/root.pem"

[transparency_log]
private_key = "log.key"

[hsm]
# The demo's keys are encrypted files, their passphrase typed as the PIN.
allow_file_keys = true

[log]
format = "text"

[sessions]
cookie_secure = false
`

// demoStaff sets up the staff signing service in dir: the sample Sở and
// school, an account for everyone who signs the sample data (password
// demoStaffPassword) with a development key file whose passphrase is the
// PIN demoStaffPIN, the teachers' assignments, and documents waiting for
// them: the sample class's Ngữ văn gradebook, the next three students' học
// bạ and three more diplomas. It returns the configuration file. Run
// again, it reuses everything.
func demoStaff(e *env, dir string, ca *devca.CA, addr, baseURL string, graduates int) (string, error) {
	config := filepath.Join(dir, "staff.toml")
	if err := atomicfile.Write(config, fmt.Appendf(nil, demoStaffConfig, addr, baseURL), 0o600); err != nil {
		return "", err
	}
	store, err := workflow.Open(e.ctx, filepath.Join(dir, "staff.db"), e.now)
	if err != nil {
		return "", err
	}
	defer store.Close()
	orgs, err := workflow.SampleOrgs()
	if err != nil {
		return "", err
	}
	for _, o := range orgs {
		if err := store.CreateOrg(e.ctx, o, "cli:demo"); err != nil && !errors.Is(err, workflow.ErrExists) {
			return "", err
		}
	}
	people, err := workflow.SampleStaff()
	if err != nil {
		return "", err
	}
	auth := workflow.NewAuth(store, workflow.DefaultPolicy, workflow.DefaultPasswordParams, e.rand)
	hash := ""
	for _, p := range people {
		if _, err := store.AccountByUsername(e.ctx, p.Username); err == nil {
			continue
		}
		if hash == "" {
			if hash, err = auth.HashPassword(e.ctx, []byte(demoStaffPassword)); err != nil {
				return "", err
			}
		}
		a := &workflow.Account{Username: p.Username, FullName: p.FullName, OrgID: p.OrgID, Roles: p.Roles}
		if err := store.CreateAccount(e.ctx, a, hash, "cli:demo"); err != nil {
			return "", fmt.Errorf("demo account %s: %w", p.Username, err)
		}
		if p.Signs {
			cn, org := p.FullName, orgs[1].Name
			if p.CertName != "" {
				cn = p.CertName
			}
			if p.OrgID == workflow.SampleDepartmentID {
				org = orgs[0].Name
			}
			uri, chainPEM, err := demoStaffKey(e, dir, p.Username, ca, devca.Subject{CommonName: cn, Title: p.Title, Organization: org})
			if err != nil {
				return "", fmt.Errorf("demo key of %s: %w", p.Username, err)
			}
			if err := store.SetKey(e.ctx, a.ID, workflow.KeyHSM, uri, chainPEM, "cli:demo"); err != nil {
				return "", fmt.Errorf("demo key of %s: %w", p.Username, err)
			}
		}
		year, class := "2024-2025", "10A1"
		if p.Subject != "" {
			if err := store.Assign(e.ctx, workflow.Assignment{AccountID: a.ID, Role: workflow.RoleSubjectTeacher, SchoolYear: year, Class: class, Subject: p.Subject}, "cli:demo"); err != nil {
				return "", err
			}
		}
		if p.Homeroom {
			if err := store.Assign(e.ctx, workflow.Assignment{AccountID: a.ID, Role: workflow.RoleHomeroomTeacher, SchoolYear: year, Class: class}, "cli:demo"); err != nil {
				return "", err
			}
		}
	}
	return config, demoStaffImports(e, store, baseURL, graduates)
}

// demoStaffKey makes a development key file for a staff account, with the
// demo PIN as its passphrase, and its certificate.
func demoStaffKey(e *env, dir, username string, ca *devca.CA, subject devca.Subject) (uri, chainPEM string, err error) {
	keyPath := filepath.Join(dir, "keys", "staff-"+username+".key")
	if err := os.MkdirAll(filepath.Dir(keyPath), 0o700); err != nil {
		return "", "", err
	}
	uri = "file:" + escapePath(mustAbs(keyPath))
	alg, err := hsm.ParseAlgorithm("p256")
	if err != nil {
		return "", "", err
	}
	cert, err := createKey(e, uri+"?pin-value="+demoStaffPIN, alg, ca, subject)
	if err != nil {
		return "", "", err
	}
	return uri, string(devca.CertsPEM(append([]*x509.Certificate{cert}, ca.Chain()...)...)), nil
}

// demoStaffImports imports the demo's waiting documents, as the school's
// and the Sở's IT would (each import is all or nothing, and a second run
// finds them unchanged).
func demoStaffImports(e *env, store *workflow.Store, baseURL string, graduates int) error {
	fonts, err := pdf.NewRenderer()
	if err != nil {
		return err
	}
	// Importing renders; it needs no key, registry or trust roots.
	svc := &workflow.Service{Store: store, Fonts: fonts, BaseURL: baseURL, Rand: e.rand, Now: e.now, MaxBatch: 1}
	g, err := templates.SampleGradebook(templates.SampleClassSize, "HK1", "Ngữ văn")
	if err != nil {
		return err
	}
	books, err := templates.GradebookCSV(&g)
	if err != nil {
		return err
	}
	var ts []*templates.Transcript
	for i := 3; i < 6; i++ {
		t, err := templates.SampleTranscript(i)
		if err != nil {
			return err
		}
		ts = append(ts, &t)
	}
	hocba, err := templates.TranscriptsCSV(ts...)
	if err != nil {
		return err
	}
	diplomas, err := templates.DiplomasCSV(templates.SampleGraduates(graduates + 3)[graduates:])
	if err != nil {
		return err
	}
	for _, imp := range []struct {
		admin, kind, name string
		data              []byte
	}{
		{"it.chuyenbt", workflow.KindGradebook, "so-diem-ngu-van.csv", books},
		{"it.chuyenbt", workflow.KindTranscript, "hoc-ba.csv", hocba},
		{"so.admin", workflow.KindDiploma, "bang-tot-nghiep.csv", diplomas},
	} {
		a, err := store.AccountByUsername(e.ctx, imp.admin)
		if err != nil {
			return err
		}
		res, err := svc.Import(e.ctx, a, imp.kind, imp.name, imp.data)
		if err != nil {
			if res != nil {
				return fmt.Errorf("demo import %s: %w:\n  %s", imp.name, err, strings.Join(res.Errors, "\n  "))
			}
			return fmt.Errorf("demo import %s: %w", imp.name, err)
		}
	}
	return nil
}
