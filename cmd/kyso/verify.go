package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/kyso-vn/kyso/internal/spool"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/server"
	"github.com/kyso-vn/kyso/translog"
	"github.com/kyso-vn/kyso/verify"
)

func cmdVerify(e *env, args []string) error {
	fs := newFlags(e, "verify", "--trust FILE [--db PATH [--log-pub FILE [--log-url URL]]] [--json] FILE.pdf", `
Verify every signature of FILE.pdf and make a trust decision from the roots in
--trust only (never the system store, never certificates inside the file).
--trust defaults to the file named by $KYSO_TRUST; one of them is required.
With --db, the file's SHA-256 is looked up in the registry and the credential's
status (valid, revoked, superseded) is reported.

With --log-pub as well, the credential's issue entry is checked in the
transparency log: the log's latest checkpoint must be signed by the key in
--log-pub, and the entry's inclusion proof must verify against it. The log is
read from --log-url (a server's /api/v1/log) or else from the --db database.
The outcome is under "transparency" in the JSON report; a failed check exits 1.

Exit status: 0 valid (TOTAL_PASSED), 1 failed (tampered, invalid or revoked:
TOTAL_FAILED), 2 indeterminate (e.g. signed by an untrusted CA), 3 usage or
I/O error.

Example:
  kyso verify --trust kyso-data/ca/root.pem --db kyso-data/registry.db kyso-data/diplomas/T_00516292.pdf`)
	trust := fs.String("trust", e.getenv("KYSO_TRUST"), "PEM file with the trusted root certificates")
	db := fs.String("db", "", "registry database to look the document up in (SQLite file or postgres:// URL; optional)")
	asJSON := fs.Bool("json", false, "print the report as JSON (schema "+verify.SchemaVersion+")")
	lang := fs.String("lang", "vi", "language of the text report: vi or en")
	logPub := fs.String("log-pub", "", "the transparency log's public key file: check the credential's issue entry in the log (needs --db)")
	online := fs.Bool("online", false, "fetch revocation data (OCSP, else CRL) for signer certificates the document carries none about, with a 5 s timeout per request")
	logURL := fs.String("log-url", "", "address of the log's API, e.g. https://xacthuc.example.vn/api/v1/log (default: the log in --db)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("expected one FILE.pdf, got %d arguments", fs.NArg())
	}
	if *lang != "vi" && *lang != "en" {
		return usagef("--lang must be vi or en")
	}
	if *trust == "" {
		return usagef("--trust is required: kyso trusts only the root certificates you give it")
	}
	if *logPub != "" && *db == "" {
		return usagef("--log-pub needs --db: the registry record gives the log entry to look for")
	}
	if *logURL != "" && *logPub == "" {
		return usagef("--log-url needs --log-pub: a checkpoint is only worth its signature")
	}
	if *logURL != "" && !strings.HasPrefix(*logURL, "http://") && !strings.HasPrefix(*logURL, "https://") {
		return usagef("--log-url must start with http:// or https://")
	}
	roots, err := readCerts(*trust)
	if err != nil {
		return fmt.Errorf("--trust: %w", err)
	}
	var pub string
	if *logPub != "" {
		if pub, err = readLogPub(*logPub); err != nil {
			return fmt.Errorf("--log-pub: %w", err)
		}
	}
	opts := verify.Options{Roots: roots, Now: e.now}
	if *online {
		opts.Fetch = verify.HTTPFetch(nil, verify.DefaultFetchTimeout)
	}
	var (
		store     registryStore
		src       logSource
		badLogKey error
	)
	if *db != "" {
		var keys *registry.LogKeys
		if pub != "" && *logURL == "" {
			keys = &registry.LogKeys{PublicKey: pub}
		}
		store, err = openStore(e.ctx, *db, true, keys)
		if keys != nil && errors.Is(err, translog.ErrBadSignature) {
			// The log in the database is not the one whose key was
			// given: the registry is still worth reading, the log
			// check fails.
			badLogKey = err
			store, err = openStore(e.ctx, *db, true, nil)
		}
		if err != nil {
			return err
		}
		defer store.Close()
		opts.Credentials = server.RegistryLookup{Store: store}
		switch {
		case *logURL != "":
			src = remoteLog{base: *logURL, client: &http.Client{Timeout: logHTTPTimeout}}
		case store.Log() != nil:
			src = localLog{store.Log()}
		}
	}
	path := fs.Arg(0)
	// Mapped, not read: a 100 MB file costs page cache, not heap.
	data, release, err := spool.MapFile(path, verify.DefaultMaxSize)
	if err != nil {
		return err
	}
	defer release()
	rep, err := verify.PDFContext(e.ctx, data, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	switch {
	case badLogKey != nil:
		rep.Transparency = &verify.Transparency{Status: verify.TransparencyFailed,
			Detail: "the log's stored checkpoint does not verify with the given public key: " + badLogKey.Error()}
	case src != nil:
		rep.Transparency = checkTransparency(e.ctx, rep, store, src, pub)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "%s: %s\n", path, rep.Summary(*lang))
		if t := rep.Transparency; t != nil {
			fmt.Fprintf(e.stdout, "%s: transparency log: %s: %s\n", path, t.Status, t.Detail)
		}
	}
	if code := rep.ExitCode(); code != 0 {
		return exitError{code}
	}
	return nil
}

func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: larger than the %d-byte limit", path, max)
	}
	return data, nil
}
