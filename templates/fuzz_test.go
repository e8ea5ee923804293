package templates

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// seedFuzz adds every fixture with the given extension to the corpus.
func seedFuzz(f *testing.F, ext string) {
	paths, err := filepath.Glob(filepath.Join(fixtureDir, "*"+ext))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no %s fixtures in %s: %v", ext, fixtureDir, err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkRead asserts what ReadDiplomas promises, whatever the input.
func checkRead(t *testing.T, name string, data []byte) {
	rows, err := ReadDiplomas(name, bytes.NewReader(data))
	var v ValidationErrors
	switch {
	case err == nil:
		if len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
	case errors.As(err, &v) && !errors.Is(err, ErrInvalidFile):
		if len(v) == 0 {
			t.Fatal("empty ValidationErrors")
		}
		for _, e := range v {
			if e.Row < 1 || e.File != name || e.Reason.IsFileLevel() {
				t.Fatalf("record problem %+v: want a row ≥ 1, file %q and a record-level reason", e, name)
			}
		}
	default:
		if rows != nil || !errors.Is(err, ErrInvalidFile) {
			t.Fatalf("file-level error %v came with %d rows or does not match ErrInvalidFile", err, len(rows))
		}
	}
	last := 0
	serials := map[string]bool{}
	for _, r := range rows {
		if r.Row <= last {
			t.Fatalf("row %d after row %d", r.Row, last)
		}
		last = r.Row
		if err := r.Diploma.Validate(); err != nil {
			t.Fatalf("row %d returned as valid: %v", r.Row, err)
		}
		n := r.Diploma
		n.Normalize()
		if n != r.Diploma {
			t.Fatalf("row %d is not normalised", r.Row)
		}
		if serials[n.Serial] {
			t.Fatalf("serial %q returned twice", n.Serial)
		}
		serials[n.Serial] = true
	}
}

func FuzzReadDiplomasCSV(f *testing.F) {
	seedFuzz(f, ".csv")
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, "fuzz.csv", data) })
}

func FuzzReadDiplomasJSON(f *testing.F) {
	seedFuzz(f, ".json")
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, "fuzz.json", data) })
}
