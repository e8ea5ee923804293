package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kyso-vn/kyso/internal/atomicfile"
	"github.com/kyso-vn/kyso/issuance"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/templates"
)

// previewID is printed where an issued document carries its credential ID:
// a preview is never registered, and says so.
const previewID = "PREVIEW-NOT-ISSUED"

func cmdRender(e *env, args []string) error {
	fs := newFlags(e, "render", "--kind diploma|hocba|gradebook --data FILE --out DIR", `
Render unsigned preview PDFs from a data file, to check the data and the layout
before issuing. Nothing is signed or registered; the documents carry
`+previewID+` where an issued one carries its credential ID.

  diploma    CSV or JSON, one diploma per row (columns in docs/DATA.md)
  gradebook  JSON, one gradebook (sổ điểm) per file (testdata/samples/README.md)
  hocba      JSON, one học bạ year per file

Gradebooks and học bạ are checked against Thông tư 22/2021: averages and results
that do not add up are refused, naming the student, the subject and the value
expected.

Example:
  kyso render --kind gradebook --data testdata/samples/gradebook.json --out /tmp/preview`)
	kind := fs.String("kind", "", "document kind: diploma, hocba or gradebook")
	data := fs.String("data", "", "input file")
	out := fs.String("out", "", "output folder")
	baseURL := fs.String("base-url", "http://127.0.0.1:8080", "verification site encoded in the QR code")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *kind != "diploma" && *kind != "hocba" && *kind != "gradebook":
		return usagef("--kind must be diploma, hocba or gradebook")
	case *data == "":
		return usagef("--data is required")
	case *out == "":
		return usagef("--out is required")
	case fs.NArg() != 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := checkBaseURL(*baseURL); err != nil {
		return usagef("--base-url: %v", err)
	}
	fonts, err := pdf.NewRenderer()
	if err != nil {
		return err
	}
	opts := templates.RenderOptions{Now: e.now(), Deterministic: true}
	meta := templates.IssueMeta{CredentialID: previewID, VerifyURL: strings.TrimRight(*baseURL, "/") + "/v/" + previewID}

	type doc struct {
		name string
		pdf  []byte
	}
	var docs []doc
	switch *kind {
	case "diploma":
		rows, err := readDiplomaFile(*data)
		if err != nil {
			return err
		}
		r, err := templates.NewDiplomaRenderer(fonts, opts)
		if err != nil {
			return err
		}
		for _, row := range rows {
			b, err := r.Render(&row.Diploma, meta)
			if err != nil {
				return fmt.Errorf("%s row %d: %w", *data, row.Row, err)
			}
			docs = append(docs, doc{strings.TrimSuffix(issuance.FileName(row.Diploma.Serial), ".pdf"), b})
		}
	case "gradebook":
		var g templates.Gradebook
		if err := readJSONFile(*data, &g); err != nil {
			return err
		}
		r, err := templates.NewGradebookRenderer(fonts, opts)
		if err != nil {
			return err
		}
		b, err := r.Render(&g, meta)
		if err != nil {
			return fmt.Errorf("%s: %w", *data, err)
		}
		docs = append(docs, doc{fmt.Sprintf("so-diem_%s_%s_%s", g.Class, g.Term, fileSafe(g.Subject)), b})
	case "hocba":
		var t templates.Transcript
		if err := readJSONFile(*data, &t); err != nil {
			return err
		}
		r, err := templates.NewTranscriptRenderer(fonts, opts)
		if err != nil {
			return err
		}
		b, err := r.Render(&t, meta)
		if err != nil {
			return fmt.Errorf("%s: %w", *data, err)
		}
		docs = append(docs, doc{fmt.Sprintf("hoc-ba_%s_%s", fileSafe(t.Student.ID), t.SchoolYear), b})
	}
	// Everything rendered: only now is anything written.
	if err := os.MkdirAll(*out, 0o750); err != nil {
		return err
	}
	for _, d := range docs {
		p := filepath.Join(*out, d.name+".pdf")
		if err := atomicfile.Write(p, d.pdf, 0o640); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "pdf: %s\n", p)
	}
	return nil
}

// fileSafe keeps letters and digits of s (any script) and turns the rest
// into "-".
func fileSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '/' || r == '\\' || r == '.' || r < ' ':
			b.WriteRune('-')
		case r == ' ':
			b.WriteRune('-')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// readJSONFile decodes one JSON document from path strictly (unknown
// members are errors), within the import size limit.
func readJSONFile(path string, v any) error {
	data, err := readLimited(path, templates.MaxInputSize)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return fmt.Errorf("%s: not valid JSON at byte %d: %v", path, se.Offset, err)
		case errors.As(err, &te):
			return fmt.Errorf("%s: field %q: %v", path, te.Field, err)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%s: more than one JSON document", path)
	}
	return nil
}
