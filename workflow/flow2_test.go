package workflow_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/registry/pgtest"
	"github.com/kyso-vn/kyso/templates"
	"github.com/kyso-vn/kyso/workflow"
	"github.com/kyso-vn/kyso/workflow/workflowtest"
)

func TestImportRefusals(t *testing.T) {
	env := workflowtest.New(t, workflowtest.Options{})
	ctx := context.Background()
	admin := env.Account(t, workflowtest.SchoolAdmin)
	good := workflowtest.Gradebooks(t, 3, "Toán")
	if _, err := env.Service.Import(ctx, admin, workflow.KindGradebook, "toan.csv", good); err != nil {
		t.Fatal(err)
	}
	otherSchool := bytes.ReplaceAll(good, []byte("Trường THPT Chuyên Bến Tre"), []byte("Trường THPT Nguyễn Đình Chiểu"))
	wrongTeacher := bytes.ReplaceAll(good, []byte("Nguyễn Thị Thu Hà"), []byte("Nguyễn Thị Thu Hằng"))
	otherClass := bytes.ReplaceAll(good, []byte("10A1"), []byte("10A2"))
	g, err := templates.SampleGradebook(3, "HK1", "Toán")
	if err != nil {
		t.Fatal(err)
	}
	g.Place = "Ba Tri"
	changed, err := templates.GradebookCSV(&g)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		account string
		kind    string
		data    []byte
		want    error
		problem string // a word the listed problem holds
	}{
		{"teacher imports", workflowtest.MathTeacher, workflow.KindGradebook, good, workflow.ErrForbidden, ""},
		{"school imports diplomas", workflowtest.SchoolAdmin, workflow.KindDiploma, workflowtest.Diplomas(t, 1), workflow.ErrForbidden, ""},
		{"another school's data", workflowtest.SchoolAdmin, workflow.KindGradebook, otherSchool, workflow.ErrImportRefused, "truong"},
		{"the record names another teacher", workflowtest.SchoolAdmin, workflow.KindGradebook, wrongTeacher, workflow.ErrImportRefused, "Hằng"},
		{"no teacher assigned", workflowtest.SchoolAdmin, workflow.KindGradebook, otherClass, workflow.ErrImportRefused, "10A2"},
		{"bad file", workflowtest.SchoolAdmin, workflow.KindGradebook, []byte("lop,mon\n10A1"), workflow.ErrImportRefused, "toan.csv"},
		{"imported before with other data", workflowtest.SchoolAdmin, workflow.KindGradebook, changed, workflow.ErrImportRefused, "correct"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := env.Service.Import(ctx, env.Account(t, tc.account), tc.kind, "toan.csv", tc.data)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.problem != "" && !strings.Contains(strings.Join(res.Errors, "\n"), tc.problem) {
				t.Fatalf("problems %q do not mention %q", res.Errors, tc.problem)
			}
			if res != nil && res.Documents != 0 {
				t.Fatalf("a refused import created %d documents", res.Documents)
			}
		})
	}
	// The same file again changes nothing.
	res, err := env.Service.Import(ctx, admin, workflow.KindGradebook, "toan.csv", good)
	if err != nil || res.Documents != 0 || res.Unchanged != 1 {
		t.Fatalf("re-import: %+v, %v; want 1 unchanged", res, err)
	}
	docs, _ := env.Store.Documents(ctx, workflow.Filter{OrgID: workflowtest.SchoolID})
	if len(docs) != 1 {
		t.Fatalf("%d documents after the refusals, want 1", len(docs))
	}
}

func TestDiplomaCorrection(t *testing.T) {
	env := workflowtest.New(t, workflowtest.Options{})
	ctx := context.Background()
	docs := importFile(t, env, workflow.KindDiploma, "bang.csv", workflowtest.Diplomas(t, 3))
	signAs(t, env, workflowtest.Director)
	old := docs[0]
	checkPublished(t, env, old.ID, 1)

	ds := templates.SampleGraduates(1)
	ds[0].PlaceOfBirth = "Thạnh Phú, Bến Tre"
	corrected, err := templates.DiplomasCSV(ds)
	if err != nil {
		t.Fatal(err)
	}
	admin := env.Account(t, workflowtest.DeptAdmin)
	if _, err := env.Service.Correct(ctx, admin, old.ID, "sua.csv", corrected, "Sai nơi sinh"); !errors.Is(err, workflow.ErrInvalid) {
		t.Fatalf("correction with the same serial: %v, want ErrInvalid", err)
	}
	if _, err := env.Service.Correct(ctx, env.Account(t, workflowtest.Director), old.ID, "sua.csv", corrected, "x"); !errors.Is(err, workflow.ErrForbidden) {
		t.Fatalf("correction by the director: %v, want ErrForbidden", err)
	}
	ds[0].Serial = "T 09999999"
	corrected, _ = templates.DiplomasCSV(ds)
	if _, err := env.Service.Correct(ctx, admin, old.ID, "sua.csv", corrected, " "); !errors.Is(err, workflow.ErrInvalid) {
		t.Fatalf("correction without a reason: %v, want ErrInvalid", err)
	}
	nd, err := env.Service.Correct(ctx, admin, old.ID, "sua.csv", corrected, "Sai nơi sinh")
	if err != nil {
		t.Fatal(err)
	}
	if nd.Supersedes != old.ID || nd.Status != workflow.StatusWaiting {
		t.Fatalf("new version: %+v", nd)
	}
	// The old credential stays valid until the correction is published.
	oldID, _ := registry.ParseID(old.ID)
	if c, _ := env.Registry.Get(ctx, oldID); c.Status != registry.StatusValid {
		t.Fatalf("old credential %s before the correction is signed, want valid", c.Status)
	}
	signAs(t, env, workflowtest.Director)
	checkPublished(t, env, nd.ID, 1)
	c, err := env.Registry.Get(ctx, oldID)
	if err != nil || c.Status != registry.StatusSuperseded || c.SupersededBy.String() != nd.ID {
		t.Fatalf("old credential: %+v, %v; want superseded by %s", c, err, nd.ID)
	}
	if _, err := env.Service.Correct(ctx, admin, old.ID, "sua.csv", corrected, "again"); !errors.Is(err, workflow.ErrConflict) {
		t.Fatalf("correcting a superseded version: %v, want ErrConflict", err)
	}
}

func TestHSMUnavailable(t *testing.T) {
	env := workflowtest.New(t, workflowtest.Options{})
	ctx := context.Background()
	docs := importFile(t, env, workflow.KindGradebook, "toan.csv", workflowtest.Gradebooks(t, 3, "Toán"))
	teacher := env.People[workflowtest.MathTeacher]
	a := *teacher.Account
	a.KeyURI = strings.Replace(a.KeyURI, "token=kyso-", "token=missing-", 1)
	if _, err := env.Service.SignBatch(ctx, &a, ids(docs), []byte(teacher.PIN)); !errors.Is(err, hsm.ErrTokenNotFound) {
		t.Fatalf("missing token: %v, want hsm.ErrTokenNotFound", err)
	}
	d, _ := env.Store.Document(ctx, docs[0].ID)
	if d.SignedCount() != 0 || d.Version != 1 {
		t.Fatalf("a failed batch changed the document: %+v", d)
	}
}

// failingRegistry fails its first Issue.
type failingRegistry struct {
	workflow.Registry
	failed bool
}

var errRegistryDown = errors.New("registry down")

func (r *failingRegistry) Issue(ctx context.Context, c *registry.Credential, actor string) error {
	if !r.failed {
		r.failed = true
		return errRegistryDown
	}
	return r.Registry.Issue(ctx, c, actor)
}

func TestRegistrationRetried(t *testing.T) {
	env := workflowtest.New(t, workflowtest.Options{})
	ctx := context.Background()
	env.Service.Registry = &failingRegistry{Registry: env.Registry}
	docs := importFile(t, env, workflow.KindGradebook, "toan.csv", workflowtest.Gradebooks(t, 3, "Toán"))
	teacher := env.People[workflowtest.MathTeacher]
	res, err := env.Service.SignBatch(ctx, teacher.Account, ids(docs), []byte(teacher.PIN))
	if err != nil {
		t.Fatal(err)
	}
	if res.Signed != 1 || res.Published != 0 || !errors.Is(res.Items[0].Err, errRegistryDown) {
		t.Fatalf("batch with the registry down: %+v", res.Items)
	}
	if d, _ := env.Store.Document(ctx, docs[0].ID); d.Status != workflow.StatusSigned {
		t.Fatalf("status %s, want signed", d.Status)
	}
	n, err := env.Service.PublishPending(ctx)
	if err != nil || n != 1 {
		t.Fatalf("PublishPending: %d, %v", n, err)
	}
	checkPublished(t, env, docs[0].ID, 1)
	if n, err := env.Service.PublishPending(ctx); err != nil || n != 0 {
		t.Fatalf("PublishPending again: %d, %v", n, err)
	}
}

// TestTranscriptOnPostgres runs the whole học bạ workflow with the
// workflow store in PostgreSQL.
func TestTranscriptOnPostgres(t *testing.T) {
	srv := pgtest.Start(t)
	env := workflowtest.New(t, workflowtest.Options{WorkflowDSN: srv.NewDatabase(t)})
	docs := importFile(t, env, workflow.KindTranscript, "hoc-ba.csv", workflowtest.Transcripts(t, 1))
	for _, p := range env.People {
		if p.Account.Has(workflow.RoleSubjectTeacher) {
			signAs(t, env, p.Account.Username)
		}
	}
	signAs(t, env, workflowtest.Homeroom)
	signAs(t, env, workflowtest.Principal)
	signAs(t, env, workflowtest.SealKeeper)
	checkPublished(t, env, docs[0].ID, len(docs[0].Steps))
	if _, err := env.Service.Import(context.Background(), env.Account(t, workflowtest.SchoolAdmin), workflow.KindTranscript, "hoc-ba.csv", workflowtest.Transcripts(t, 1)); err != nil {
		t.Fatalf("re-import after publication: %v", err)
	}
}

// stoppingSigner closes stop after its first signature, as the service's
// shutdown would in the middle of a batch.
type stoppingSigner struct {
	crypto.Signer
	stop chan struct{}
	once sync.Once
}

func (s *stoppingSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	sig, err := s.Signer.Sign(r, digest, opts)
	s.once.Do(func() { close(s.stop) })
	return sig, err
}

func TestBatchStopsBetweenDocuments(t *testing.T) {
	env := workflowtest.New(t, workflowtest.Options{})
	ctx := context.Background()
	docs := importFile(t, env, workflow.KindDiploma, "bang.csv", workflowtest.Diplomas(t, 4))
	stop := make(chan struct{})
	open := env.Service.OpenKey
	env.Service.Stopping = stop
	env.Service.OpenKey = func(ctx context.Context, a *workflow.Account, pin []byte) (*workflow.OpenedKey, error) {
		k, err := open(ctx, a, pin)
		if err == nil {
			k.Signer = &stoppingSigner{Signer: k.Signer, stop: stop}
		}
		return k, err
	}
	director := env.People[workflowtest.Director]
	res, err := env.Service.SignBatch(ctx, director.Account, ids(docs), []byte(director.PIN))
	if err != nil {
		t.Fatal(err)
	}
	if res.Published != 1 || len(res.Items) != 4 {
		t.Fatalf("batch stopped after the first document: %+v", res)
	}
	for _, it := range res.Items[1:] {
		if !errors.Is(it.Err, workflow.ErrStopped) {
			t.Fatalf("%s: %v, want ErrStopped", it.DocumentID, it.Err)
		}
		d, _ := env.Store.Document(ctx, it.DocumentID)
		if d.Version != 1 || d.Status != workflow.StatusWaiting {
			t.Fatalf("a document after the stop changed: %+v", d)
		}
	}
	checkPublished(t, env, res.Items[0].DocumentID, 1)
}

// TestCorrectionOfUnpublishedCorrection corrects a published diploma, then
// corrects the correction before anyone signed it: publishing the third
// version supersedes the first.
func TestCorrectionOfUnpublishedCorrection(t *testing.T) {
	env := workflowtest.New(t, workflowtest.Options{})
	ctx := context.Background()
	docs := importFile(t, env, workflow.KindDiploma, "bang.csv", workflowtest.Diplomas(t, 1))
	signAs(t, env, workflowtest.Director)
	admin := env.Account(t, workflowtest.DeptAdmin)
	ds := templates.SampleGraduates(1)
	ds[0].Serial = "T 09999998"
	v2data, _ := templates.DiplomasCSV(ds)
	v2, err := env.Service.Correct(ctx, admin, docs[0].ID, "v2.csv", v2data, "Sai số hiệu")
	if err != nil {
		t.Fatal(err)
	}
	ds[0].Serial = "T 09999999"
	v3data, _ := templates.DiplomasCSV(ds)
	v3, err := env.Service.Correct(ctx, admin, v2.ID, "v3.csv", v3data, "Sai số hiệu lần nữa")
	if err != nil {
		t.Fatal(err)
	}
	if v3.Supersedes != docs[0].ID {
		t.Fatalf("v3 supersedes %s, want the published %s", v3.Supersedes, docs[0].ID)
	}
	signAs(t, env, workflowtest.Director)
	checkPublished(t, env, v3.ID, 1)
	v1, _ := registry.ParseID(docs[0].ID)
	if c, err := env.Registry.Get(ctx, v1); err != nil || c.Status != registry.StatusSuperseded || c.SupersededBy.String() != v3.ID {
		t.Fatalf("v1: %+v, %v; want superseded by v3", c, err)
	}
	if d, _ := env.Store.Document(ctx, v2.ID); d.Status != workflow.StatusSuperseded {
		t.Fatalf("v2 is %s, want superseded", d.Status)
	}
}

// TestWrongPINsLockSigning: SoftHSM2 never locks a token, so the service
// counts wrong PINs itself.
func TestWrongPINsLockSigning(t *testing.T) {
	env := workflowtest.New(t, workflowtest.Options{})
	ctx := context.Background()
	docs := importFile(t, env, workflow.KindGradebook, "toan.csv", workflowtest.Gradebooks(t, 3, "Toán"))
	teacher := env.People[workflowtest.MathTeacher]
	for i := 1; i <= 5; i++ {
		_, err := env.Service.SignBatch(ctx, teacher.Account, ids(docs), []byte("wrong"))
		want := hsm.ErrWrongPIN
		if i == 5 {
			want = hsm.ErrPINLocked
		}
		if !errors.Is(err, want) {
			t.Fatalf("wrong PIN %d: %v, want %v", i, err, want)
		}
	}
	if _, err := env.Service.SignBatch(ctx, teacher.Account, ids(docs), []byte(teacher.PIN)); !errors.Is(err, hsm.ErrPINLocked) {
		t.Fatalf("right PIN while locked: %v, want hsm.ErrPINLocked", err)
	}
	env.Clock.Advance(16 * time.Minute)
	res, err := env.Service.SignBatch(ctx, teacher.Account, ids(docs), []byte(teacher.PIN))
	if err != nil || res.Published != 1 {
		t.Fatalf("after the lock: %+v, %v", res, err)
	}
}

// TestLockOutSameForUnknownNames: a username no account has locks after the
// same failures as a real one, so "locked" does not tell that it exists.
func TestLockOutSameForUnknownNames(t *testing.T) {
	env := workflowtest.New(t, workflowtest.Options{})
	ctx := context.Background()
	for _, name := range []string{workflowtest.MathTeacher, "no.such.teacher"} {
		for i := 1; i <= 6; i++ {
			_, err := env.Auth.Login(ctx, name, []byte("sai mật khẩu"))
			want := workflow.ErrBadCredentials
			if i == 6 {
				want = workflow.ErrLockedOut
			}
			if !errors.Is(err, want) {
				t.Fatalf("%s, try %d: %v, want %v", name, i, err, want)
			}
		}
	}
}

// TestSetKeyNeedsTrustedCertificate: a certificate with the right name
// from a CA the service does not trust is refused when registered.
func TestSetKeyNeedsTrustedCertificate(t *testing.T) {
	env := workflowtest.New(t, workflowtest.Options{})
	ctx := context.Background()
	teacher := env.People[workflowtest.MathTeacher]
	other, err := devca.New(rand.Reader, workflowtest.Start.Add(-time.Hour), devca.Options{Organization: "somebody else"})
	if err != nil {
		t.Fatal(err)
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	name := teacher.Chain[0].Subject.CommonName
	for _, tc := range []struct {
		ca   *devca.CA
		want error
	}{{other, workflow.ErrInvalid}, {env.CA, nil}} {
		cert, err := tc.ca.IssueSigner(rand.Reader, k.Public(), devca.Subject{CommonName: name}, workflowtest.Start, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		chain := string(devca.CertsPEM(append([]*x509.Certificate{cert}, tc.ca.Chain()...)...))
		if err := env.Service.SetKey(ctx, teacher.Account.ID, workflow.KeyUSB, "", chain, "test"); !errors.Is(err, tc.want) {
			t.Fatalf("certificate from %s: %v, want %v", tc.ca.Chain()[0].Subject.CommonName, err, tc.want)
		}
	}
}
