package main

import (
	"bufio"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/internal/atomicfile"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/revocation"
	"github.com/kyso-vn/kyso/signer"
	"github.com/kyso-vn/kyso/templates"
	"github.com/kyso-vn/kyso/tsa"
	"github.com/kyso-vn/kyso/verify"
)

func normalize(s string) string { return norm.NFC.String(strings.TrimSpace(s)) }

func defaultDataDir(e *env) string {
	if d := e.getenv("KYSO_DATA"); d != "" {
		return d
	}
	return "kyso-data"
}

// signConfig is what one 'kyso sign' run does to each document.
type signConfig struct {
	field                           string
	name, reason, location, contact string
	visible                         bool
	title                           string
	image                           []byte
	ts                              signer.Timestamper
	ltv                             bool
	docTimestamp                    bool
	pss                             bool
	fonts                           *pdf.Renderer
	fetch                           *revocation.Fetcher
	session                         *signer.Session
}

func cmdSign(e *env, args []string) error {
	fs := newFlags(e, "sign", "--key URI [flags] IN.pdf OUT.pdf\n       kyso sign --key URI --out DIR [flags] FILE.pdf|FOLDER ...", `
Sign PDFs with a key from a token, an HSM or a key file. The key is named by an
RFC 7512 pkcs11: URI or a file: URI (an encrypted PKCS#8 key file); the PIN
comes from the URI's pin-source or pin-value, or a prompt. --cert may be left
out when the token or key file holds the certificate.

Each signature is an incremental update: earlier signatures stay valid. When
the document has a signature field prepared for the certificate's holder (kyso
places one per signer, named after the role), the signature goes there, with a
visible appearance, in the legal order the document's embedded record gives
(subject teachers, then the homeroom teacher, the principal, the seal);
signing out of order or for someone else's field is refused. --field names the
field explicitly. A document without such a field gets an invisible signature.

With --out, several files or folders (every *.pdf inside) are signed as one
batch: the list is shown first and confirmed (--yes confirms without asking),
the key is opened and its PIN asked once, and the PIN is dropped when the batch
ends. A batch that stops (a token pulled out, an error) is resumed by running
the same command again: documents already signed in DIR are skipped.

Long-term validity: --tsa URL adds an RFC 3161 signature timestamp (PAdES
B-T); --ltv then embeds the chain's revocation data, fetched from the
certificates' OCSP and CRL addresses, in the document (B-LT); --doc-timestamp
adds a document timestamp over everything (B-LTA).

Examples:
  kyso sign --key 'pkcs11:token=school;object=director?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin' \
      --reason 'Phê duyệt' --location 'Bến Tre' in.pdf out.pdf
  kyso sign --key file:teacher.key --out signed/ --tsa http://127.0.0.1:8790 --ltv hocba/`)
	uri := fs.String("key", "", "signing key URI (pkcs11: or file:)")
	certPath := fs.String("cert", "", "PEM file with the signer's certificate, then its chain")
	outDir := fs.String("out", "", "batch mode: folder the signed PDFs are written to")
	yes := fs.Bool("yes", false, "batch mode: sign without asking for confirmation")
	var c signConfig
	fs.StringVar(&c.field, "field", "", "signature field to fill (default: the field prepared for the certificate's holder)")
	fs.StringVar(&c.name, "name", "", "signer name in the signature (default: the certificate's common name)")
	fs.StringVar(&c.reason, "reason", "", "reason for signing")
	fs.StringVar(&c.location, "location", "", "place of signing")
	fs.StringVar(&c.contact, "contact", "", "contact information")
	fs.StringVar(&c.title, "title", "", "title shown in the visible signature (default: from the document's signing plan or the certificate)")
	image := fs.String("image", "", "PNG or JPEG drawn in the visible signature (a handwritten signature or a seal)")
	invisible := fs.Bool("invisible", false, "do not draw a visible signature in the field")
	tsaURL := fs.String("tsa", "", "RFC 3161 time-stamping authority URL (signature timestamps)")
	fs.BoolVar(&c.ltv, "ltv", false, "embed the chain's revocation data (needs the certificates' OCSP/CRL addresses)")
	fs.BoolVar(&c.docTimestamp, "doc-timestamp", false, "add a document timestamp after signing (needs --tsa)")
	fs.BoolVar(&c.pss, "pss", false, "RSA keys: sign with RSASSA-PSS")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *uri == "" {
		return usagef("--key is required")
	}
	if c.docTimestamp && *tsaURL == "" {
		return usagef("--doc-timestamp needs --tsa")
	}
	c.visible = !*invisible
	c.name, c.reason, c.location, c.contact, c.title = normalize(c.name), normalize(c.reason), normalize(c.location), normalize(c.contact), normalize(c.title)
	if *image != "" {
		data, err := os.ReadFile(*image)
		if err != nil {
			return err
		}
		if len(data) > pdf.MaxImageSize {
			return fmt.Errorf("%s: %d bytes, limit %d", *image, len(data), pdf.MaxImageSize)
		}
		c.image = data
	}
	if *tsaURL != "" {
		c.ts = &tsa.Client{URL: *tsaURL}
	}
	if c.ltv {
		c.fetch = &revocation.Fetcher{}
	}

	var jobs []signJob
	if *outDir == "" {
		if fs.NArg() != 2 {
			return usagef("expected IN.pdf and OUT.pdf (or --out DIR and the files to sign), got %d arguments", fs.NArg())
		}
		if abs(fs.Arg(0)) == abs(fs.Arg(1)) {
			return usagef("OUT.pdf must differ from IN.pdf")
		}
		jobs = []signJob{{in: fs.Arg(0), out: fs.Arg(1)}}
	} else {
		if fs.NArg() == 0 {
			return usagef("no files or folders to sign")
		}
		var err error
		if jobs, err = batchJobs(fs.Args(), *outDir); err != nil {
			return err
		}
	}
	for _, j := range jobs {
		st, err := os.Stat(j.in)
		if err != nil {
			return err
		}
		if st.Size() > signer.MaxInputSize {
			return fmt.Errorf("%s: %d bytes is over the %d-byte limit", j.in, st.Size(), signer.MaxInputSize)
		}
	}
	if *outDir != "" {
		// Sole control: the signer sees what they are about to sign.
		fmt.Fprintf(e.stderr, "%d document(s) to sign into %s:\n", len(jobs), *outDir)
		for _, j := range jobs {
			fmt.Fprintf(e.stderr, "  %s\n", j.in)
		}
		if !*yes {
			if !e.interactive {
				return usagef("confirm the batch with --yes (no terminal to ask on)")
			}
			fmt.Fprint(e.stderr, "Sign them all? [y/N] ")
			line, _ := bufio.NewReader(e.stdin).ReadString('\n')
			if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" && a != "c" && a != "có" {
				return errors.New("nothing signed")
			}
		}
		if err := os.MkdirAll(*outDir, 0o750); err != nil {
			return err
		}
	}
	if c.visible {
		fonts, err := pdf.NewRenderer()
		if err != nil {
			return err
		}
		c.fonts = fonts
	}

	// One key session, one PIN, for the whole batch; Close logs out.
	k, err := e.openKey(*uri, *certPath)
	if err != nil {
		return err
	}
	defer k.Close()
	if c.session, err = signer.NewSession(k.Signer, k.Chain); err != nil {
		return err
	}
	return runSignJobs(e, k, c, jobs)
}

// signJob is one document of a run.
type signJob struct{ in, out string }

// batchJobs lists the PDFs of args (files, or folders whose *.pdf files are
// taken in name order) and their outputs in outDir.
func batchJobs(args []string, outDir string) ([]signJob, error) {
	var jobs []signJob
	seen := map[string]string{}
	add := func(in string) error {
		out := filepath.Join(outDir, filepath.Base(in))
		if abs(in) == abs(out) {
			return usagef("%s: the output folder holds the input", in)
		}
		if prev, dup := seen[out]; dup {
			return usagef("%s and %s would both be written to %s", prev, in, out)
		}
		seen[out] = in
		jobs = append(jobs, signJob{in: in, out: out})
		return nil
	}
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			if err := add(a); err != nil {
				return nil, err
			}
			continue
		}
		ents, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		names := []string{}
		for _, ent := range ents {
			if ent.Type().IsRegular() && strings.EqualFold(filepath.Ext(ent.Name()), ".pdf") {
				names = append(names, ent.Name())
			}
		}
		slices.Sort(names)
		for _, n := range names {
			if err := add(filepath.Join(a, n)); err != nil {
				return nil, err
			}
		}
	}
	if len(jobs) == 0 {
		return nil, usagef("no PDF files in %s", strings.Join(args, ", "))
	}
	return jobs, nil
}

// runSignJobs signs the jobs with k, on as many workers as there are CPUs.
// A document already signed into its output (the output starts with the
// input's bytes) is skipped, which makes a stopped batch resumable. The first
// error stops the batch; documents signed before it stay written, each one
// whole (atomic writes).
func runSignJobs(e *env, k *hsm.Key, c signConfig, jobs []signJob) error {
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		done     int
		skipped  int
	)
	start := time.Now()
	work := make(chan signJob)
	var wg sync.WaitGroup
	for range min(runtime.NumCPU(), len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				skip, err := signOne(ctx, e, k, c, j)
				mu.Lock()
				switch {
				case err != nil && firstErr == nil:
					firstErr = fmt.Errorf("%s: %w", j.in, err)
					cancel()
				case err == nil && skip:
					skipped++
				case err == nil:
					done++
					fmt.Fprintf(e.stdout, "signed: %s\n", j.out)
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		work <- j
	}
	close(work)
	wg.Wait()
	e.log.Info("signed", "documents", done, "skipped", skipped, "signer", k.Chain[0].Subject.CommonName,
		"duration_ms", time.Since(start).Milliseconds())
	if firstErr != nil {
		if len(jobs) > 1 {
			return fmt.Errorf("%w\n%d of %d signed; fix the problem and run the same command again to sign the rest", firstErr, done+skipped, len(jobs))
		}
		return firstErr
	}
	if skipped > 0 {
		fmt.Fprintf(e.stderr, "%d document(s) were already signed in the output folder and were skipped\n", skipped)
	}
	return nil
}

// signOne signs one document and writes it atomically. It reports skip when
// the output already holds a signed version of the input.
func signOne(ctx context.Context, e *env, k *hsm.Key, c signConfig, j signJob) (skip bool, err error) {
	in, err := os.ReadFile(j.in)
	if err != nil {
		return false, err
	}
	chain := k.Chain
	if prev, err := os.ReadFile(j.out); err == nil {
		if signedFrom(prev, in, chain[0]) {
			return true, nil
		}
		return false, fmt.Errorf("%s exists and is not this document signed by %s; nothing is overwritten: move it away or choose another output", j.out, chain[0].Subject.CommonName)
	}
	opts := signer.Options{
		Field:       c.field,
		Name:        c.name,
		Reason:      c.reason,
		Location:    c.location,
		ContactInfo: c.contact,
		Time:        e.now(),
		Timestamper: c.ts,
		PSS:         c.pss,
		Rand:        e.rand,
	}
	if opts.Name == "" {
		opts.Name = chain[0].Subject.CommonName
	}
	title := c.title
	if err := planSignature(in, chain[0], &opts, &title); err != nil {
		return false, err
	}
	if c.visible && opts.Field != "" {
		if title == "" {
			title = certTitle(chain[0])
		}
		opts.Appearance = &signer.Appearance{Renderer: c.fonts, Title: title, Image: c.image}
	}
	out, err := c.session.Sign(ctx, in, opts)
	if err != nil {
		return false, err
	}
	if c.ltv {
		data, err := c.fetch.Check(ctx, chain, opts.Time)
		if err != nil {
			return false, fmt.Errorf("revocation data: %w", err)
		}
		vd := signer.ValidationData{OCSPs: data.OCSP, CRLs: data.CRL}
		for _, cert := range chain {
			vd.Certs = append(vd.Certs, cert.Raw)
		}
		if out, err = signer.AddValidationData(out, vd); err != nil {
			return false, err
		}
	}
	if c.docTimestamp {
		if out, err = signer.AddDocumentTimestamp(ctx, out, c.ts); err != nil {
			return false, err
		}
	}
	return false, atomicfile.Write(j.out, out, 0o640)
}

// signedFrom reports whether out is in with one more signature by leaf's
// holder: what this run writes, so finding it means the document was done
// by an earlier, interrupted run.
func signedFrom(out, in []byte, leaf *x509.Certificate) bool {
	if len(out) <= len(in) || string(out[:len(in)]) != string(in) {
		return false
	}
	before, err := signer.Fields(in)
	if err != nil {
		return false
	}
	after, err := signer.Fields(out)
	if err != nil {
		return false
	}
	was := map[string]bool{}
	for _, f := range before {
		was[f.Name] = f.Signed
	}
	for _, f := range after {
		if f.Signed && !was[f.Name] {
			c, err := f.SignerCertificate()
			return err == nil && c.Equal(leaf)
		}
	}
	return false
}

// planSignature chooses the field when --field was not given: the unsigned
// field whose seed value names the certificate's holder. With the document's
// embedded kyso record, the record's signing plan gives the fields that must
// be signed first, whether this signature certifies the document, and the
// title shown.
func planSignature(in []byte, leaf *x509.Certificate, opts *signer.Options, title *string) error {
	fields, err := signer.Fields(in)
	if err != nil {
		return err
	}
	signed := 0
	for _, f := range fields {
		if f.Signed {
			signed++
		}
	}
	if opts.Field == "" {
		cn := strings.ToLower(normalize(leaf.Subject.CommonName))
		for _, f := range fields {
			if f.Signed {
				continue
			}
			for _, dn := range f.Signers {
				if strings.ToLower(normalize(dn["CN"])) == cn {
					opts.Field = f.Name
					break
				}
			}
			if opts.Field != "" {
				break
			}
		}
	}
	if opts.Field == "" {
		return nil
	}
	steps := recordPlan(in)
	for _, s := range steps {
		if s.Field != opts.Field {
			continue
		}
		opts.After = s.After
		if s.Certifies(signed, len(steps)) {
			opts.Certify = signer.CertifyFormFilling
		}
		if *title == "" {
			*title = s.SignatureTitle()
		}
	}
	return nil
}

// recordPlan reads the signing plan of the kyso record embedded in a PDF,
// or nil when there is none.
func recordPlan(in []byte) []templates.SigningStep {
	files, err := verify.EmbeddedFiles(in, verify.DefaultMaxSize)
	if err != nil {
		return nil
	}
	for _, f := range files {
		if f.Name != templates.RecordFileName {
			continue
		}
		rec, err := templates.DecodeRecord(f.Data)
		if err != nil {
			return nil
		}
		steps, err := rec.SigningPlan()
		if err != nil {
			return nil
		}
		return steps
	}
	return nil
}

// certTitle is the certificate's title attribute (2.5.4.12), if any.
func certTitle(c *x509.Certificate) string {
	for _, a := range c.Subject.Names {
		if a.Type.String() == "2.5.4.12" {
			if s, ok := a.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
