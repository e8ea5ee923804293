package main

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/issuance"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/templates"
)

// demoTranscripts is the học bạ part of 'kyso demo': the sample class's học
// bạ years for the first students, each signed in legal order by its
// subject teachers, the homeroom teacher, the principal and the school seal,
// every one with their own software key (DIR/keys/hocba-<field>.key) and a
// certificate from the development CA; issued into DIR/hocba and
// registered in the same registry.
func demoTranscripts(e *env, dir string, ca *devca.CA, baseURL, logKey, tsaURL string, count int) (_ []issuance.Result, err error) {
	var books []*templates.Transcript
	for i := range count {
		t, err := templates.SampleTranscript(i)
		if err != nil {
			return nil, err
		}
		t.Normalize()
		books = append(books, &t)
	}
	plan, err := (&templates.Record{Kind: templates.KindTranscript, Layout: templates.TranscriptLayoutV2, Transcript: books[0]}).SigningPlan()
	if err != nil {
		return nil, err
	}
	// One key per signer of the plan; the sample class has the same
	// teachers for every student.
	keys := map[string]*hsm.Key{}
	defer func() {
		for _, k := range keys {
			k.Close()
		}
	}()
	for _, step := range plan {
		subject := devca.Subject{CommonName: step.Name, Title: titleOf(step), Organization: books[0].School, Province: books[0].Place}
		uri, err := demoKey(e, dir, "hocba-"+step.Field, ca, subject)
		if err != nil {
			return nil, fmt.Errorf("create the key of %s: %w", step.Name, err)
		}
		k, err := e.openKey(uri, "")
		if err != nil {
			return nil, err
		}
		keys[step.Field] = k
	}
	fonts, err := pdf.NewRenderer()
	if err != nil {
		return nil, err
	}
	renderer, err := templates.NewTranscriptRenderer(fonts, templates.RenderOptions{Now: e.now(), Deterministic: true})
	if err != nil {
		return nil, err
	}
	is := &issuance.Issuer{
		RenderTranscript: renderer.Render,
		Appearances:      fonts,
		Timestamper:      issueConfig{tsa: tsaURL}.timestamper(),
		Keys: func(_ context.Context, step templates.SigningStep) (crypto.Signer, []*x509.Certificate, error) {
			k, ok := keys[step.Field]
			if !ok {
				return nil, nil, fmt.Errorf("no demo key for %s", step.Field)
			}
			return k.Signer, k.Chain, nil
		},
		BaseURL: baseURL,
		Rand:    e.rand,
		Now:     e.now,
		Actor:   "cli:demo",
		OutDir:  filepath.Join(dir, "hocba"),
	}
	run, err := startIssueRun(e, issueConfig{kind: "hocba", dbPath: filepath.Join(dir, "registry.db"), outDir: is.OutDir, baseURL: baseURL, logKey: logKey})
	if err != nil {
		return nil, err
	}
	defer func() { err = run.finish(e, err) }()
	is.Store = run.store
	start := time.Now()
	var out []issuance.Result
	for _, t := range books {
		res, err := is.Transcript(e.ctx, t)
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	fmt.Fprintf(e.stderr, "học bạ: %d in %s, %d signatures each (%s)\n", len(out), is.OutDir, len(plan), time.Since(start).Round(time.Millisecond))
	return out, nil
}

// titleOf is the certificate title of a plan's signer.
func titleOf(step templates.SigningStep) string {
	switch step.Role {
	case templates.RoleHomeroom:
		return "Giáo viên chủ nhiệm"
	case templates.RolePrincipal:
		return "Hiệu trưởng"
	case templates.RoleSeal:
		return "Con dấu"
	}
	return "Giáo viên bộ môn"
}
