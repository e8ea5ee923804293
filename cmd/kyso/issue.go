package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/kyso-vn/kyso/issuance"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/signer"
	"github.com/kyso-vn/kyso/templates"
	"github.com/kyso-vn/kyso/tsa"
)

type issueConfig struct {
	kind        string // "diploma" (default) or "gradebook"
	data        string
	keyURI      string
	certPath    string
	dbPath      string
	outDir      string
	baseURL     string
	skipInvalid bool
	// logKey is --log-key: the transparency log's private key file, or
	// "" for the default (see writeLogKeys).
	logKey string
	// tsa is --tsa: an RFC 3161 time-stamping authority's URL; every
	// signature gets a timestamp (PAdES B-T).
	tsa string
}

// timestamper is the signature timestamper of c, or nil.
func (c issueConfig) timestamper() signer.Timestamper {
	if c.tsa == "" {
		return nil
	}
	return &tsa.Client{URL: c.tsa}
}

func cmdIssue(e *env, args []string) error {
	fs := newFlags(e, "issue", "[--kind diploma|gradebook] --data FILE --key URI [flags]", `
Issue one diploma per record of FILE (CSV with a header row, or JSON): validate
every record, then render, sign and register each one, writing one PDF per
graduate into the output folder. A file with any invalid record issues
nothing, unless --skip-invalid is given; the skipped rows are then listed.

Issuing is idempotent: a record whose serial number (so_hieu) is already
registered is not issued again, so an interrupted run can simply be repeated.

CSV columns (UTF-8, header row; Vietnamese headers such as "Họ và tên" work too):
  `+strings.Join(templates.DiplomaCSVColumns(), ", ")+`

With --kind gradebook, FILE (JSON, CSV or .xlsx, the columns of
testdata/samples/README.md) holds gradebooks (sổ điểm), one per class,
subject and term; the key must be the subject teacher's (giao_vien), and each
gradebook is registered under its key SD-<school>-<year>-<term>-<class>-<subject>.

Example:
  kyso issue --data graduates.csv --key 'file:kyso-data/keys/director.key?pin-source=env:KYSO_PIN' \
      --db kyso-data/registry.db --out kyso-data/diplomas --base-url https://xacthuc.example.vn`)
	var c issueConfig
	data := defaultDataDir(e)
	fs.StringVar(&c.kind, "kind", "diploma", "document kind: diploma or gradebook")
	fs.StringVar(&c.data, "data", "", "CSV or JSON file with the graduates")
	fs.StringVar(&c.keyURI, "key", "", "signing key URI (pkcs11: or file:)")
	fs.StringVar(&c.certPath, "cert", "", "PEM file with the signer's certificate and chain (if the key does not hold it)")
	fs.StringVar(&c.dbPath, "db", filepath.Join(data, "registry.db"), "registry database (SQLite file or postgres:// URL)")
	fs.StringVar(&c.outDir, "out", filepath.Join(data, "diplomas"), "output folder for the signed PDFs")
	fs.StringVar(&c.baseURL, "base-url", "http://127.0.0.1:8080", "public address of the verification site (encoded in each QR code)")
	fs.BoolVar(&c.skipInvalid, "skip-invalid", false, "issue the valid records and list the invalid ones instead of issuing nothing")
	fs.StringVar(&c.tsa, "tsa", "", "RFC 3161 time-stamping authority URL: timestamp every signature (PAdES B-T)")
	fs.StringVar(&c.logKey, "log-key", "", "the transparency log's private key file (default: log.key beside a SQLite --db, or in the data folder, when it exists)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case c.data == "":
		return usagef("--data is required")
	case c.keyURI == "":
		return usagef("--key is required")
	case fs.NArg() != 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := checkBaseURL(c.baseURL); err != nil {
		return usagef("--base-url: %v", err)
	}
	run := runIssue
	switch c.kind {
	case "diploma":
	case "gradebook":
		if !flagSet(fs, "out") {
			c.outDir = filepath.Join(data, "gradebooks")
		}
		run = runIssueGradebooks
	default:
		return usagef("--kind: %q, want diploma or gradebook", c.kind)
	}
	sum, err := run(e, c)
	if sum != nil {
		for _, r := range sum.results {
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\n", r.Outcome, r.ID, r.Serial, r.Path)
		}
	}
	return err
}

func checkBaseURL(u string) error {
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return fmt.Errorf("%q must start with http:// or https://", u)
	}
	return nil
}

// issueSummary is what an issuing run did.
type issueSummary struct {
	results []issuance.Result
	skipped int // invalid rows skipped with --skip-invalid
}

// runIssue validates the whole file first, then issues record by record,
// and signs a transparency log checkpoint at the end when the registry
// keeps a log.
func runIssue(e *env, c issueConfig) (sum *issueSummary, err error) {
	rows, err := readDiplomaFile(c.data)
	var verrs templates.ValidationErrors
	switch {
	case errors.As(err, &verrs):
		if !c.skipInvalid {
			fmt.Fprintf(e.stderr, "%v\n", err)
			return nil, fmt.Errorf("%s: %d invalid record(s); nothing was issued (fix them, or pass --skip-invalid to issue the valid ones)", c.data, len(verrs.Rows()))
		}
		fmt.Fprintf(e.stderr, "skipping %d invalid record(s):\n%v\n", len(verrs.Rows()), err)
	case err != nil:
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no valid records to issue", c.data)
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
	renderer, err := templates.NewDiplomaRenderer(fonts, templates.RenderOptions{Now: e.now(), Deterministic: true})
	if err != nil {
		return nil, err
	}
	is := &issuance.Issuer{
		Render:      renderer.Render,
		Appearances: fonts,
		Key:         k.Signer,
		Chain:       k.Chain,
		OutDir:      c.outDir,
		BaseURL:     c.baseURL,
		Rand:        e.rand,
		Now:         e.now,
		Actor:       "cli:issue",
		Timestamper: c.timestamper(),
	}
	// Check every record against the certificate and the date before
	// anything is written: a mismatch would otherwise stop the run half-way.
	for _, r := range rows {
		if err := is.Check(&r.Diploma); err != nil {
			return nil, fmt.Errorf("%s row %d: %w", c.data, r.Row, err)
		}
	}

	run, err := startIssueRun(e, c)
	if err != nil {
		return nil, err
	}
	defer func() { err = run.finish(e, err) }()
	is.Store = run.store

	sum = &issueSummary{skipped: len(verrs.Rows())}
	bar := newProgress(e, len(rows))
	start := time.Now()
	for _, r := range rows {
		if err := e.ctx.Err(); err != nil {
			bar.done()
			return sum, fmt.Errorf("interrupted after %d of %d records; run the same command again to continue", len(sum.results), len(rows))
		}
		res, err := is.Diploma(e.ctx, &r.Diploma)
		if err != nil {
			bar.done()
			return sum, fmt.Errorf("%s row %d: %w", c.data, r.Row, err)
		}
		sum.results = append(sum.results, res)
		e.log.Debug("credential", "credential_id", res.ID.String(), "outcome", string(res.Outcome), "row", r.Row)
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
	fmt.Fprintf(e.stderr, "issued %d, already issued %d, invalid skipped %d; PDFs in %s; registry %s (%s)\n",
		issued, already, sum.skipped, c.outDir, dbName(c.dbPath), time.Since(start).Round(time.Millisecond))
	return sum, nil
}

// issueRun is what an issuing run writes to: the output folder, locked
// against other runs, and the registry.
type issueRun struct {
	store  registryStore
	unlock func()
}

// startIssueRun creates and locks the output folder, clears what a killed
// run left there, and opens the registry with the transparency log.
func startIssueRun(e *env, c issueConfig) (*issueRun, error) {
	if err := os.MkdirAll(c.outDir, 0o750); err != nil {
		return nil, err
	}
	// One issuing run per output folder at a time: two runs would write
	// the same file names.
	unlock, err := lockDir(c.outDir)
	if err != nil {
		return nil, err
	}
	// A run killed while writing leaves temporary files; no other run is
	// writing here (we hold the lock), so they are garbage.
	if err := removeTempFiles(c.outDir); err != nil {
		unlock()
		return nil, err
	}
	logKeys, err := writeLogKeys(e, c.logKey, c.dbPath)
	if err != nil {
		unlock()
		return nil, err
	}
	store, err := openStore(e.ctx, c.dbPath, false, logKeys)
	if err != nil {
		unlock()
		return nil, err
	}
	return &issueRun{store: store, unlock: unlock}, nil
}

// finish signs a transparency-log checkpoint over what the run appended
// (even an interrupted run), closes the registry and releases the folder.
// It returns err, or the signing error when err is nil.
func (r *issueRun) finish(e *env, err error) error {
	serr := signLog(e, r.store)
	r.store.Close()
	r.unlock()
	if err == nil {
		return serr
	}
	return err
}

// lockDir takes an exclusive lock on dir/.kyso-issue.lock, failing at once
// when another process holds it. The lock ends with the process, so a killed
// run leaves nothing to clean up.
func lockDir(dir string) (unlock func(), err error) {
	path := filepath.Join(dir, ".kyso-issue.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: another 'kyso issue' is writing to this folder; wait for it to finish", dir)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}

// removeTempFiles deletes the temporary files atomicfile.Write leaves when
// a process dies mid-write (".NAME.tmpNNN").
func removeTempFiles(dir string) error {
	m, err := filepath.Glob(filepath.Join(dir, ".*.pdf.tmp*"))
	if err != nil {
		return err
	}
	for _, p := range m {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

func readDiplomaFile(path string) ([]templates.DiplomaRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return templates.ReadDiplomas(path, f)
}

// progress draws a one-line progress bar on a terminal and nothing
// otherwise.
type progress struct {
	w     io.Writer
	on    bool
	n, of int
}

func newProgress(e *env, of int) *progress {
	return &progress{w: e.stderr, on: e.interactive, of: of}
}

func (p *progress) step(label string) {
	p.n++
	if !p.on {
		return
	}
	const width = 30
	filled := width * p.n / p.of
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d %-14s", strings.Repeat("█", filled), strings.Repeat("·", width-filled), p.n, p.of, label)
}

func (p *progress) done() {
	if p.on && p.n > 0 {
		fmt.Fprintln(p.w)
	}
}
