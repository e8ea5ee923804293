package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/kyso-vn/kyso/server"
	"github.com/kyso-vn/kyso/verify"
)

func cmdVerify(e *env, args []string) error {
	fs := newFlags(e, "verify", "--trust FILE [--db PATH] [--json] FILE.pdf", `
Verify every signature of FILE.pdf and make a trust decision from the roots in
--trust only (never the system store, never certificates inside the file).
--trust defaults to the file named by $KYSO_TRUST; one of them is required.
With --db, the file's SHA-256 is looked up in the registry and the credential's
status (valid, revoked, superseded) is reported.

Exit status: 0 valid (TOTAL_PASSED), 1 failed (tampered, invalid or revoked:
TOTAL_FAILED), 2 indeterminate (e.g. signed by an untrusted CA), 3 usage or
I/O error.

Example:
  kyso verify --trust kyso-data/ca/root.pem --db kyso-data/registry.db kyso-data/diplomas/T_00516292.pdf`)
	trust := fs.String("trust", e.getenv("KYSO_TRUST"), "PEM file with the trusted root certificates")
	db := fs.String("db", "", "registry database to look the document up in (SQLite file or postgres:// URL; optional)")
	asJSON := fs.Bool("json", false, "print the report as JSON (schema "+verify.SchemaVersion+")")
	lang := fs.String("lang", "vi", "language of the text report: vi or en")
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
	roots, err := readCerts(*trust)
	if err != nil {
		return fmt.Errorf("--trust: %w", err)
	}
	opts := verify.Options{Roots: roots, Now: e.now}
	if *db != "" {
		store, err := openStore(e.ctx, *db, true)
		if err != nil {
			return err
		}
		defer store.Close()
		opts.Credentials = server.RegistryLookup{Store: store}
	}
	path := fs.Arg(0)
	data, err := readLimited(path, verify.DefaultMaxSize)
	if err != nil {
		return err
	}
	rep, err := verify.PDFContext(e.ctx, data, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "%s: %s\n", path, rep.Summary(*lang))
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
