package tabular

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"
)

// The fixtures in testdata/tabular are written by this file:
//
//	go test ./tabular -run TestFixtures -update
//
// TestFixtures checks that the files on disk still hold what the generator
// makes, cell for cell. The 10,000-row workbook is not checked in (it is
// large and generated in a second); tests build it in a temporary directory.

var update = flag.Bool("update", false, "rewrite the fixtures in testdata/tabular")

const fixtureDir = "../testdata/tabular"

// student is one line of the sample class. The names carry every tone
// mark, Đ/đ, ĩ and ư/ơ.
type student struct {
	name, dob, gender, ethnicity string
	mid, final                   any // a number, or text as typed
}

func sampleClass() []student {
	return []student{
		{"Nguyễn Văn Nghĩa", "12/03/2008", "Nam", "Kinh", 8.5, 9},
		{"Trần Thị Bích Ngọc", "05/11/2008", "Nữ", "Kinh", "8,5", 7.5},
		{"Lê Hoàng Đức", "5/9/2008", "Nam", "Tày", 6, 6.5},
		{"Phạm Thị Huỳnh Như", "28/02/2008", "Nữ", "Kinh", 9.5, 10},
		{"Võ Minh Trường", "01/01/2008", "Nam", "Hoa", 7, "7,25"},
		{"Đặng Thị Mỹ Duyên", "17/06/2008", "Nữ", "Kinh", 5.5, 6},
		{"Huỳnh Tấn Phát", "30/04/2008", "Nam", "Khmer", 4, 5},
		{"Bùi Thị Thu Hà", "19/08/2008", "Nữ", "Kinh", 8, 8.5},
		{"Đỗ Quốc Khánh", "02/09/2008", "Nam", "Kinh", 9, 9.5},
		{"Hồ Thị Kim Ngân", "14/02/2008", "Nữ", "Mường", 7.5, 8},
		{"Dương Văn Lĩnh", "21/12/2008", "Nam", "Kinh", "8,5a", 7},
		{"Ngô Thị Ánh Tuyết", "09/10/2008", "Nữ", "Kinh", 6.5, 7.5},
	}
}

// The same students, typed by hand as old spreadsheets hold them: TCVN3
// and VNI through Windows-1252 (what .xlsx keeps), only the first eight.
var (
	tcvn3Header = []string{"STT", "Hä vµ tªn", "Ngµy sinh", "Giíi tÝnh", "D©n téc", "Gi÷a kú", "Cuèi kú"}
	tcvn3Names  = []string{"NguyÔn V¨n NghÜa", "TrÇn ThÞ BÝch Ngäc", "Lª Hoµng §øc", "Ph¹m ThÞ Huúnh Nh\u00ad",
		"Vâ Minh Tr\u00adêng", "§Æng ThÞ Mü Duyªn", "Huúnh TÊn Ph¸t", "Bïi ThÞ Thu Hµ"}
	tcvn3Gender = map[string]string{"Nam": "Nam", "Nữ": "N÷"}
	tcvn3Ethnic = map[string]string{"Kinh": "Kinh", "Tày": "Tµy", "Hoa": "Hoa", "Khmer": "Khmer"}

	vniHeader = []string{"STT", "Hoï vaø teân", "Ngaøy sinh", "Giôùi tính", "Daân toäc", "Giöõa kyø", "Cuoái kyø"}
	vniNames  = []string{"Nguyeãn Vaên Nghóa", "Traàn Thò Bích Ngoïc", "Leâ Hoaøng Ñöùc", "Phaïm Thò Huyønh Nhö",
		"Voõ Minh Tröôøng", "Ñaëng Thò Myõ Duyeân", "Huyønh Taán Phaùt", "Buøi Thò Thu Haø"}
	vniGender = map[string]string{"Nam": "Nam", "Nữ": "Nöõ"}
	vniEthnic = map[string]string{"Kinh": "Kinh", "Tày": "Taøy", "Hoa": "Hoa", "Khmer": "Khmer"}
)

var unicodeHeader = []string{"STT", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Giữa kỳ", "Cuối kỳ"}

// fixtures returns every checked-in fixture by file name.
func fixtures(t testing.TB) map[string][]byte {
	return map[string][]byte{
		"grades.xlsx":          gradesXLSX(t),
		"merged-header.xlsx":   mergedHeaderXLSX(t),
		"tcvn3.xlsx":           legacyXLSX(t, "10A3", tcvn3Header, tcvn3Names, tcvn3Gender, tcvn3Ethnic),
		"vni.xlsx":             legacyXLSX(t, "10A4", vniHeader, vniNames, vniGender, vniEthnic),
		"empty.xlsx":           emptyXLSX(t),
		"grades-semicolon.csv": gradesCSV(),
		"tcvn3.csv":            legacyCSV(t, tcvn3Header, tcvn3Names, tcvn3Gender, tcvn3Ethnic),
		"vni.csv":              legacyCSV(t, vniHeader, vniNames, vniGender, vniEthnic),
		"windows-1258.csv":     windows1258CSV(t),
		"latin1.csv":           []byte("Nom;Pr\xe9nom;Ville\nM\xfcller;Jos\xe9;Z\xfcrich\nGar\xe7on;Fran\xe7ois;S\xe8te\n"),
		"utf16.txt":            utf16Text(t),
	}
}

func newBook(t testing.TB) *excelize.File {
	f := excelize.NewFile()
	// Fixed properties, so that regenerating changes nothing that matters.
	fixed := "2024-09-05T00:00:00Z"
	if err := f.SetDocProps(&excelize.DocProperties{Created: fixed, Modified: fixed, Creator: "kyso tests"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func save(t testing.TB, f *excelize.File) []byte {
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func cellName(col, row int) string {
	n, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		panic(err)
	}
	return n
}

// excelSerial returns the 1900-system day number of a dd/mm/yyyy date.
func excelSerial(t testing.TB, s string) int {
	d, err := time.Parse("2/1/2006", s)
	if err != nil {
		t.Fatal(err)
	}
	return int(d.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

// gradesXLSX is a class gradebook as a school keeps it: an empty first
// sheet, a hidden sheet, then "10A1" with a merged title, a blank row, the
// header in row 3 and twelve students in rows 4–15. Dates are a real date
// cell (built-in format 14), a custom dd/mm/yyyy cell and text; scores are
// numbers, numbers with a "0.0" format and text with a decimal comma; one
// name is stored decomposed (NFD). Row 14 column F holds "8,5a".
func gradesXLSX(t testing.TB) []byte {
	f := newBook(t)
	must(t, f.SetSheetName("Sheet1", "Ghi chú"))
	_, err := f.NewSheet("Danh mục")
	must(t, err)
	must(t, f.SetCellValue("Danh mục", "A1", "Mã dân tộc"))
	must(t, f.SetSheetVisible("Danh mục", false))
	const sh = "10A1"
	_, err = f.NewSheet(sh)
	must(t, err)
	must(t, f.SetCellValue(sh, "A1", "SỔ ĐIỂM LỚP 10A1 — MÔN TOÁN — HỌC KỲ I"))
	must(t, f.MergeCell(sh, "A1", "G1"))
	for i, h := range unicodeHeader {
		must(t, f.SetCellValue(sh, cellName(i+1, 3), h))
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(t, err)
	custom := "dd/mm/yyyy"
	customStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &custom})
	must(t, err)
	twoDecimals, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // "0.00"
	must(t, err)
	for i, s := range sampleClass() {
		row := 4 + i
		name := s.name
		if i == 4 {
			name = norm.NFD.String(name)
		}
		must(t, f.SetCellValue(sh, cellName(1, row), i+1))
		must(t, f.SetCellValue(sh, cellName(2, row), name))
		switch i {
		case 0:
			must(t, f.SetCellValue(sh, cellName(3, row), excelSerial(t, s.dob)))
			must(t, f.SetCellStyle(sh, cellName(3, row), cellName(3, row), dateStyle))
		case 1:
			must(t, f.SetCellValue(sh, cellName(3, row), excelSerial(t, s.dob)))
			must(t, f.SetCellStyle(sh, cellName(3, row), cellName(3, row), customStyle))
		default:
			must(t, f.SetCellStr(sh, cellName(3, row), s.dob))
		}
		must(t, f.SetCellValue(sh, cellName(4, row), s.gender))
		must(t, f.SetCellValue(sh, cellName(5, row), s.ethnicity))
		must(t, f.SetCellValue(sh, cellName(6, row), s.mid))
		must(t, f.SetCellValue(sh, cellName(7, row), s.final))
		if i == 3 {
			must(t, f.SetCellStyle(sh, cellName(7, row), cellName(7, row), twoDecimals))
		}
	}
	idx, err := f.GetSheetIndex(sh)
	must(t, err)
	f.SetActiveSheet(idx)
	return save(t, f)
}

// mergedHeaderXLSX has the two-row header many gradebooks use: "Điểm"
// merged over "Giữa kỳ" and "Cuối kỳ", and "Họ và tên" merged down.
func mergedHeaderXLSX(t testing.TB) []byte {
	f := newBook(t)
	const sh = "10A2"
	must(t, f.SetSheetName("Sheet1", sh))
	must(t, f.SetSheetRow(sh, "A1", &[]any{"STT", "Họ và tên", "Điểm"}))
	must(t, f.SetSheetRow(sh, "A2", &[]any{nil, nil, "Giữa kỳ", "Cuối kỳ"}))
	must(t, f.MergeCell(sh, "C1", "D1"))
	must(t, f.MergeCell(sh, "B1", "B2"))
	must(t, f.SetSheetRow(sh, "A3", &[]any{1, "Nguyễn Văn Nghĩa", 8.5, 9}))
	return save(t, f)
}

// legacyXLSX writes the first eight students with their text typed in a
// legacy encoding.
func legacyXLSX(t testing.TB, sh string, header, names []string, gender, ethnic map[string]string) []byte {
	f := newBook(t)
	must(t, f.SetSheetName("Sheet1", sh))
	row := make([]any, len(header))
	for i, h := range header {
		row[i] = h
	}
	must(t, f.SetSheetRow(sh, "A1", &row))
	for i, s := range sampleClass()[:len(names)] {
		must(t, f.SetSheetRow(sh, cellName(1, i+2), &[]any{
			i + 1, names[i], s.dob, gender[s.gender], ethnic[s.ethnicity], s.mid, s.final}))
	}
	return save(t, f)
}

// emptyXLSX is a workbook whose sheets hold nothing.
func emptyXLSX(t testing.TB) []byte {
	f := newBook(t)
	_, err := f.NewSheet("Sheet2")
	must(t, err)
	return save(t, f)
}

// gradesCSV is the class as Vietnamese-locale Excel saves "CSV UTF-8":
// a byte order mark, semicolons, decimal commas; plus a blank line and a
// quoted cell spanning two lines, which a spreadsheet shows as one row.
func gradesCSV() []byte {
	var b bytes.Buffer
	b.WriteString("\xEF\xBB\xBF")
	b.WriteString("STT;Họ và tên;Ngày sinh;Giới tính;Dân tộc;Giữa kỳ;Cuối kỳ\r\n")
	for i, s := range sampleClass()[:6] {
		name := s.name
		if i == 2 {
			name = "\"Lê Hoàng\nĐức\""
		}
		if i == 4 {
			b.WriteString("\r\n") // a blank row
		}
		fmt.Fprintf(&b, "%d;%s;%s;%s;%s;%s;%s\r\n", i+1, name, s.dob, s.gender, s.ethnicity,
			commaDecimal(s.mid), commaDecimal(s.final))
	}
	return b.Bytes()
}

func commaDecimal(v any) string {
	s := fmt.Sprint(v)
	return string(bytes.ReplaceAll([]byte(s), []byte("."), []byte(",")))
}

// legacyCSV writes the students as a pre-Unicode program saved them: the
// legacy bytes themselves, comma-separated.
func legacyCSV(t testing.TB, header, names []string, gender, ethnic map[string]string) []byte {
	var b bytes.Buffer
	line := func(cells ...string) {
		for i, c := range cells {
			if i > 0 {
				b.WriteByte(',')
			}
			raw, ok := ansiBytes(c, charmap.Windows1252)
			if !ok {
				t.Fatalf("%q is not Windows-1252", c)
			}
			b.Write(raw)
		}
		b.WriteString("\r\n")
	}
	line(header...)
	for i, s := range sampleClass()[:len(names)] {
		line(fmt.Sprint(i+1), names[i], s.dob, gender[s.gender], ethnic[s.ethnicity],
			commaDecimalQuoted(s.mid), commaDecimalQuoted(s.final))
	}
	return b.Bytes()
}

func commaDecimalQuoted(v any) string {
	s := commaDecimal(v)
	if bytes.ContainsRune([]byte(s), ',') {
		return `"` + s + `"`
	}
	return s
}

// to1258 encodes NFC text as Windows-1258 does: letters it has whole
// (ă, ê, ơ, ư, đ ...) as one byte, tones as combining marks after them.
func to1258(t testing.TB, s string) []byte {
	var out []byte
	for _, r := range norm.NFC.String(s) {
		if b, ok := charmap.Windows1258.EncodeRune(r); ok {
			out = append(out, b)
			continue
		}
		var base, tone []rune
		for i, m := range norm.NFD.String(string(r)) {
			switch {
			case i == 0, m == '\u0302', m == '\u0306', m == '\u031B':
				base = append(base, m)
			default:
				tone = append(tone, m)
			}
		}
		for _, p := range []string{norm.NFC.String(string(base)), string(tone)} {
			for _, q := range p {
				b, ok := charmap.Windows1258.EncodeRune(q)
				if !ok {
					t.Fatalf("%q (in %q) has no Windows-1258 byte", q, s)
				}
				out = append(out, b)
			}
		}
	}
	return out
}

func windows1258CSV(t testing.TB) []byte {
	var b bytes.Buffer
	for i, h := range unicodeHeader {
		if i > 0 {
			b.WriteByte(';')
		}
		b.Write(to1258(t, h))
	}
	b.WriteString("\r\n")
	for i, s := range sampleClass()[:8] {
		fmt.Fprintf(&b, "%d;%s;%s;%s;%s;%s;%s\r\n", i+1, to1258(t, s.name), s.dob, to1258(t, s.gender),
			to1258(t, s.ethnicity), commaDecimal(s.mid), commaDecimal(s.final))
	}
	return b.Bytes()
}

// utf16Text is what Excel's "Unicode Text (*.txt)" writes: UTF-16LE with
// a byte order mark, tab-separated.
func utf16Text(t testing.TB) []byte {
	var b bytes.Buffer
	for i, h := range unicodeHeader {
		if i > 0 {
			b.WriteByte('\t')
		}
		b.WriteString(h)
	}
	b.WriteString("\r\n")
	for i, s := range sampleClass()[:3] {
		fmt.Fprintf(&b, "%d\t%s\t%s\t%s\t%s\t%v\t%v\r\n", i+1, s.name, s.dob, s.gender, s.ethnicity, s.mid, s.final)
	}
	out, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(b.Bytes())
	must(t, err)
	return out
}

// readFixture returns a checked-in fixture.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatalf("%v (regenerate with: go test ./tabular -run TestFixtures -update)", err)
	}
	return b
}

// TestFixtures rewrites the fixtures with -update, and otherwise checks the
// files on disk against the generator: CSV byte for byte, .xlsx cell for
// cell and merge for merge on every sheet.
func TestFixtures(t *testing.T) {
	for name, want := range fixtures(t) {
		path := filepath.Join(fixtureDir, name)
		if *update {
			must(t, os.MkdirAll(fixtureDir, 0o755))
			must(t, os.WriteFile(path, want, 0o644))
			continue
		}
		got := readFixture(t, name)
		if filepath.Ext(name) != ".xlsx" {
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from its generator; run go test ./tabular -run TestFixtures -update", name)
			}
			continue
		}
		if g, w := xlsxContent(t, got), xlsxContent(t, want); g != w {
			t.Errorf("%s differs from its generator; run go test ./tabular -run TestFixtures -update\ngot:\n%s\nwant:\n%s", name, g, w)
		}
	}
}

// xlsxContent lists every sheet's visibility, merges and raw cells.
func xlsxContent(t testing.TB, data []byte) string {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	must(t, err)
	defer f.Close()
	var b bytes.Buffer
	for _, sh := range f.GetSheetList() {
		vis, err := f.GetSheetVisible(sh)
		must(t, err)
		fmt.Fprintf(&b, "sheet %q visible=%v\n", sh, vis)
		merges, err := f.GetMergeCells(sh)
		must(t, err)
		for _, m := range merges {
			fmt.Fprintf(&b, "  merge %s:%s\n", m.GetStartAxis(), m.GetEndAxis())
		}
		rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
		must(t, err)
		for i, r := range rows {
			fmt.Fprintf(&b, "  %d %q\n", i+1, r)
		}
	}
	return b.String()
}
