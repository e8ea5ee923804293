package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kyso-vn/kyso/pdf"
)

func FuzzParseScore(f *testing.F) {
	for _, s := range []string{"8,5", "10", "0.0", "11", "8,25", "-0", "9.", " 7 ", "８"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseScore(s)
		if err != nil {
			if !errors.Is(err, ErrNotScore) || got != "" {
				t.Fatalf("ParseScore(%q): got (%q, %v), want ErrNotScore and no score", s, got, err)
			}
			return
		}
		tenths, ok := got.Tenths()
		if !ok || tenths < 0 || tenths > 100 || !got.Valid() {
			t.Fatalf("ParseScore(%q) = %q: not a valid canonical score", s, got)
		}
		for _, again := range []string{string(got), got.Vietnamese()} {
			if p, err := ParseScore(again); err != nil || p != got {
				t.Fatalf("ParseScore(%q): got (%q, %v), want %q", again, p, err, got)
			}
		}
		if m := normalizeMark(Mark(s)); m != Mark(got) {
			t.Fatalf("normalizeMark(%q): got %q, want %q", s, m, got)
		}
	})
}

// seedSamples adds a sample file of testdata/samples to the corpus.
func seedSamples(f *testing.F, name string) {
	b, err := os.ReadFile(filepath.Join(sampleDir, name))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
}

// FuzzGradebook: whatever JSON decodes into a Gradebook, Normalize is
// idempotent, Validate does not panic and names fields, and a valid
// gradebook has its signature box and renders (or is refused as too wide).
func FuzzGradebook(f *testing.F) {
	seedSamples(f, "gradebook.json")
	f.Add([]byte(`{"hoc_sinh": [{"stt": 1, "ddgtx": ["8,5", 11, "Đạt"]}], "hoc_ky": "CN"}`))
	p, err := pdf.NewRenderer()
	if err != nil {
		f.Fatal(err)
	}
	r, err := NewGradebookRenderer(p, testOpts)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var g Gradebook
		if json.Unmarshal(data, &g) != nil {
			return
		}
		g.Normalize()
		again := g.clone()
		again.Normalize()
		if !reflect.DeepEqual(*again, g) {
			t.Fatal("Normalize is not idempotent")
		}
		err := g.Validate()
		var v ValidationErrors
		if err != nil {
			if !errors.As(err, &v) || len(v) == 0 {
				t.Fatalf("Validate: got %v, want a non-empty ValidationErrors", err)
			}
			for _, e := range v {
				if e.Field == "" || e.Reason == 0 || e.Reason.IsFileLevel() {
					t.Fatalf("problem %+v: want a field and a record-level reason", e)
				}
			}
			return
		}
		if boxes, err := SignatureBoxes(GradebookLayoutV1, &g); err != nil || len(boxes) != 1 {
			t.Fatalf("SignatureBoxes of a valid gradebook: got (%v, %v)", boxes, err)
		}
		if _, err := r.Render(&g, testMeta); err != nil && !errors.Is(err, ErrTextTooLong) {
			t.Fatalf("Render of a valid gradebook: %v", err)
		}
	})
}

// FuzzTranscript is FuzzGradebook for học bạ.
func FuzzTranscript(f *testing.F) {
	seedSamples(f, "hocba.json")
	f.Add([]byte(`{"mon_hoc": [{"ten": "Toán", "loai": "diem", "hk1": 8.5}], "so_cho_sua": 1, "mon_sua_chua": ["Toán"]}`))
	p, err := pdf.NewRenderer()
	if err != nil {
		f.Fatal(err)
	}
	r, err := NewTranscriptRenderer(p, testOpts)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var tr Transcript
		if json.Unmarshal(data, &tr) != nil {
			return
		}
		tr.Normalize()
		again := tr.clone()
		again.Normalize()
		if !reflect.DeepEqual(*again, tr) {
			t.Fatal("Normalize is not idempotent")
		}
		err := tr.Validate()
		var v ValidationErrors
		if err != nil {
			if !errors.As(err, &v) || len(v) == 0 {
				t.Fatalf("Validate: got %v, want a non-empty ValidationErrors", err)
			}
			for _, e := range v {
				if e.Field == "" || e.Reason == 0 {
					t.Fatalf("problem %+v: want a field and a reason", e)
				}
			}
			return
		}
		boxes, err := SignatureBoxes(TranscriptLayoutV1, &tr)
		if err != nil || len(boxes) != len(tr.Subjects)+3 {
			t.Fatalf("SignatureBoxes of a valid transcript: got (%d boxes, %v)", len(boxes), err)
		}
		for _, b := range boxes {
			if !strings.HasPrefix(b.Role, "gvbm:") && b.Role != RoleHomeroom && b.Role != RolePrincipal && b.Role != RoleSeal {
				t.Fatalf("unknown role %q", b.Role)
			}
		}
		if _, err := r.Render(&tr, testMeta); err != nil && !errors.Is(err, ErrTextTooLong) {
			t.Fatalf("Render of a valid transcript: %v", err)
		}
	})
}

// FuzzReadGradebooksCSV and FuzzReadGradebooksXLSX feed arbitrary bytes to
// the gradebook importer as a school's CSV or Excel export: it must not
// panic, every error must name the file, and what it accepts must validate.
func FuzzReadGradebooksCSV(f *testing.F)  { fuzzReadGradebooks(f, "gradebook.csv") }
func FuzzReadGradebooksXLSX(f *testing.F) { fuzzReadGradebooks(f, "gradebook.xlsx") }

func fuzzReadGradebooks(f *testing.F, sample string) {
	seedSamples(f, sample)
	f.Add([]byte("Họ và tên;Ngày sinh\nNguyễn Văn A;31/02/2008\n"))
	name := "fuzz" + filepath.Ext(sample)
	f.Fuzz(func(t *testing.T, data []byte) {
		books, err := ReadGradebooks(name, bytes.NewReader(data))
		if err != nil {
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for i := range books {
			if err := books[i].Validate(); err != nil {
				t.Fatalf("accepted gradebook %d does not validate: %v", i, err)
			}
		}
	})
}
