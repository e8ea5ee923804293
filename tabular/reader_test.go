package tabular

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

// gradeMatch is a gradebook's HeaderMatcher, as a caller would write one.
func gradeMatch(h string) (string, bool) {
	switch FoldHeader(h) {
	case "stt", "so_thu_tu":
		return "", true
	case "ho_va_ten", "ho_ten":
		return "ho_ten", true
	case "ngay_sinh":
		return "ngay_sinh", true
	case "gioi_tinh":
		return "gioi_tinh", true
	case "dan_toc":
		return "dan_toc", true
	case "giua_ky":
		return "giua_ky", true
	case "cuoi_ky":
		return "cuoi_ky", true
	}
	return "", false
}

func openBytes(t testing.TB, name string, data []byte, opts Options) (*Reader, error) {
	t.Helper()
	r, err := Open(name, bytes.NewReader(data), int64(len(data)), opts)
	if err == nil {
		t.Cleanup(func() { r.Close() })
	}
	return r, err
}

func openFixture(t testing.TB, name string, opts Options) *Reader {
	t.Helper()
	r, err := openBytes(t, name, readFixture(t, name), opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	return r
}

// readAll returns every row, failing the test on any error.
func readAll(t testing.TB, r *Reader) []Row {
	t.Helper()
	var rows []Row
	for row, err := range r.All() {
		if err != nil {
			t.Fatalf("reading: %v", err)
		}
		rows = append(rows, row)
	}
	return rows
}

func checkNFC(t testing.TB, rows []Row) {
	t.Helper()
	for _, row := range rows {
		for _, c := range row.Cells {
			if !norm.NFC.IsNormalString(c.Value) || !norm.NFC.IsNormalString(c.Header) {
				t.Errorf("row %d column %s: %q (header %q) is not NFC", row.Number, c.Column, c.Value, c.Header)
			}
		}
	}
}

func wantDate(t testing.TB, s string) Date {
	d, err := time.Parse("2/1/2006", s)
	if err != nil {
		t.Fatal(err)
	}
	return Date{Year: d.Year(), Month: d.Month(), Day: d.Day()}
}

func TestReadGradesXLSX(t *testing.T) {
	r := openFixture(t, "grades.xlsx", Options{Match: gradeMatch, Required: []string{"ho_ten", "ngay_sinh"}})
	if got := r.Sheet(); got != "10A1" {
		t.Errorf("Sheet() = %q, want %q (the empty and the hidden sheet skipped)", got, "10A1")
	}
	if got := r.HeaderRow(); got != 3 {
		t.Errorf("HeaderRow() = %d, want 3 (the merged title and the blank row skipped)", got)
	}
	var fields []string
	for _, h := range r.Headers() {
		fields = append(fields, h.Column+"="+h.Field)
	}
	if got, want := strings.Join(fields, " "), "A= B=ho_ten C=ngay_sinh D=gioi_tinh E=dan_toc F=giua_ky G=cuoi_ky"; got != want {
		t.Errorf("Headers() = %s, want %s", got, want)
	}
	rows := readAll(t, r)
	class := sampleClass()
	if len(rows) != len(class) {
		t.Fatalf("got %d rows, want %d", len(rows), len(class))
	}
	checkNFC(t, rows)
	for i, row := range rows {
		s := class[i]
		if row.Number != 4+i || row.Sheet != "10A1" || row.File != "grades.xlsx" {
			t.Errorf("row %d: got %s/%s row %d, want grades.xlsx/10A1 row %d", i, row.File, row.Sheet, row.Number, 4+i)
		}
		if got := row.Value("ho_ten"); got != s.name {
			t.Errorf("row %d: name %q, want %q", row.Number, got, s.name)
		}
		d, err := row.Date("ngay_sinh")
		if err != nil {
			t.Errorf("row %d: Date: %v", row.Number, err)
		} else if want := wantDate(t, s.dob); d != want {
			t.Errorf("row %d: date %v, want %v", row.Number, d, want)
		}
		if got := row.Value("gioi_tinh"); got != s.gender {
			t.Errorf("row %d: gender %q, want %q", row.Number, got, s.gender)
		}
	}
	// Scores come as the sheet shows them: numbers with a point, text with
	// the comma it was typed with, a "0.00" number as formatted.
	for _, tt := range []struct {
		row         int
		field, want string
	}{
		{4, "giua_ky", "8.5"}, {5, "giua_ky", "8,5"}, {7, "cuoi_ky", "10.00"}, {8, "cuoi_ky", "7,25"}, {14, "giua_ky", "8,5a"},
	} {
		if got := rows[tt.row-4].Value(tt.field); got != tt.want {
			t.Errorf("row %d %s = %q, want %q", tt.row, tt.field, got, tt.want)
		}
	}
}

func TestRawValues(t *testing.T) {
	r := openFixture(t, "grades.xlsx", Options{Match: gradeMatch, RawValues: true})
	rows := readAll(t, r)
	// A date cell is its serial day number; Row.Date reads it all the same.
	serial := rows[0].Value("ngay_sinh")
	if !isSerial(serial) {
		t.Errorf("raw date cell = %q, want a serial day number", serial)
	}
	for i, row := range rows[:2] {
		d, err := row.Date("ngay_sinh")
		if want := wantDate(t, sampleClass()[i].dob); err != nil || d != want {
			t.Errorf("row %d: Date = %v, %v; want %v", row.Number, d, err, want)
		}
	}
	if got := rows[3].Value("cuoi_ky"); got != "10" {
		t.Errorf("raw number with a 0.00 format = %q, want %q", got, "10")
	}
}

var errNotScore = errors.New("not a score")

func TestRowErrorf(t *testing.T) {
	r := openFixture(t, "grades.xlsx", Options{Match: gradeMatch})
	var bad *CellError
	for row, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		if v := row.Value("giua_ky"); strings.ContainsAny(v, "abcdefghijklmnopqrstuvwxyz") {
			bad = row.Errorf("giua_ky", "is not a score: %w", errNotScore)
		}
	}
	if bad == nil {
		t.Fatal("the bad score was not found")
	}
	if bad.Row != 14 || bad.Column != "F" || bad.Header != "Giữa kỳ" || bad.Sheet != "10A1" ||
		bad.File != "grades.xlsx" || bad.Value != "8,5a" || bad.Reason != ReasonInvalidValue {
		t.Errorf("got %+v, want grades.xlsx 10A1 row 14 column F (Giữa kỳ) value 8,5a", bad)
	}
	if !errors.Is(bad, errNotScore) || !errors.Is(bad, ErrInvalidRow) || errors.Is(bad, ErrInvalidFile) {
		t.Errorf("errors.Is: got notScore=%v invalidRow=%v invalidFile=%v, want true true false",
			errors.Is(bad, errNotScore), errors.Is(bad, ErrInvalidRow), errors.Is(bad, ErrInvalidFile))
	}
	// The message format is part of the contract: location first.
	want := `grades.xlsx sheet "10A1" row 14 column F ("Giữa kỳ"): "8,5a" is not a score: not a score`
	if got := bad.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestRowDateError(t *testing.T) {
	data := []byte("Họ và tên,Ngày sinh\nAn,31/02/2008\nBình,12/13/2008\n")
	r, err := openBytes(t, "x.csv", data, Options{Match: gradeMatch})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range readAll(t, r) {
		_, err := row.Date("ngay_sinh")
		if !HasReason(err, ReasonNotDate) || !errors.Is(err, ErrNotDate) {
			t.Errorf("row %d: got %v, want ReasonNotDate wrapping ErrNotDate", row.Number, err)
		}
		var ce *CellError
		if errors.As(err, &ce) && (ce.Column != "B" || ce.Header != "Ngày sinh") {
			t.Errorf("row %d: located at column %s (%q), want B (Ngày sinh)", row.Number, ce.Column, ce.Header)
		}
	}
}

// book builds an .xlsx in memory.
func book(t testing.TB, build func(f *excelize.File)) []byte {
	f := newBook(t)
	build(f)
	return save(t, f)
}

func setRows(t testing.TB, f *excelize.File, sheet string, rows ...[]any) {
	for i, r := range rows {
		row := r
		must(t, f.SetSheetRow(sheet, cellName(1, i+1), &row))
	}
}

// rewritePart returns the .xlsx data with one part's content replaced.
func rewritePart(t testing.TB, data []byte, part string, edit func([]byte) []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	must(t, err)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	found := false
	for _, f := range zr.File {
		rc, err := f.Open()
		must(t, err)
		b, err := io.ReadAll(rc)
		must(t, err)
		rc.Close()
		if f.Name == part {
			b, found = edit(b), true
		}
		w, err := zw.Create(f.Name)
		must(t, err)
		_, err = w.Write(b)
		must(t, err)
	}
	must(t, zw.Close())
	if !found {
		t.Fatalf("no part %s", part)
	}
	return out.Bytes()
}

func TestOpenErrors(t *testing.T) {
	simple := book(t, func(f *excelize.File) {
		setRows(t, f, "Sheet1", []any{"Họ và tên", "Ngày sinh"}, []any{"Nguyễn Văn An", "01/02/2008"})
	})
	bomb := book(t, func(f *excelize.File) {
		setRows(t, f, "Sheet1", []any{"Họ và tên"})
		long := strings.Repeat("a", 30000)
		for i := 2; i < 100; i++ {
			must(t, f.SetCellStr("Sheet1", cellName(1, i), long+itoa(i))) // distinct: not shared
		}
	})
	headerOnly := book(t, func(f *excelize.File) {
		setRows(t, f, "Sheet1", []any{"Họ và tên", "Ngày sinh"})
	})
	brokenXML := rewritePart(t, simple, "xl/worksheets/sheet1.xml", func(b []byte) []byte {
		return b[:bytes.Index(b, []byte("<sheetData>"))+40]
	})
	// Cut after the first row: every tag is complete, but the document is
	// not, and excelize's iterator would end there without a word.
	truncatedXML := rewritePart(t, simple, "xl/worksheets/sheet1.xml", func(b []byte) []byte {
		return b[:bytes.Index(b, []byte("</row>"))+len("</row>")]
	})
	ole := append(append([]byte(nil), oleMagic...), make([]byte, 600)...)

	tests := []struct {
		name   string
		file   string
		data   []byte
		opts   Options
		reason Reason
		check  func(t *testing.T, e *CellError)
	}{
		{name: "merged header", file: "merged-header.xlsx", reason: ReasonMergedHeader,
			check: func(t *testing.T, e *CellError) {
				if e.Range != "C1:D1" || e.Sheet != "10A2" || e.Row != 1 {
					t.Errorf("got sheet %q row %d range %q, want 10A2 row 1 C1:D1", e.Sheet, e.Row, e.Range)
				}
			}},
		{name: "empty workbook", file: "empty.xlsx", reason: ReasonEmpty},
		{name: "empty sheet by name", file: "empty.xlsx", opts: Options{Sheet: "Sheet2"}, reason: ReasonEmpty,
			check: func(t *testing.T, e *CellError) {
				if e.Sheet != "Sheet2" {
					t.Errorf("got sheet %q, want Sheet2", e.Sheet)
				}
			}},
		{name: "no such sheet", file: "grades.xlsx", opts: Options{Sheet: "10A9"}, reason: ReasonNoSheet},
		{name: "tcvn3 sheet", file: "tcvn3.xlsx", opts: Options{Match: gradeMatch}, reason: ReasonLegacyEncoding,
			check: legacyCheck(TCVN3, "B", "Họ và tên")},
		{name: "vni sheet", file: "vni.xlsx", opts: Options{Match: gradeMatch}, reason: ReasonLegacyEncoding,
			check: legacyCheck(VNI, "B", "Họ và tên")},
		{name: "tcvn3 csv", file: "tcvn3.csv", opts: Options{Match: gradeMatch}, reason: ReasonLegacyEncoding,
			check: legacyCheck(TCVN3, "B", "Họ và tên")},
		{name: "vni csv", file: "vni.csv", opts: Options{Match: gradeMatch}, reason: ReasonLegacyEncoding,
			check: legacyCheck(VNI, "B", "Họ và tên")},
		{name: "windows-1258 csv", file: "windows-1258.csv", opts: Options{Match: gradeMatch}, reason: ReasonLegacyEncoding,
			check: legacyCheck(Windows1258, "B", "Họ và tên")},
		{name: "latin-1 csv", file: "latin1.csv", reason: ReasonUnknownEncoding,
			check: func(t *testing.T, e *CellError) {
				if e.Row != 1 || e.Column != "B" {
					t.Errorf("got row %d column %q, want row 1 column B (the first bytes that are not UTF-8)", e.Row, e.Column)
				}
			}},
		{name: "missing column", file: "grades.xlsx", opts: Options{Match: gradeMatch, Required: []string{"ho_ten", "ma_hs"}},
			reason: ReasonMissingColumns, check: func(t *testing.T, e *CellError) {
				if len(e.Columns) != 1 || e.Columns[0] != "ma_hs" || e.Row != 3 {
					t.Errorf("got columns %q at row %d, want [ma_hs] at row 3", e.Columns, e.Row)
				}
			}},
		{name: "unknown column", file: "grades.xlsx", opts: Options{Match: func(h string) (string, bool) {
			if FoldHeader(h) == "dan_toc" {
				return "", false
			}
			return gradeMatch(h)
		}}, reason: ReasonUnknownColumns},
		{name: "duplicate column", data: []byte("Họ tên;Họ và tên\nAn;An\n"), file: "dup.csv",
			opts: Options{Match: gradeMatch}, reason: ReasonDuplicateColumn},
		{name: "header only xlsx", data: headerOnly, file: "h.xlsx", reason: ReasonNoRows},
		{name: "header only csv", data: []byte("Họ và tên,Ngày sinh\r\n\r\n"), file: "h.csv", reason: ReasonNoRows},
		{name: "empty csv", data: []byte("\xEF\xBB\xBF\r\n  \r\n"), file: "e.csv", reason: ReasonEmpty},
		{name: "header row beyond the data", data: simple, file: "s.xlsx", opts: Options{HeaderRow: 9}, reason: ReasonEmpty},
		{name: "blank header row", file: "grades.xlsx", opts: Options{HeaderRow: 2}, reason: ReasonEmpty},
		{name: "xls", data: ole, file: "old.xls", reason: ReasonUnsupported},
		{name: "encrypted xlsx", data: ole, file: "secret.xlsx", reason: ReasonUnsupported},
		{name: "xls by name", data: []byte("whatever"), file: "old.xls", reason: ReasonUnsupported},
		{name: "not a zip", data: []byte("PK\x03\x04 not really"), file: "x.xlsx", reason: ReasonMalformed},
		{name: "broken sheet xml", data: brokenXML, file: "b.xlsx", reason: ReasonMalformed},
		{name: "truncated sheet xml", data: truncatedXML, file: "b.xlsx", reason: ReasonMalformed},
		{name: "csv too large", data: bytes.Repeat([]byte("a,b\n"), 1000), file: "big.csv",
			opts: Options{MaxSize: 1000}, reason: ReasonTooLarge},
		{name: "xlsx too large", data: simple, file: "big.xlsx", opts: Options{MaxSize: 1000}, reason: ReasonTooLarge},
		{name: "zip bomb", data: bomb, file: "bomb.xlsx", opts: Options{MaxUnpackedSize: 1 << 20}, reason: ReasonTooLarge},
		{name: "bad csv quotes", data: []byte("a,b\n\"x,y\n1,2\n"), file: "q.csv", reason: ReasonMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data
			if data == nil {
				data = readFixture(t, tt.file)
			}
			_, err := openBytes(t, tt.file, data, tt.opts)
			if !HasReason(err, tt.reason) {
				t.Fatalf("got %v, want reason %v", err, tt.reason)
			}
			if !errors.Is(err, ErrInvalidFile) {
				t.Errorf("errors.Is(err, ErrInvalidFile) = false for %v", err)
			}
			var ce *CellError
			var list Errors
			switch {
			case errors.As(err, &list):
				ce = list[0]
			case !errors.As(err, &ce):
				t.Fatalf("got %T, want *CellError or Errors", err)
			}
			if ce.File != tt.file {
				t.Errorf("File = %q, want %q", ce.File, tt.file)
			}
			if tt.check != nil {
				tt.check(t, ce)
			}
		})
	}
}

func legacyCheck(enc Encoding, column, header string) func(t *testing.T, e *CellError) {
	return func(t *testing.T, e *CellError) {
		if e.Encoding != enc || e.Column != column || e.Header != header {
			t.Errorf("got %v column %q (%q), want %v column %q (%q)", e.Encoding, e.Column, e.Header, enc, column, header)
		}
		if !strings.Contains(e.Detail, "Nguyễn") {
			t.Errorf("Detail %q does not show a converted example", e.Detail)
		}
	}
}

func TestLegacyErrorsNameEveryColumn(t *testing.T) {
	_, err := openBytes(t, "tcvn3.xlsx", readFixture(t, "tcvn3.xlsx"), Options{Match: gradeMatch})
	var list Errors
	if !errors.As(err, &list) {
		t.Fatalf("got %v, want Errors", err)
	}
	var cols []string
	for _, e := range list {
		cols = append(cols, e.Column)
	}
	// Every text column, including the score columns whose only text is
	// their heading, which the rest of the sheet decides.
	if got, want := strings.Join(cols, ""), "BCDEFG"; got != want {
		t.Errorf("columns refused: %s, want %s", got, want)
	}
}

func TestConvertLegacy(t *testing.T) {
	tests := []struct {
		file string
		enc  Encoding
		n    int
	}{
		{"tcvn3.xlsx", TCVN3, 8},
		{"vni.xlsx", VNI, 8},
		{"tcvn3.csv", TCVN3, 8},
		{"vni.csv", VNI, 8},
		{"windows-1258.csv", Windows1258, 8},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := openFixture(t, tt.file, Options{Match: gradeMatch, ConvertLegacy: true,
				Required: []string{"ho_ten", "ngay_sinh", "gioi_tinh", "dan_toc", "giua_ky", "cuoi_ky"}})
			rows := readAll(t, r)
			if len(rows) != tt.n {
				t.Fatalf("got %d rows, want %d", len(rows), tt.n)
			}
			checkNFC(t, rows)
			for i, row := range rows {
				s := sampleClass()[i]
				for field, want := range map[string]string{"ho_ten": s.name, "gioi_tinh": s.gender, "dan_toc": s.ethnicity} {
					if got := row.Value(field); got != want {
						t.Errorf("row %d %s = %q, want %q", row.Number, field, got, want)
					}
				}
			}
			ws := r.Warnings()
			if len(ws) == 0 {
				t.Fatal("no warning about the conversion")
			}
			for _, w := range ws {
				if w.Encoding != tt.enc {
					t.Errorf("warning %v names %v, want %v", w, w.Encoding, tt.enc)
				}
			}
		})
	}
}

func TestCSVRowNumbers(t *testing.T) {
	r := openFixture(t, "grades-semicolon.csv", Options{Match: gradeMatch})
	rows := readAll(t, r)
	var got []int
	for _, row := range rows {
		got = append(got, row.Number)
	}
	// Row 4 spans two lines, row 6 is blank: numbered as a spreadsheet
	// shows them.
	if want := []int{2, 3, 4, 5, 7, 8}; !equalInts(got, want) {
		t.Errorf("row numbers %v, want %v", got, want)
	}
	if got := rows[0].Value("giua_ky"); got != "8,5" {
		t.Errorf("score = %q, want %q", got, "8,5")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCSVVariants(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want [][]string // rows of values
		nums []int
	}{
		{"sep line", []byte("sep=;\r\nHọ và tên;Giữa kỳ\r\nAn;8,5\r\n"), [][]string{{"An", "8,5"}}, []int{2}},
		{"tabs", []byte("Họ và tên\tGiữa kỳ\nAn\t8.5\n"), [][]string{{"An", "8.5"}}, []int{2}},
		{"commas with quoted decimal", []byte("Họ và tên,Giữa kỳ\nAn,\"8,5\"\n"), [][]string{{"An", "8,5"}}, []int{2}},
		{"decomposed text", []byte(norm.NFD.String("Họ và tên,Giữa kỳ\nNguyễn Thị Ánh,9\n")),
			[][]string{{"Nguyễn Thị Ánh", "9"}}, []int{2}},
		{"title rows above", []byte("DANH SÁCH LỚP 10A1\n\nHọ và tên,Giữa kỳ\nAn,7\n"), [][]string{{"An", "7"}}, []int{4}},
		{"short row", []byte("Họ và tên,Giữa kỳ,Cuối kỳ\nAn,7\n"), [][]string{{"An", "7", ""}}, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := openBytes(t, "x.csv", tt.data, Options{Match: gradeMatch})
			if err != nil {
				t.Fatal(err)
			}
			rows := readAll(t, r)
			if len(rows) != len(tt.want) {
				t.Fatalf("got %d rows, want %d", len(rows), len(tt.want))
			}
			for i, row := range rows {
				var got []string
				for _, c := range row.Cells {
					got = append(got, c.Value)
				}
				if strings.Join(got, "|") != strings.Join(tt.want[i], "|") || row.Number != tt.nums[i] {
					t.Errorf("row %d = %q, want row %d = %q", row.Number, got, tt.nums[i], tt.want[i])
				}
			}
		})
	}
}

func TestUTF16Text(t *testing.T) {
	r := openFixture(t, "utf16.txt", Options{Match: gradeMatch})
	rows := readAll(t, r)
	if len(rows) != 3 || rows[2].Value("ho_ten") != "Lê Hoàng Đức" {
		t.Fatalf("got %d rows, last name %q; want 3 rows ending with Lê Hoàng Đức", len(rows), rows[len(rows)-1].Value("ho_ten"))
	}
}

func TestOpenReaderAndFile(t *testing.T) {
	for _, name := range []string{"grades.xlsx", "grades-semicolon.csv"} {
		r, err := OpenReader(name, bytes.NewReader(readFixture(t, name)), Options{Match: gradeMatch})
		if err != nil {
			t.Fatalf("OpenReader(%s): %v", name, err)
		}
		n := len(readAll(t, r))
		must(t, r.Close())
		f, err := OpenFile(filepath.Join(fixtureDir, name), Options{Match: gradeMatch})
		if err != nil {
			t.Fatalf("OpenFile(%s): %v", name, err)
		}
		if m := len(readAll(t, f)); m != n || n == 0 {
			t.Errorf("%s: OpenReader read %d rows, OpenFile %d", name, n, m)
		}
		must(t, f.Close())
		must(t, f.Close()) // twice is fine
		if _, err := f.Next(); err == nil {
			t.Errorf("Next after Close: got nil error")
		}
	}
	if _, err := OpenReader("big.xlsx", bytes.NewReader(readFixture(t, "grades.xlsx")), Options{MaxSize: 1000}); !HasReason(err, ReasonTooLarge) {
		t.Errorf("OpenReader over MaxSize: got %v, want ReasonTooLarge", err)
	}
	if _, err := OpenFile(filepath.Join(t.TempDir(), "missing.csv"), Options{}); !HasReason(err, ReasonUnreadable) {
		t.Errorf("OpenFile of a missing file: got %v, want ReasonUnreadable", err)
	}
}

func TestSheetAndHeaderOptions(t *testing.T) {
	r := openFixture(t, "grades.xlsx", Options{Sheet: "10a1", HeaderRow: 3, Match: gradeMatch})
	if r.Sheet() != "10A1" || len(readAll(t, r)) != 12 {
		t.Errorf("Sheet %q: want 10A1 (found regardless of case) with 12 rows", r.Sheet())
	}
	// Without a matcher every heading is a field, named by FoldHeader;
	// the header is the first row with two cells.
	r = openFixture(t, "grades.xlsx", Options{})
	if r.HeaderRow() != 3 {
		t.Errorf("HeaderRow() = %d, want 3", r.HeaderRow())
	}
	row, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if got := row.Value("ho_va_ten"); got != "Nguyễn Văn Nghĩa" {
		t.Errorf("Value(ho_va_ten) = %q, want Nguyễn Văn Nghĩa", got)
	}
	// Unknown headings may be allowed: their cells come without a field.
	r = openFixture(t, "grades.xlsx", Options{AllowUnknownColumns: true, Match: func(h string) (string, bool) {
		if FoldHeader(h) == "ho_va_ten" {
			return "ho_ten", true
		}
		return "", false
	}})
	row, err = r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if len(row.Cells) != 7 || row.Value("ho_ten") != "Nguyễn Văn Nghĩa" {
		t.Errorf("got %d cells, name %q; want 7 cells and the name", len(row.Cells), row.Value("ho_ten"))
	}
}

func TestRowProblemsSkipOneRow(t *testing.T) {
	data := []byte("Họ và tên,Giữa kỳ\nAn,7\nBình,8,stray\nChi,\xff9\nDũng,6\n")
	r, err := openBytes(t, "x.csv", data, Options{Match: gradeMatch, DetectRows: 1})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		row    int
		reason Reason
		column string
	}
	var got []result
	for row, err := range r.All() {
		var ce *CellError
		switch {
		case err == nil:
			got = append(got, result{row: row.Number})
		case errors.As(err, &ce) && errors.Is(err, ErrInvalidRow):
			got = append(got, result{ce.Row, ce.Reason, ce.Column})
		default:
			t.Fatalf("unexpected %v", err)
		}
	}
	want := []result{{row: 2}, {3, ReasonNoHeader, "C"}, {4, ReasonNotUTF8, "B"}, {row: 5}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("result %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestUnheadedColumnInSheet(t *testing.T) {
	data := book(t, func(f *excelize.File) {
		setRows(t, f, "Sheet1", []any{"Họ và tên", nil, "Giữa kỳ"}, []any{"An", nil, 7}, []any{"Bình", "ghi chú", 8})
	})
	r, err := openBytes(t, "x.xlsx", data, Options{Match: gradeMatch})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil {
		t.Fatalf("row 2: %v", err)
	}
	_, err = r.Next()
	var ce *CellError
	if !errors.As(err, &ce) || ce.Reason != ReasonNoHeader || ce.Row != 3 || ce.Column != "B" {
		t.Fatalf("row 3: got %v, want ReasonNoHeader at row 3 column B", err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the bad row: got %v, want io.EOF", err)
	}
}

// TestUTF8CSVWithLegacyText: a CSV saved as UTF-8 from a sheet typed in
// TCVN3 carries the same garbage as the sheet.
func TestUTF8CSVWithLegacyText(t *testing.T) {
	data := []byte("STT,Họ và tên,Giữa kỳ\n1,NguyÔn V¨n NghÜa,8\n2,TrÇn ThÞ B×nh,7\n3,Lª Hoµng Nam,9\n")
	_, err := openBytes(t, "x.csv", data, Options{Match: gradeMatch})
	var ce *CellError
	if !errors.As(err, &ce) || ce.Reason != ReasonLegacyEncoding || ce.Column != "B" || ce.Encoding != TCVN3 {
		t.Fatalf("got %v, want TCVN3 refused in column B", err)
	}
	// The heading of column B is Unicode already and stays as it is.
	r, err := openBytes(t, "x.csv", data, Options{Match: gradeMatch, ConvertLegacy: true})
	if err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, r)
	if got := rows[1].Value("ho_ten"); got != "Trần Thị Bình" {
		t.Errorf("converted name = %q, want Trần Thị Bình", got)
	}
	if got := r.Headers()[1].Text; got != "Họ và tên" {
		t.Errorf("heading = %q, want Họ và tên", got)
	}
}

// TestLegacyBeyondReadAhead: a column with no text in the rows read ahead
// is judged cell by cell, with the rest of the sheet's encoding in mind.
func TestLegacyBeyondReadAhead(t *testing.T) {
	var b strings.Builder
	b.WriteString("Họ và tên,Ghi chú\n")
	for range 5 {
		b.WriteString("Nguyễn Văn An,\n")
	}
	b.WriteString("Trần Thị Bình,ChuyÓn tõ tr\u00adêng NguyÔn HuÖ\n")
	data := []byte(b.String())

	r, err := openBytes(t, "x.csv", data, Options{DetectRows: 3})
	if err != nil {
		t.Fatal(err)
	}
	var last error
	for _, err := range r.All() {
		last = err
	}
	var ce *CellError
	if !errors.As(last, &ce) || ce.Reason != ReasonLegacyEncoding || ce.Row != 7 || ce.Column != "B" {
		t.Fatalf("got %v, want the legacy text refused at row 7 column B", last)
	}
	if _, err := r.Next(); !HasReason(err, ReasonLegacyEncoding) {
		t.Errorf("after a file-level error Next returned %v, want it again", err)
	}

	r, err = openBytes(t, "x.csv", data, Options{DetectRows: 3, ConvertLegacy: true})
	if err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, r)
	if got, want := rows[5].Value("ghi_chu"), "Chuyển từ trường Nguyễn Huệ"; got != want {
		t.Errorf("converted note = %q, want %q", got, want)
	}
	if ws := r.Warnings(); len(ws) != 1 || ws[0].Column != "B" || ws[0].Row != 7 {
		t.Errorf("warnings = %v, want one for column B row 7", ws)
	}
}

func TestHeaderSearchSkipsTitles(t *testing.T) {
	data := book(t, func(f *excelize.File) {
		setRows(t, f, "Sheet1",
			[]any{"TRƯỜNG THPT NGUYỄN DU"},
			[]any{"Lớp: 10A1", "Môn: Toán"},
			[]any{},
			[]any{"STT", "Họ và tên", "Ngày sinh", "Giữa kỳ"},
			[]any{1, "An", "01/02/2008", 7})
		must(t, f.MergeCell("Sheet1", "A1", "D1"))
	})
	r, err := openBytes(t, "x.xlsx", data, Options{Match: gradeMatch})
	if err != nil {
		t.Fatal(err)
	}
	if r.HeaderRow() != 4 {
		t.Errorf("HeaderRow() = %d, want 4", r.HeaderRow())
	}
	rows := readAll(t, r)
	if len(rows) != 1 || rows[0].Number != 5 {
		t.Errorf("got %d rows, want 1 at row 5", len(rows))
	}
}

func TestTempFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "big.xlsx")
	writeBigSheet(t, path, 3000)
	tmp := t.TempDir()
	r, err := OpenFile(path, Options{TempDir: tmp, MaxPartInMemory: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(readAll(t, r)); n != 3000 {
		t.Errorf("read %d rows, want 3000", n)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) == 0 {
		t.Errorf("no temporary file while reading a sheet larger than MaxPartInMemory")
	}
	must(t, r.Close())
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("%d temporary files left after Close", len(entries))
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		e    *CellError
		want string
	}{
		{&CellError{File: "diem.xlsx", Sheet: "10A1", Row: 14, Column: "F", Header: "Giữa kỳ", Value: "8,5a",
			Reason: ReasonInvalidValue, Detail: "is not a score"},
			`diem.xlsx sheet "10A1" row 14 column F ("Giữa kỳ"): "8,5a" is not a score`},
		{&CellError{File: "a.csv", Row: 3, Reason: ReasonMissingColumns, Columns: []string{"ho_ten"}},
			`a.csv row 3: lacks required columns: "ho_ten"`},
		{&CellError{File: "a.xlsx", Sheet: "S", Row: 1, Range: "C1:D1", Column: "C", Reason: ReasonMergedHeader},
			`a.xlsx sheet "S" cells C1:D1: has merged header cells`},
		{&CellError{File: "a.csv", Reason: ReasonUnreadable, Err: io.ErrUnexpectedEOF},
			`a.csv: cannot be read: unexpected EOF`},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	list := Errors{tests[0].e, tests[1].e}
	if !errors.Is(list, ErrInvalidFile) || !errors.Is(list, ErrInvalidRow) || !HasReason(list, ReasonMissingColumns) {
		t.Errorf("Errors does not match its members")
	}
	if strings.Count(list.Error(), "\n") != 2 {
		t.Errorf("Errors.Error() = %q, want a line per problem", list.Error())
	}
}
