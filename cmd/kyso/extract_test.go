package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kyso-vn/kyso/templates"
)

// TestExtractDemo extracts the records of the demo's diplomas and compares
// them with the demo's data file, row by row.
func TestExtractDemo(t *testing.T) {
	work := t.TempDir()
	data := filepath.Join(work, "d")
	r := kyso(t, work, nil, "demo", "--data", data, "--no-serve", "--count", "20")
	if r.code != 0 {
		t.Fatalf("demo: exit %d\n%s", r.code, r.stderr)
	}
	d, _ := splitDemo(parseDemo(t, r.stdout)) // the gradebooks: TestIssueGradebookCLI
	rows, err := readDiplomaFile(filepath.Join(data, "graduates.csv"))
	if err != nil {
		t.Fatal(err)
	}
	bySerial := map[string]templates.Diploma{}
	for _, row := range rows {
		bySerial[row.Diploma.Serial] = row.Diploma
	}
	if len(d.pdfs) != 20 || len(bySerial) != 20 {
		t.Fatalf("demo issued %d PDFs from %d rows, want 20 of each", len(d.pdfs), len(bySerial))
	}

	seen := map[string]bool{}
	for i, p := range d.pdfs {
		x := kyso(t, work, nil, "extract", p)
		if x.code != 0 {
			t.Fatalf("extract %s: exit %d\n%s", p, x.code, x.stderr)
		}
		rec, err := templates.DecodeRecord([]byte(x.stdout))
		if err != nil {
			t.Fatalf("extract %s printed no record: %v\n%s", p, err, x.stdout)
		}
		want, ok := bySerial[rec.Diploma.Serial]
		if !ok || seen[rec.Diploma.Serial] {
			t.Fatalf("%s: serial %q is not a row of graduates.csv, or repeats", p, rec.Diploma.Serial)
		}
		seen[rec.Diploma.Serial] = true
		if !reflect.DeepEqual(*rec.Diploma, want) {
			t.Errorf("%s: record %+v, want the CSV row %+v", p, *rec.Diploma, want)
		}
		if rec.Kind != templates.KindDiploma || rec.Layout != templates.DiplomaLayoutV2 || rec.VerifyURL != d.urls[i] ||
			!strings.HasSuffix(rec.VerifyURL, "/v/"+rec.CredentialID) {
			t.Errorf("%s: kind %q, layout %q, URL %q, ID %q; want a diploma/v1 record naming the demo's URL %q",
				p, rec.Kind, rec.Layout, rec.VerifyURL, rec.CredentialID, d.urls[i])
		}
		if !strings.Contains(x.stderr, "covered by its last signature") {
			t.Errorf("extract %s: stderr %q, want the note that the record is signed", p, x.stderr)
		}
	}

	// --json: the metadata and the same record.
	p := d.pdfs[0]
	plain := kyso(t, work, nil, "extract", p)
	j := kyso(t, work, nil, "extract", "--json", p)
	if j.code != 0 {
		t.Fatalf("extract --json: exit %d\n%s", j.code, j.stderr)
	}
	var out struct {
		File          string          `json:"file"`
		MIME          string          `json:"mime"`
		Modified      string          `json:"modified"`
		Size          int             `json:"size"`
		SHA256        string          `json:"sha256"`
		InSignedRange bool            `json:"in_signed_range"`
		Record        json.RawMessage `json:"record"`
	}
	dec := json.NewDecoder(strings.NewReader(j.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("extract --json: %v\n%s", err, j.stdout)
	}
	var rec, want bytes.Buffer
	if json.Compact(&rec, out.Record) != nil || json.Compact(&want, []byte(plain.stdout)) != nil || rec.String() != want.String() {
		t.Errorf("--json record differs from the plain output:\n%s\nwant:\n%s", out.Record, plain.stdout)
	}
	sum := sha256.Sum256([]byte(plain.stdout))
	if out.File != templates.RecordFileName || out.MIME != templates.RecordMIME || !out.InSignedRange ||
		out.Size != len(plain.stdout) || out.SHA256 != hex.EncodeToString(sum[:]) || out.Modified == "" {
		t.Errorf("extract --json metadata %+v; want %s, %s, in the signed range, the size and digest of the record",
			out, templates.RecordFileName, templates.RecordMIME)
	}
}

func TestExtractErrors(t *testing.T) {
	work := t.TempDir()
	notPDF := filepath.Join(work, "notes.pdf")
	if err := os.WriteFile(notPDF, []byte("not a PDF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	unsigned, err := filepath.Abs(filepath.Join("..", "..", "testdata", "verify", "unsigned.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"no file", []string{"extract"}, 3, "expected one FILE.pdf"},
		{"two files", []string{"extract", unsigned, unsigned}, 3, "expected one FILE.pdf"},
		{"unknown flag", []string{"extract", "--lang", "vi", unsigned}, 3, "flag provided but not defined"},
		{"missing file", []string{"extract", filepath.Join(work, "nope.pdf")}, 3, "nope.pdf"},
		{"a PDF without a record", []string{"extract", unsigned}, 1, "no kyso-record.json"},
		{"not a PDF", []string{"extract", notPDF}, 1, "no record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := kyso(t, work, nil, tt.args...)
			// (A flag error prints the usage on standard output.)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) || strings.Contains(r.stdout, `"schema"`) {
				t.Errorf("kyso %v: exit %d, stderr %q, stdout %q; want exit %d, %q in stderr, no record",
					tt.args, r.code, r.stderr, r.stdout, tt.code, tt.want)
			}
		})
	}
	if h := kyso(t, work, nil, "extract", "--help"); h.code != 0 || !strings.Contains(h.stdout, "Usage: kyso extract") {
		t.Errorf("extract --help: exit %d, stdout %q; want 0 and a usage", h.code, h.stdout)
	}
	if h := kyso(t, work, nil, "--help"); !strings.Contains(h.stdout, "\n  extract ") {
		t.Errorf("kyso --help does not list extract:\n%s", h.stdout)
	}
}
