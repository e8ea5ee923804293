package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func sample(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRenderAllKinds renders the samples of every kind and reads them back
// with pdftotext.
func TestRenderAllKinds(t *testing.T) {
	work := t.TempDir()
	tests := []struct {
		kind, data string
		pdfs       int
		want       []string
	}{
		{"diploma", fixture(t, "graduates.csv"), 24, []string{"BẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG", "PREVIEW-NOT-ISSUED"}},
		{"gradebook", sample(t, "gradebook.json"), 1, []string{"SỔ THEO DÕI VÀ ĐÁNH GIÁ HỌC SINH", "Trang 1/3", "Trang 3/3", "GIÁO VIÊN BỘ MÔN"}},
		{"hocba", sample(t, "hocba.json"), 1, []string{"HỌC BẠ", "XÁC NHẬN CỦA HIỆU TRƯỞNG", "Trang 2/2"}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			out := filepath.Join(work, tt.kind)
			r := kyso(t, work, nil, "render", "--kind", tt.kind, "--data", tt.data, "--out", out)
			if r.code != 0 {
				t.Fatalf("render: exit %d\n%s", r.code, r.stderr)
			}
			pdfs := pdfFiles(t, out)
			if len(pdfs) != tt.pdfs || strings.Count(r.stdout, "pdf: ") != tt.pdfs {
				t.Fatalf("%d PDFs, stdout %q; want %d", len(pdfs), r.stdout, tt.pdfs)
			}
			if _, err := exec.LookPath("pdftotext"); err != nil {
				t.Skip("pdftotext missing")
			}
			text, err := exec.Command("pdftotext", "-enc", "UTF-8", pdfs[0], "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(text), w) {
					t.Errorf("%s lacks %q", filepath.Base(pdfs[0]), w)
				}
			}
		})
	}
}

// TestRenderRefusesWrongAverage: a gradebook whose ĐTBmhk does not add up
// renders nothing and names the student and the expected value.
func TestRenderRefusesWrongAverage(t *testing.T) {
	work := t.TempDir()
	data, err := os.ReadFile(sample(t, "gradebook.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g map[string]any
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	g["hoc_sinh"].([]any)[0].(map[string]any)["dtbmhk"] = "0.1"
	bad, _ := json.Marshal(g)
	p := filepath.Join(work, "bad.json")
	os.WriteFile(p, []byte(bad), 0o644)
	r := kyso(t, work, nil, "render", "--kind", "gradebook", "--data", p, "--out", "out")
	if r.code == 0 || !strings.Contains(r.stderr, "hoc_sinh[1].dtbmhk") || !strings.Contains(r.stderr, "expected") {
		t.Fatalf("render of a wrong average: exit %d %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(work, "out")); err == nil {
		t.Error("the output folder was created for a refused file")
	}
}
