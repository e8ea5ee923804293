package main

import (
	"fmt"
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
  gradebook  JSON, CSV or Excel: gradebooks (sổ điểm) (testdata/samples/README.md)
  hocba      JSON (one học bạ year or an array), CSV or Excel .xlsx with one row
             per student and subject (testdata/samples/README.md): one PDF
             per student

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
		books, err := readGradebookFile(*data)
		if err != nil {
			return err
		}
		r, err := templates.NewGradebookRenderer(fonts, opts)
		if err != nil {
			return err
		}
		for i := range books {
			g := &books[i]
			b, err := r.Render(g, meta)
			if err != nil {
				return fmt.Errorf("%s: %w", *data, err)
			}
			docs = append(docs, doc{fmt.Sprintf("so-diem_%s_%s_%s", g.Class, g.Term, fileSafe(g.Subject)), b})
		}
	case "hocba":
		ts, err := readTranscriptFile(*data)
		if err != nil {
			return err
		}
		r, err := templates.NewTranscriptRenderer(fonts, opts)
		if err != nil {
			return err
		}
		for i := range ts {
			t := &ts[i]
			b, err := r.Render(t, meta)
			if err != nil {
				return fmt.Errorf("%s: student %s: %w", *data, t.Student.ID, err)
			}
			docs = append(docs, doc{fmt.Sprintf("hoc-ba_%s_%s", fileSafe(t.Student.ID), t.SchoolYear), b})
		}
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

// readTranscriptFile reads every học bạ year of a JSON, CSV or .xlsx file
// (templates.ReadTranscripts: validated, averages checked, one student
// given once per school year).
func readTranscriptFile(path string) ([]templates.Transcript, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return templates.ReadTranscripts(path, f)
}
