package main

import (
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/internal/atomicfile"
	"github.com/kyso-vn/kyso/templates"
	"github.com/kyso-vn/kyso/tsa"
)

func cmdDemo(e *env, args []string) error {
	fs := newFlags(e, "demo", "[--data DIR] [--addr HOST:PORT] [--count N] [--no-serve]", `
Run the whole path with zero set-up: create DIR, a development CA, a software
key for the Sở director, a sample of graduates (DIR/graduates.csv), issue their
diplomas into DIR/diplomas, a key for the sample class's Toán teacher and its
gradebooks (DIR/gradebook.xlsx) issued into DIR/gradebooks, keys for every
signer of the class's học bạ and three học bạ years issued into DIR/hocba
(each signed by its subject teachers, the homeroom teacher, the principal and
the school seal, in that order), register them in DIR/registry.db, and start the
verification server with the transparency log (DIR/log.key, DIR/log.pub,
origin kyso.local/log) and the staff signing service (DIR/staff.toml,
DIR/staff.db): an account for every signer of the sample class, each with a
development key, and a gradebook, three học bạ and three diplomas waiting for
them to sign in the browser. Running it again on the same DIR reuses everything and
issues nothing twice.

It prints machine-readable lines:
  trust: PATH   the roots file to pass to 'kyso verify --trust'
  pdf: PATH     one per issued PDF: the diplomas, the gradebooks, the học bạ
  url: URL      one verification page per PDF
  staff: URL    the staff signing pages (accounts and PIN printed on stderr)

The demo's key passphrase is kept in DIR/keys/director.pass so that the demo
runs unattended; real keys live in tokens and their PINs are never stored.`)
	dir := fs.String("data", defaultDataDir(e), "data directory")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address of the verification server")
	count := fs.Int("count", 24, "number of sample graduates (at least 20)")
	noServe := fs.Bool("no-serve", false, "issue and print, but do not start the server")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *count < 20 {
		return usagef("--count must be at least 20")
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		return usagef("--addr: %v", err)
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	// The printed paths are absolute, so they work from any directory.
	*dir = mustAbs(*dir)
	baseURL := "http://" + *addr

	// 1. The development CA.
	caDir := filepath.Join(*dir, "ca")
	ca, created, err := devca.Init(caDir, e.rand, e.now(), devca.Options{})
	if err != nil {
		return err
	}
	if created {
		e.log.Info("created development CA", "dir", caDir)
	}

	// 2. The director's software key and certificate.
	graduates := templates.SampleGraduates(*count)
	director := graduates[0]
	keyPath := filepath.Join(*dir, "keys", "director.key")
	passPath := filepath.Join(*dir, "keys", "director.pass")
	keyURI := "file:" + escapePath(mustAbs(keyPath)) + "?pin-source=file:" + escapePath(mustAbs(passPath))
	if _, err := os.Stat(keyPath); os.IsNotExist(err) {
		if err := os.MkdirAll(filepath.Dir(keyPath), 0o700); err != nil {
			return err
		}
		pass := make([]byte, 24)
		if _, err := e.rand.Read(pass); err != nil {
			return err
		}
		if err := atomicfile.Write(passPath, []byte(hex.EncodeToString(pass)+"\n"), 0o600); err != nil {
			return err
		}
		alg, _ := hsm.ParseAlgorithm("rsa2048")
		if _, err := createKey(e, keyURI, alg, ca, devca.Subject{
			CommonName:   director.SignerName,
			Title:        director.SignerTitle,
			Organization: director.IssuingAuthority,
			Province:     director.IssuePlace,
		}); err != nil {
			return fmt.Errorf("create the director's key: %w", err)
		}
		e.log.Info("created the director's signing key", "key_uri", hsm.RedactURI(keyURI))
	}

	// 3. The sample data, as a school would hand it over.
	csvPath := filepath.Join(*dir, "graduates.csv")
	csvData, err := templates.DiplomasCSV(graduates)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(csvPath, csvData, 0o600); err != nil {
		return err
	}

	// 4. The transparency log's key.
	logKey := filepath.Join(*dir, logKeyFile)
	logPub := filepath.Join(*dir, logPubFile)
	if _, err := initLogKey(e, *dir, demoLogOrigin); err != nil {
		return fmt.Errorf("create the transparency log's key: %w", err)
	}

	// 5. A time-stamping authority for the run (DIR/ca/tsa: a development
	// key and a certificate with the critical timeStamping usage), on a
	// loopback port: every signature gets a timestamp (PAdES B-T).
	tsaURL, stopTSA, err := demoTSA(e, caDir)
	if err != nil {
		return err
	}
	defer stopTSA()

	// 6. Issue.
	sum, err := runIssue(e, issueConfig{
		tsa:     tsaURL,
		data:    csvPath,
		keyURI:  keyURI,
		dbPath:  filepath.Join(*dir, "registry.db"),
		outDir:  filepath.Join(*dir, "diplomas"),
		baseURL: baseURL,
		logKey:  logKey,
	})
	if err != nil {
		return err
	}
	// The sample class's gradebooks, signed by their teacher.
	books, err := demoGradebooks(e, *dir, ca, baseURL, logKey, tsaURL)
	if err != nil {
		return err
	}
	// The first students' học bạ years, signed by five and more people.
	hocba, err := demoTranscripts(e, *dir, ca, baseURL, logKey, tsaURL, 3)
	if err != nil {
		return err
	}
	results := append(append(slices.Clip(sum.results), books...), hocba...)
	trust := filepath.Join(caDir, devca.RootCertFile)
	fmt.Fprintf(e.stdout, "trust: %s\n", trust)
	for _, r := range results {
		fmt.Fprintf(e.stdout, "pdf: %s\n", r.Path)
	}
	for _, r := range results {
		fmt.Fprintf(e.stdout, "url: %s/v/%s\n", strings.TrimRight(baseURL, "/"), r.ID)
	}
	fmt.Fprintf(e.stderr, "\nTry: kyso verify --trust %s --db %s --log-pub %s %s\n", trust, filepath.Join(*dir, "registry.db"), logPub, sum.results[0].Path)

	// 7. The staff signing service, with documents waiting for their
	// signers.
	staffConfig, err := demoStaff(e, *dir, ca, *addr, baseURL, *count)
	if err != nil {
		return fmt.Errorf("set up the staff service: %w", err)
	}
	fmt.Fprintf(e.stdout, "staff: %s/staff/\n", strings.TrimRight(baseURL, "/"))
	fmt.Fprintf(e.stderr, `
Staff pages: %s/staff/ (password %q for every account, PIN %q for every key)
  oanh.do      homeroom teacher of 10A1, teaches Hoạt động trải nghiệm
  ngoc.tran    teaches Ngữ văn: a gradebook and three học bạ wait for her
  dong.tran    principal;  vanthu.chuyenbt  keeps the school seal
  phuc.le      Sở director: three diplomas wait for him
  it.chuyenbt  school IT (imports, progress);  so.admin  the Sở's IT
`, strings.TrimRight(baseURL, "/"), demoStaffPassword, demoStaffPIN)
	if *noServe {
		return nil
	}

	stopTSA()

	// 8. Serve the public site and the staff pages.
	return cmdStaffServe(e, []string{"--config", staffConfig})
}

// escapePath percent-encodes a path for a file: URI.
func escapePath(p string) string { return (&url.URL{Path: p}).EscapedPath() }

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// demoTSA starts the development time-stamping authority of the CA in caDir
// on a loopback port and returns its URL and how to stop it.
func demoTSA(e *env, caDir string) (url string, stop func(), err error) {
	key, err := devTSAKey(e, caDir)
	if err != nil {
		return "", nil, err
	}
	policy, err := parseOID(defaultTSAPolicy)
	if err != nil {
		key.Close()
		return "", nil, err
	}
	auth, err := tsa.NewAuthority(key.Signer, key.Chain, policy, e.now, e.rand)
	if err != nil {
		key.Close()
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		key.Close()
		return "", nil, err
	}
	srv := &http.Server{Handler: auth, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }() // returns when stop closes the server
	var once sync.Once
	return "http://" + ln.Addr().String(), func() {
		once.Do(func() {
			srv.Close()
			key.Close()
		})
	}, nil
}
