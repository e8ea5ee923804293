package pdf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// attachedDoc draws a one-page document, attaches files with attach and
// returns the PDF.
func attachedDoc(t testing.TB, r *Renderer, attach func(d *Document)) ([]byte, error) {
	t.Helper()
	d, err := r.NewDocument(Options{Created: testCreated, Deterministic: true, Metadata: Metadata{Title: "Tệp đính kèm", Lang: "vi-VN"}})
	if err != nil {
		t.Fatal(err)
	}
	d.AddPage()
	d.SetFont(Regular, 12)
	d.Text(20, 30, "Họ và tên: Nguyễn Văn Nghĩa")
	attach(d)
	return d.Bytes()
}

const testJSON = `{"ho_ten":"Nguyễn Văn Nghĩa","so_hieu":"T 00516292"}` + "\n"

func TestAttachIsReadByPoppler(t *testing.T) {
	pdfdetach := needTool(t, "pdfdetach")
	qpdf := needTool(t, "qpdf")
	r := newTestRenderer(t)
	files := []struct{ name, mime, desc, data string }{
		{"kyso-record.json", "application/json", "Bản dữ liệu máy đọc được", testJSON},
		{"Bảng điểm (HK1).csv", "text/csv", "", "ho_ten,diem\nAn,8.5\n"},
		{"empty.bin", "", "", ""},
	}
	out, err := attachedDoc(t, r, func(d *Document) {
		for _, f := range files {
			d.Attach(f.name, f.mime, f.desc, []byte(f.data), time.Time{})
		}
	})
	if err != nil {
		t.Fatalf("Bytes: %v", err)
	}
	path := writeTemp(t, "a.pdf", out)
	run(t, qpdf, "--check", path)

	list := run(t, pdfdetach, "-enc", "UTF-8", "-list", path)
	if !strings.HasPrefix(list, "3 embedded files") {
		t.Fatalf("pdfdetach -list: got %q, want 3 embedded files", list)
	}
	dir := t.TempDir()
	run(t, pdfdetach, "-enc", "UTF-8", "-saveall", "-o", dir, path)
	for _, f := range files {
		if !strings.Contains(list, f.name) {
			t.Errorf("pdfdetach -list lacks %q:\n%s", f.name, list)
		}
		got, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			t.Errorf("pdfdetach -saveall: %v", err)
			continue
		}
		if string(got) != f.data {
			t.Errorf("%s: got %q, want %q", f.name, got, f.data)
		}
	}

	for _, want := range []string{
		"%PDF-1.7\n",
		"/Subtype /application#2Fjson",
		"/Subtype /text#2Fcsv",
		"/AFRelationship /Source",
		"/ModDate (D:20240715083000Z)",
		"/F (B_ng _i_m \\(HK1\\).csv)",
		"/Lang (vi-VN)",
	} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %q", want)
		}
	}
	if bytes.Count(out, []byte("/Subtype /")) < 2 || bytes.Contains(out, []byte("/EmbeddedFiles << /Names [\n  \n]")) {
		t.Error("the catalog still holds fpdf's empty name tree")
	}
	// One revision: the rewrite leaves no second cross-reference section.
	if n := bytes.Count(out, []byte("\nxref\n")); n != 1 {
		t.Errorf("%d cross-reference tables, want 1", n)
	}
}

func TestAttachDeterministic(t *testing.T) {
	r := newTestRenderer(t)
	mod := time.Date(2024, 7, 1, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	doc := func(data string, mod time.Time) []byte {
		out, err := attachedDoc(t, r, func(d *Document) {
			d.Attach("b.json", "application/json", "B", []byte(data), mod)
			d.Attach("a.json", "application/json", "A", []byte(data), mod)
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := doc(testJSON, mod), doc(testJSON, mod)
	if !bytes.Equal(a, b) {
		t.Fatal("two deterministic documents with the same attachments differ, want identical")
	}
	if !bytes.Contains(a, []byte("/ModDate (D:20240630170000Z)")) {
		t.Error("the modification date is not modTime in UTC")
	}
	if bytes.Equal(a, doc(testJSON+" ", mod)) {
		t.Error("different attachment data gave identical documents")
	}
	if bytes.Equal(a, doc(testJSON, mod.Add(time.Second))) {
		t.Error("different modification times gave identical documents")
	}
	// The name tree lists the files sorted by key, whatever the call order.
	ia, ib := bytes.Index(a, []byte("\n(a.json) ")), bytes.Index(a, []byte("\n(b.json) "))
	if ia < 0 || ib < 0 || ia > ib {
		t.Errorf("name tree keys at %d and %d, want (a.json) before (b.json)", ia, ib)
	}
}

func TestNoAttachmentLeavesFpdfOutput(t *testing.T) {
	r := newTestRenderer(t)
	out, err := attachedDoc(t, r, func(*Document) {})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte("%PDF-1.3\n")) || bytes.Contains(out, []byte("/AF ")) {
		t.Error("a document without attachments was rewritten")
	}
}

func TestAttachErrors(t *testing.T) {
	r := newTestRenderer(t)
	long := strings.Repeat("a", MaxAttachmentNameLen+1)
	tests := []struct {
		name   string
		attach func(d *Document)
	}{
		{"empty name", func(d *Document) { d.Attach("", "", "", nil, time.Time{}) }},
		{"dot dot", func(d *Document) { d.Attach("..", "", "", nil, time.Time{}) }},
		{"slash", func(d *Document) { d.Attach("a/b.json", "", "", nil, time.Time{}) }},
		{"backslash", func(d *Document) { d.Attach(`a\b.json`, "", "", nil, time.Time{}) }},
		{"control", func(d *Document) { d.Attach("a\nb", "", "", nil, time.Time{}) }},
		{"not UTF-8", func(d *Document) { d.Attach("a\xffb", "", "", nil, time.Time{}) }},
		{"too long", func(d *Document) { d.Attach(long, "", "", nil, time.Time{}) }},
		{"mime without subtype", func(d *Document) { d.Attach("a", "application", "", nil, time.Time{}) }},
		{"mime with parameter", func(d *Document) { d.Attach("a", "text/plain; charset=utf-8", "", nil, time.Time{}) }},
		{"mime with space", func(d *Document) { d.Attach("a", "text/ plain", "", nil, time.Time{}) }},
		{"description control", func(d *Document) { d.Attach("a", "", "x\x00y", nil, time.Time{}) }},
		{"description too long", func(d *Document) {
			d.Attach("a", "", strings.Repeat("ă", MaxAttachmentDescriptionLen+1), nil, time.Time{})
		}},
		{"same name twice", func(d *Document) {
			d.Attach("a.json", "", "", nil, time.Time{})
			d.Attach("a.json", "", "", nil, time.Time{})
		}},
		{"same name after NFC", func(d *Document) {
			d.Attach("Nghĩa.json", "", "", nil, time.Time{})
			d.Attach("Nghi\u0303a.json", "", "", nil, time.Time{})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := attachedDoc(t, r, tt.attach)
			if !errors.Is(err, ErrBadAttachment) || out != nil {
				t.Fatalf("got (%d bytes, %v), want no PDF and ErrBadAttachment", len(out), err)
			}
		})
	}
}

func TestAttachCopiesData(t *testing.T) {
	r := newTestRenderer(t)
	data := []byte(testJSON)
	want, err := attachedDoc(t, r, func(d *Document) { d.Attach("a.json", "application/json", "", data, time.Time{}) })
	if err != nil {
		t.Fatal(err)
	}
	got, err := attachedDoc(t, r, func(d *Document) {
		d.Attach("a.json", "application/json", "", data, time.Time{})
		data[0] = '['
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("changing the slice after Attach changed the document")
	}
}

func TestReadFpdfTailRefusesOtherOutput(t *testing.T) {
	r := newTestRenderer(t)
	out, err := attachedDoc(t, r, func(*Document) {})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := finish(out, []attachment{{name: "a", data: []byte("x"), mod: testCreated}}, nil, testCreated); err != nil {
		t.Fatalf("fpdf's own output: %v", err)
	}
	xref := bytes.LastIndex(out, []byte("\nxref\n")) + 1
	tests := []struct {
		name string
		data []byte
	}{
		{"no xref", bytes.Replace(out, []byte("\nxref\n"), []byte("\nxreg\n"), 1)},
		{"trailer with an ID", bytes.Replace(out, []byte("/Info"), []byte("/ID [] /Info"), 1)},
		{"appended update", append(append([]byte{}, out...), "xref\n0 1\n0000000000 65535 f \ntrailer\n<< >>\n"...)},
		{"startxref elsewhere", bytes.Replace(out, []byte("startxref\n"+strconv.Itoa(xref)), []byte("startxref\n"+strconv.Itoa(xref-1)), 1)},
		{"catalog not last", bytes.Replace(out, []byte("/Root "), []byte("/Root 1"), 1)},
		{"catalog with JavaScript", bytes.Replace(out, []byte("/Names <<\n"), []byte("/Names <<\n/JavaScript 9 0 R\n"), 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := finish(tt.data, []attachment{{name: "a", mod: testCreated}}, nil, testCreated); !errors.Is(err, errUnexpectedOutput) {
				t.Fatalf("got %v, want errUnexpectedOutput", err)
			}
		})
	}
}

func TestNameEncodings(t *testing.T) {
	tests := []struct{ in, name, literal string }{
		{"application/json", "/application#2Fjson", "(application/json)"},
		{"a(b)\\c", "/a#28b#29\\c", `(a\(b\)\\c)`},
		{"x#y z", "/x#23y#20z", "(x#y z)"},
	}
	for _, tt := range tests {
		if got := nameObject(tt.in); got != tt.name {
			t.Errorf("nameObject(%q): got %s, want %s", tt.in, got, tt.name)
		}
		if got := literalString(tt.in); got != tt.literal {
			t.Errorf("literalString(%q): got %s, want %s", tt.in, got, tt.literal)
		}
	}
	if got := nameObject("Đ"); got != "/#C4#90" {
		t.Errorf("nameObject(Đ): got %s, want /#C4#90", got)
	}
	if got := textString("Đ "); got != "<FEFF01100020>" {
		t.Errorf("textString: got %s, want <FEFF01100020>", got)
	}
	if got := textString("𝔸"); got != "<FEFFD835DD38>" {
		t.Errorf("textString of a supplementary character: got %s, want the surrogate pair <FEFFD835DD38>", got)
	}
}
