package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kyso-vn/kyso/internal/testenv"
	"github.com/kyso-vn/kyso/templates"
)

// splitDemo separates the demo's gradebooks (the PDFs in DATA/gradebooks,
// printed after the diplomas) from its diplomas.
func splitDemo(d demoOutput) (diplomas, gradebooks demoOutput) {
	diplomas.trust, gradebooks.trust = d.trust, d.trust
	for i, p := range d.pdfs {
		to := &diplomas
		switch filepath.Base(filepath.Dir(p)) {
		case "gradebooks":
			to = &gradebooks
		case "hocba":
			continue // see hocbaOf
		}
		to.pdfs = append(to.pdfs, p)
		if i < len(d.urls) {
			to.urls = append(to.urls, d.urls[i])
		}
	}
	return diplomas, gradebooks
}

// hocbaOf returns the demo's học bạ PDFs (in DATA/hocba).
func hocbaOf(d demoOutput) []string {
	var out []string
	for _, p := range d.pdfs {
		if filepath.Base(filepath.Dir(p)) == "hocba" {
			out = append(out, p)
		}
	}
	return out
}

// teacherKey makes a development CA and a software key for name in work.
func teacherKey(t *testing.T, work, name string) (uri string, env []string, root string) {
	t.Helper()
	env = []string{"KYSO_TEST_PASS=correct horse battery staple"}
	if r := kyso(t, work, nil, "ca", "init", "--dir", "ca"); r.code != 0 {
		t.Fatalf("ca init: %d\n%s", r.code, r.stderr)
	}
	uri = "file:keys/teacher.key?pin-source=env:KYSO_TEST_PASS"
	r := kyso(t, work, env, "keys", "new", "--ca", "ca", "--key", uri, "--name", name, "--title", "Giáo viên", "--algo", "p256", "--cert-out", "teacher.pem")
	if r.code != 0 {
		t.Fatalf("keys new: %d\n%s", r.code, r.stderr)
	}
	return uri, env, filepath.Join(work, "ca", "root.pem")
}

func sampleFile(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestIssueGradebookCLI: 'kyso issue --kind gradebook' from the sample
// workbook gives a PDF that pdfsig and 'kyso verify --db' accept and whose
// record 'kyso extract' returns; a second run issues nothing; the wrong
// teacher's key and a broken file issue nothing.
func TestIssueGradebookCLI(t *testing.T) {
	g, err := templates.SampleGradebook(templates.SampleClassSize, templates.TermI, "Toán")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	uri, env, root := teacherKey(t, work, g.Teacher)
	args := []string{"issue", "--kind", "gradebook", "--data", sampleFile(t, "gradebook.xlsx"), "--key", uri, "--db", "registry.db", "--out", "out"}
	r := kyso(t, work, env, args...)
	if r.code != 0 {
		t.Fatalf("issue: exit %d\n%s", r.code, r.stderr)
	}
	f := strings.Split(strings.TrimSpace(r.stdout), "\t")
	const key = "SD-THPT-CHUYEN-BEN-TRE-2024-2025-HK1-10A1-TOAN"
	if len(f) != 4 || f[0] != "issued" || f[2] != key || filepath.Base(f[3]) != key+".pdf" {
		t.Fatalf("issue printed %q, want one issued gradebook %s", r.stdout, key)
	}
	pdfPath := filepath.Join(work, f[3])
	if again := kyso(t, work, env, args...); again.code != 0 || !strings.HasPrefix(again.stdout, "already-issued\t"+f[1]+"\t") {
		t.Errorf("second issue: exit %d, stdout %q; want already-issued %s", again.code, again.stdout, f[1])
	}

	checkPDFSig(t, testenv.PDFSig(t, readRoot(t, root)), pdfPath, g.Teacher)

	v := kyso(t, work, nil, "verify", "--trust", root, "--db", filepath.Join(work, "registry.db"), "--json", pdfPath)
	var rep struct {
		Indication string `json:"indication"`
		Credential *struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"credential"`
	}
	if err := json.Unmarshal([]byte(v.stdout), &rep); err != nil || v.code != 0 || rep.Indication != "TOTAL_PASSED" ||
		rep.Credential == nil || rep.Credential.ID != f[1] || rep.Credential.Status != "valid" {
		t.Errorf("verify --db: exit %d, %v\n%s; want TOTAL_PASSED and the valid credential %s", v.code, err, v.stdout, f[1])
	}

	x := kyso(t, work, nil, "extract", pdfPath)
	rec, err := templates.DecodeRecord([]byte(x.stdout))
	if err != nil || x.code != 0 {
		t.Fatalf("extract: exit %d, %v\n%s", x.code, err, x.stderr)
	}
	if rec.Kind != templates.KindGradebook || rec.Layout != templates.GradebookLayoutV2 || rec.CredentialID != f[1] ||
		rec.Gradebook == nil || !reflect.DeepEqual(*rec.Gradebook, g) {
		t.Errorf("extract: kind %q layout %q ID %q; want the sample gradebook issued as %s", rec.Kind, rec.Layout, rec.CredentialID, f[1])
	}

	t.Run("refused", func(t *testing.T) {
		other := t.TempDir()
		wrongURI, wrongEnv, _ := teacherKey(t, other, "Lê Văn Tám")
		bad := filepath.Join(other, "bad.csv")
		csvData, err := os.ReadFile(sampleFile(t, "gradebook.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bad, []byte(strings.Replace(string(csvData), ",8320241001,", ",,", 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name, data, key string
			env             []string
			want            string // in stderr
		}{
			{"another teacher's key", sampleFile(t, "gradebook.xlsx"), wrongURI, wrongEnv, "giao_vien"},
			{"a student without an ID", bad, uri, env, "row 2"},
			{"unknown kind", sampleFile(t, "gradebook.xlsx"), uri, env, "--kind"},
		}
		for _, tc := range tests {
			kind := "gradebook"
			if tc.name == "unknown kind" {
				kind = "hocba"
			}
			r := kyso(t, other, tc.env, "issue", "--kind", kind, "--data", tc.data, "--key", tc.key, "--db", filepath.Join(other, "r.db"), "--out", filepath.Join(other, "out"))
			if r.code == 0 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("%s: exit %d, stderr %q; want a failure naming %q", tc.name, r.code, r.stderr, tc.want)
			}
			if m, _ := filepath.Glob(filepath.Join(other, "out", "*.pdf")); len(m) != 0 {
				t.Errorf("%s: wrote %v, want nothing", tc.name, m)
			}
		}
	})
}
