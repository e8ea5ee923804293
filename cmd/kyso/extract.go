package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kyso-vn/kyso/templates"
	"github.com/kyso-vn/kyso/verify"
)

// extractOutput is what 'kyso extract --json' prints.
type extractOutput struct {
	File          string          `json:"file"`
	MIME          string          `json:"mime"`
	Modified      *time.Time      `json:"modified,omitempty"`
	Size          int             `json:"size"`
	SHA256        string          `json:"sha256"`
	InSignedRange bool            `json:"in_signed_range"`
	Record        json.RawMessage `json:"record"`
}

func cmdExtract(e *env, args []string) error {
	fs := newFlags(e, "extract", "[--json] FILE.pdf", `
Print the machine-readable record embedded in FILE.pdf: the file
`+templates.RecordFileName+` (schema `+templates.RecordSchemaV1+`, see docs/RECORD.md) that kyso
embeds in every document it renders, holding the data the document was drawn
from. The record is printed as indented JSON, exactly as embedded apart from
white space, after a strict check of its schema.

In a signed PDF the record is read from the part of the file that the last
signature covers; anything appended after signing is ignored. Extracting does
not check the signature: run 'kyso verify' on the same file before trusting
the record. A note on standard error says whether the record lies inside the
signed part.

With --json, print an object instead:
  {"file", "mime", "modified", "size", "sha256", "in_signed_range", "record"}
where sha256 is the digest of the embedded file's bytes.

Exit status: 0 record printed, 1 no record (none embedded, a record this
version cannot read, or not a PDF kyso can read), 3 usage or I/O error.

Example:
  kyso extract kyso-data/diplomas/T_00516292.pdf`)
	asJSON := fs.Bool("json", false, "print the record with the embedded file's metadata as one JSON object")
	if err := parse(fs, args); err != nil {
		return extractUsage(e, err)
	}
	if fs.NArg() != 1 {
		return extractUsage(e, usagef("expected one FILE.pdf, got %d arguments", fs.NArg()))
	}
	path := fs.Arg(0)
	data, err := readLimited(path, verify.DefaultMaxSize)
	if err != nil {
		fmt.Fprintf(e.stderr, "kyso extract: %v\n", err)
		return exitError{3}
	}
	files, err := verify.EmbeddedFiles(data, verify.DefaultMaxSize)
	if err != nil {
		return fmt.Errorf("%s: no record: %w", path, err)
	}
	var rec *verify.EmbeddedFile
	for i := range files {
		if files[i].Name != templates.RecordFileName {
			continue
		}
		if rec != nil {
			return fmt.Errorf("%s: two embedded files are named %s; refusing to choose", path, templates.RecordFileName)
		}
		rec = &files[i]
	}
	if rec == nil {
		return fmt.Errorf("%s: no %s embedded (%d other embedded files)", path, templates.RecordFileName, len(files))
	}
	if _, err := templates.DecodeRecord(rec.Data); err != nil {
		return fmt.Errorf("%s: the embedded record cannot be read: %w", path, err)
	}

	var out bytes.Buffer
	if *asJSON {
		sum := sha256.Sum256(rec.Data)
		o := extractOutput{
			File: rec.Name, MIME: rec.MIME, Size: len(rec.Data), SHA256: hex.EncodeToString(sum[:]),
			InSignedRange: rec.InSignedRange, Record: rec.Data,
		}
		if !rec.ModTime.IsZero() {
			t := rec.ModTime.UTC()
			o.Modified = &t
		}
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(o); err != nil {
			return err
		}
	} else {
		if err := json.Indent(&out, bytes.TrimSpace(rec.Data), "", "  "); err != nil {
			return err
		}
		out.WriteByte('\n')
	}
	if _, err := e.stdout.Write(out.Bytes()); err != nil {
		fmt.Fprintf(e.stderr, "kyso extract: %v\n", err)
		return exitError{3}
	}
	if rec.InSignedRange {
		fmt.Fprintf(e.stderr, "kyso extract: the record lies inside the part of %s covered by its last signature; run 'kyso verify' to check that signature\n", path)
	} else {
		fmt.Fprintf(e.stderr, "kyso extract: warning: %s is not signed; nothing vouches for this record\n", path)
	}
	return nil
}

// extractUsage reports a usage error with exit status 3, which run gives
// only to verify.
func extractUsage(e *env, err error) error {
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "kyso extract: %s\nRun 'kyso extract --help' for usage.\n", ue.msg)
		return exitError{3}
	}
	return err
}
