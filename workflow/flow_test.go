package workflow_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/internal/testenv"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/signer"
	"github.com/kyso-vn/kyso/verify"
	"github.com/kyso-vn/kyso/workflow"
	"github.com/kyso-vn/kyso/workflow/workflowtest"
)

// importFile imports data as the school's (or, for diplomas, the Sở's)
// administrator and returns the documents created.
func importFile(t *testing.T, env *workflowtest.Env, kind, name string, data []byte) []workflow.Document {
	t.Helper()
	admin := workflowtest.SchoolAdmin
	if kind == workflow.KindDiploma {
		admin = workflowtest.DeptAdmin
	}
	a := env.Account(t, admin)
	res, err := env.Service.Import(context.Background(), a, kind, name, data)
	if err != nil {
		t.Fatalf("import %s: %v (errors %q)", name, err, resErrors(res))
	}
	docs, err := env.Store.Documents(context.Background(), workflow.Filter{OrgID: a.OrgID, ImportID: res.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != res.Documents {
		t.Fatalf("import %s: %d documents listed, result says %d", name, len(docs), res.Documents)
	}
	return docs
}

func resErrors(r *workflow.ImportResult) []string {
	if r == nil {
		return nil
	}
	return r.Errors
}

func ids(docs []workflow.Document) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.ID)
	}
	return out
}

// signAs signs every document waiting for username with their HSM key.
func signAs(t *testing.T, env *workflowtest.Env, username string) *workflow.BatchResult {
	t.Helper()
	ctx := context.Background()
	p := env.People[username]
	queue, err := env.Store.Queue(ctx, p.Account.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(queue) == 0 {
		t.Fatalf("%s: empty queue", username)
	}
	res, err := env.Service.SignBatch(ctx, p.Account, ids(queue), []byte(p.PIN))
	if err != nil {
		t.Fatalf("%s signs: %v", username, err)
	}
	for _, it := range res.Items {
		if it.Err != nil {
			t.Fatalf("%s signs %s: %v", username, it.DocumentID, it.Err)
		}
	}
	return res
}

// checkPublished checks that a document is published, registered valid,
// and that pdfsig trusts every signature of it.
func checkPublished(t *testing.T, env *workflowtest.Env, id string, signatures int) {
	t.Helper()
	ctx := context.Background()
	d, err := env.Store.Document(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != workflow.StatusPublished {
		t.Fatalf("document %s is %s, want published", id, d.Status)
	}
	rid, _ := registry.ParseID(id)
	c, err := env.Registry.Get(ctx, rid)
	if err != nil {
		t.Fatalf("registry: %v", err)
	}
	if c.Status != registry.StatusValid {
		t.Fatalf("registry status %s, want valid", c.Status)
	}
	data, _, err := env.Store.DocumentPDF(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), workflow.FileName(id))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	chain := env.CA.Chain()
	res := testenv.PDFSig(t, chain[len(chain)-1]).Check(t, path)
	if len(res.Signatures) != signatures {
		t.Fatalf("pdfsig: %d signatures, want %d", len(res.Signatures), signatures)
	}
	for i, s := range res.Signatures {
		if !s.Signed || s.SignatureValidation != testenv.PDFSigSignatureValid || s.CertificateValidation != testenv.PDFSigCertificateTrusted {
			t.Fatalf("pdfsig: signature %d: %+v", i+1, s)
		}
	}
}

func TestGradebookSignedAndPublished(t *testing.T) {
	env := workflowtest.New(t, workflowtest.Options{})
	ctx := context.Background()
	docs := importFile(t, env, workflow.KindGradebook, "so-diem.csv", workflowtest.Gradebooks(t, 45, "Toán", "Vật lí"))
	if len(docs) != 2 {
		t.Fatalf("%d documents, want 2", len(docs))
	}
	teacher := env.People[workflowtest.MathTeacher]
	queue, err := env.Store.Queue(ctx, teacher.Account.ID)
	if err != nil || len(queue) != 1 {
		t.Fatalf("math teacher's queue: %d documents, %v; want 1", len(queue), err)
	}
	// Somebody else's gradebook is refused, document by document.
	res, err := env.Service.SignBatch(ctx, teacher.Account, ids(docs), []byte(teacher.PIN))
	if err != nil {
		t.Fatal(err)
	}
	if res.Signed != 1 || res.Published != 1 || res.Failed != 1 {
		t.Fatalf("batch: %+v", res)
	}
	for _, it := range res.Items {
		if it.Outcome == workflow.OutcomeFailed && !errors.Is(it.Err, workflow.ErrForbidden) {
			t.Fatalf("physics gradebook: %v, want ErrForbidden", it.Err)
		}
	}
	checkPublished(t, env, queue[0].ID, 1)
	// Signing again is refused.
	res, err = env.Service.SignBatch(ctx, teacher.Account, []string{queue[0].ID}, []byte(teacher.PIN))
	if err != nil || res.Failed != 1 || !errors.Is(res.Items[0].Err, workflow.ErrAlreadySigned) {
		t.Fatalf("second signature: %+v, %v; want ErrAlreadySigned", res, err)
	}
}

func TestWrongPINSignsNothing(t *testing.T) {
	env := workflowtest.New(t, workflowtest.Options{})
	ctx := context.Background()
	docs := importFile(t, env, workflow.KindGradebook, "toan.csv", workflowtest.Gradebooks(t, 5, "Toán"))
	teacher := env.People[workflowtest.MathTeacher]
	_, err := env.Service.SignBatch(ctx, teacher.Account, ids(docs), []byte("000000"))
	if !errors.Is(err, hsm.ErrWrongPIN) {
		t.Fatalf("wrong PIN: %v, want hsm.ErrWrongPIN", err)
	}
	d, err := env.Store.Document(ctx, docs[0].ID)
	if err != nil || d.Version != 1 || d.SignedCount() != 0 {
		t.Fatalf("after a wrong PIN: version %d, %d signatures, %v", d.Version, d.SignedCount(), err)
	}
	log, err := env.Store.AuditLog(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if log[0].Action != workflow.ActionSignFailed || log[0].Detail["reason"] != "wrong_pin" {
		t.Fatalf("audit: %+v, want sign_failed wrong_pin", log[0])
	}
	for _, e := range log {
		for _, v := range e.Detail {
			if v == "000000" || v == teacher.PIN {
				t.Fatalf("audit entry %+v holds the PIN", e)
			}
		}
	}
}

func TestTranscriptInLegalOrder(t *testing.T) {
	env := workflowtest.New(t, workflowtest.Options{})
	ctx := context.Background()
	docs := importFile(t, env, workflow.KindTranscript, "hoc-ba.csv", workflowtest.Transcripts(t, 2))
	if len(docs) != 2 {
		t.Fatalf("%d documents, want 2", len(docs))
	}
	steps := len(docs[0].Steps)
	principal := env.People[workflowtest.Principal]
	// Not the principal's turn yet.
	if q, _ := env.Store.Queue(ctx, principal.Account.ID); len(q) != 0 {
		t.Fatalf("principal's queue holds %d documents before the teachers signed", len(q))
	}
	res, err := env.Service.SignBatch(ctx, principal.Account, ids(docs), []byte(principal.PIN))
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range res.Items {
		if !errors.Is(it.Err, workflow.ErrNotYourTurn) {
			t.Fatalf("principal out of order: %v, want ErrNotYourTurn", it.Err)
		}
	}
	// Two subject teachers sign the same học bạ at the same moment.
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, u := range []string{workflowtest.MathTeacher, "khiem.dang"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := env.People[u]
			res, err := env.Service.SignBatch(ctx, p.Account, ids(docs), []byte(p.PIN))
			if err == nil && res.Signed != 2 {
				err = errors.Join(res.Items[0].Err, res.Items[1].Err)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent teachers: %v", err)
		}
	}
	for _, p := range env.People {
		if p.Account.Has(workflow.RoleSubjectTeacher) && p.Account.Username != workflowtest.MathTeacher && p.Account.Username != "khiem.dang" {
			signAs(t, env, p.Account.Username)
		}
	}
	signAs(t, env, workflowtest.Homeroom) // the homeroom teacher's own signature, after every teacher
	signAs(t, env, workflowtest.Principal)
	res = signAs(t, env, workflowtest.SealKeeper)
	if res.Published != 2 {
		t.Fatalf("seal: %+v, want 2 published", res)
	}
	checkPublished(t, env, docs[0].ID, steps)
}

func TestUSBUpload(t *testing.T) {
	env := workflowtest.New(t, workflowtest.Options{USB: []string{workflowtest.MathTeacher}})
	ctx := context.Background()
	docs := importFile(t, env, workflow.KindGradebook, "toan.csv", workflowtest.Gradebooks(t, 10, "Toán"))
	teacher := env.People[workflowtest.MathTeacher]
	if _, err := env.Service.SignBatch(ctx, teacher.Account, ids(docs), []byte("x")); !errors.Is(err, workflow.ErrWrongKeyKind) {
		t.Fatalf("HSM signing with a USB account: %v, want ErrWrongKeyKind", err)
	}
	files, _, err := env.Service.Download(ctx, teacher.Account, ids(docs))
	if err != nil || len(files) != 1 {
		t.Fatalf("download: %d files, %v", len(files), err)
	}
	sent := files[0]
	sign := func(data []byte, key *workflowtest.Person) []byte {
		out, err := signer.Sign(ctx, data, key.Key, key.Chain, signer.Options{Field: "gvbm-toan", Name: key.Chain[0].Subject.CommonName, Time: env.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	good := sign(sent.Data, teacher)
	extra, err := signer.AddValidationData(good, signer.ValidationData{Certs: [][]byte{teacher.Chain[1].Raw}})
	if err != nil {
		t.Fatal(err)
	}
	other := bytes.Replace(sent.Data, []byte("/CreationDate (D:2025"), []byte("/CreationDate (D:2024"), 1)
	if bytes.Equal(other, sent.Data) {
		t.Fatal("no creation date to change")
	}
	// The same name on a certificate that is not the one registered.
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := env.CA.IssueSigner(rand.Reader, k.Public(), devca.Subject{CommonName: teacher.Chain[0].Subject.CommonName}, env.Clock.Now().Add(-time.Hour), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	impostor := &workflowtest.Person{Key: k, Chain: append([]*x509.Certificate{cert}, env.CA.Chain()...)}
	// A page painted over in an update of its own, then signed.
	painted := sign(overwriteObject(t, sent.Data, 4, "0 0 0 rg 40 40 500 700 re f"), teacher)
	// Without the baseline the painted page is part of what the first
	// signature signs; with it, the change is judged and refused.
	root := env.CA.Chain()[len(env.CA.Chain())-1]
	for _, base := range []int64{0, int64(len(sent.Data))} {
		rep, err := verify.PDF(painted, verify.Options{Roots: []*x509.Certificate{root}, Now: env.Clock.Now, Baseline: base})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]verify.Indication{false: verify.TotalPassed, true: verify.TotalFailed}[base > 0]; rep.Indication != want {
			t.Fatalf("painted page, baseline %d: %s, want %s", base, rep.Indication, want)
		}
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"another certificate of the same name", sign(sent.Data, impostor)},
		{"page changed before the signature", painted},
		{"unsigned", sent.Data},
		{"extra change after the signature", extra},
		{"another document", sign(append([]byte(nil), other...), teacher)},
		{"truncated", good[:len(good)-100]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := env.Service.Upload(ctx, teacher.Account, []workflow.File{{Name: sent.Name, Data: tc.data}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Failed != 1 || !errors.Is(res.Items[0].Err, workflow.ErrUploadMismatch) {
				t.Fatalf("upload: %+v, want ErrUploadMismatch", res.Items)
			}
		})
	}
	d, _ := env.Store.Document(ctx, docs[0].ID)
	if d.Version != 1 {
		t.Fatalf("refused uploads changed the document: version %d", d.Version)
	}
	res, err := env.Service.Upload(ctx, teacher.Account, []workflow.File{{Name: sent.Name, Data: good}})
	if err != nil || res.Published != 1 {
		t.Fatalf("good upload: %+v, %v", res.Items, err)
	}
	checkPublished(t, env, docs[0].ID, 1)
}

// overwriteObject appends an unsigned incremental update to a PDF that
// redefines object num as a content stream holding content.
func overwriteObject(t *testing.T, in []byte, num int, content string) []byte {
	t.Helper()
	tail := in[max(0, len(in)-64):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		t.Fatal("no startxref")
	}
	prev, err := strconv.Atoi(strings.Fields(string(tail[i+len("startxref"):]))[0])
	if err != nil {
		t.Fatal(err)
	}
	j := bytes.LastIndex(in, []byte("trailer"))
	k := bytes.LastIndex(in, []byte("startxref"))
	if j < 0 || k < j {
		t.Fatal("no trailer")
	}
	trailer := bytes.TrimSpace(in[j+len("trailer") : k])
	trailer = regexp.MustCompile(`/Prev\s+\d+`).ReplaceAll(trailer, nil)
	trailer = bytes.TrimSuffix(bytes.TrimSpace(trailer), []byte(">>"))
	var b bytes.Buffer
	b.Write(in)
	off := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", num, len(content)+1, content)
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n%d 1\n%010d 00000 n \ntrailer\n%s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", num, off, trailer, prev, xref)
	return b.Bytes()
}
