package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRenderHocbaClass renders the học bạ of the whole sample class from
// its CSV and Excel files: one PDF per student, named by the student's ID.
func TestRenderHocbaClass(t *testing.T) {
	work := t.TempDir()
	for _, name := range []string{"hocba_10A1.xlsx", "hocba_10A1.csv"} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(work, name)
			r := kyso(t, work, nil, "render", "--kind", "hocba", "--data", sample(t, name), "--out", out)
			if r.code != 0 {
				t.Fatalf("render: exit %d\n%s", r.code, r.stderr)
			}
			pdfs := pdfFiles(t, out)
			if len(pdfs) != 45 || strings.Count(r.stdout, "pdf: ") != 45 {
				t.Fatalf("%d PDFs, %d printed; want 45", len(pdfs), strings.Count(r.stdout, "pdf: "))
			}
			first := filepath.Join(out, "hoc-ba_8320241001_2024-2025.pdf")
			if _, err := os.Stat(first); err != nil {
				t.Fatalf("no PDF for the first student: %v", err)
			}
			if _, err := exec.LookPath("pdftotext"); err != nil {
				t.Skip("pdftotext missing")
			}
			text, err := exec.Command("pdftotext", "-enc", "UTF-8", first, "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range []string{"HỌC BẠ", "Trần Thị Ngọc Ánh", "Học sinh Xuất sắc", "PREVIEW-NOT-ISSUED"} {
				if !strings.Contains(string(text), w) {
					t.Errorf("%s lacks %q", filepath.Base(first), w)
				}
			}
		})
	}
}

// TestRenderHocbaRefusesWrongAverage: a học bạ CSV whose year average does
// not add up renders nothing and names the row, the column, the student,
// the subject and the expected value.
func TestRenderHocbaRefusesWrongAverage(t *testing.T) {
	work := t.TempDir()
	data, err := os.ReadFile(sample(t, "hocba_10A1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Row 2 is the first student's Ngữ văn; its year average becomes 0.1.
	col := slices.Index(rows[0], "cn")
	if col < 0 || !slices.Contains(rows[1], "Ngữ văn") {
		t.Fatalf("unexpected sample layout: %q", rows[1])
	}
	rows[1][col] = "0.1"
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(work, "bad.csv")
	if err := os.WriteFile(bad, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r := kyso(t, work, nil, "render", "--kind", "hocba", "--data", bad, "--out", "out")
	for _, want := range []string{"bad.csv row 2 column Q", "8320241001", "Ngữ văn", "expected"} {
		if r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Errorf("render of a wrong average: exit %d, stderr lacks %q:\n%s", r.code, want, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(work, "out")); err == nil {
		t.Error("the output folder was created for a refused file")
	}
}
