package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/kyso-vn/kyso/issuance"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/templates"
)

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// runIssueGradebooks issues every gradebook of c.data, signed by the
// subject teacher's key: all of them are read and checked first, and a
// file with any problem issues nothing.
// Like runIssue it signs a transparency log checkpoint at the end when the
// registry keeps a log.
func runIssueGradebooks(e *env, c issueConfig) (sum *issueSummary, err error) {
	if c.skipInvalid {
		return nil, usagef("--skip-invalid does not apply to gradebooks: a gradebook is issued whole or not at all")
	}
	books, err := readGradebookFile(c.data)
	if err != nil {
		return nil, err
	}
	k, err := e.openKey(c.keyURI, c.certPath)
	if err != nil {
		return nil, err
	}
	defer k.Close()
	fonts, err := pdf.NewRenderer()
	if err != nil {
		return nil, err
	}
	renderer, err := templates.NewGradebookRenderer(fonts, templates.RenderOptions{Now: e.now(), Deterministic: true})
	if err != nil {
		return nil, err
	}
	is := &issuance.Issuer{
		RenderGradebook: renderer.Render,
		Appearances:     fonts,
		Key:             k.Signer,
		Chain:           k.Chain,
		OutDir:          c.outDir,
		BaseURL:         c.baseURL,
		Rand:            e.rand,
		Now:             e.now,
		Actor:           "cli:issue",
		Timestamper:     c.timestamper(),
	}
	for i := range books {
		if err := is.CheckGradebook(&books[i]); err != nil {
			return nil, fmt.Errorf("%s gradebook %s: %w", c.data, issuance.GradebookKey(&books[i]), err)
		}
	}
	run, err := startIssueRun(e, c)
	if err != nil {
		return nil, err
	}
	defer func() { err = run.finish(e, err) }()
	is.Store = run.store

	sum = &issueSummary{}
	bar := newProgress(e, len(books))
	start := time.Now()
	for i := range books {
		if err := e.ctx.Err(); err != nil {
			bar.done()
			return sum, fmt.Errorf("interrupted after %d of %d gradebooks; run the same command again to continue", len(sum.results), len(books))
		}
		res, ierr := is.Gradebook(e.ctx, &books[i])
		if ierr != nil {
			bar.done()
			return sum, fmt.Errorf("%s: %w", c.data, ierr)
		}
		sum.results = append(sum.results, res)
		e.log.Debug("credential", "credential_id", res.ID.String(), "outcome", string(res.Outcome), "kind", issuance.KindGradebook)
		bar.step(res.Serial)
	}
	bar.done()
	var issued, already int
	for _, r := range sum.results {
		if r.Outcome == issuance.Issued {
			issued++
		} else {
			already++
		}
	}
	fmt.Fprintf(e.stderr, "gradebooks: issued %d, already issued %d; PDFs in %s; registry %s (%s)\n",
		issued, already, c.outDir, dbName(c.dbPath), time.Since(start).Round(time.Millisecond))
	return sum, nil
}

// readGradebookFile reads and checks every gradebook of path.
func readGradebookFile(path string) ([]templates.Gradebook, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	books, err := templates.ReadGradebooks(path, f)
	if err != nil {
		return nil, fmt.Errorf("nothing was issued:\n%w", err)
	}
	if len(books) == 0 {
		return nil, errors.New(path + ": no gradebooks to issue")
	}
	return books, nil
}
