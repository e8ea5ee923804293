package templates

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/kyso-vn/kyso/tabular"
)

// classTranscripts returns the học bạ of the first n students of the sample class.
func classTranscripts(t testing.TB, n int) []Transcript {
	t.Helper()
	out := make([]Transcript, n)
	for i := range out {
		out[i] = sampleTranscript(t, i)
	}
	return out
}

func ptrs(ts []Transcript) []*Transcript {
	out := make([]*Transcript, len(ts))
	for i := range ts {
		out[i] = &ts[i]
	}
	return out
}

// transcriptRows returns transcripts as WriteTranscriptsCSV lays them out:
// the header (column names) then one row per student and subject, after
// edit may change a row (row 0 is the header).
func transcriptRows(t testing.TB, edit func(row int, cells []string), ts ...*Transcript) [][]string {
	t.Helper()
	data, err := TranscriptsCSV(ts...)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		for i, r := range rows {
			edit(i, r)
		}
	}
	return rows
}

// hbSheet is the sheet transcriptWorkbook writes.
const hbSheet = "10A1"

// transcriptWorkbook writes rows as a one-sheet workbook, every cell as
// text, with the Vietnamese headings when the header holds column names.
func transcriptWorkbook(t testing.TB, rows [][]string, after func(sw *excelize.StreamWriter)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", hbSheet); err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter(hbSheet)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for i, c := range TranscriptCSVColumns() {
		names[c] = transcriptXLSXHeadings()[i]
	}
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, c := range r {
			if h, ok := names[c]; ok && i == 0 {
				c = h
			}
			if c != "" {
				cells[j] = c
			}
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", i+1), cells); err != nil {
			t.Fatal(err)
		}
	}
	if after != nil {
		after(sw)
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// hbCSV writes rows as CSV.
func hbCSV(t testing.TB, rows [][]string, comma rune, crlf bool) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma, w.UseCRLF = comma, crlf
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// hbCol returns the 0-based index of a học bạ column.
func hbCol(t testing.TB, field string) int {
	t.Helper()
	for i, c := range TranscriptCSVColumns() {
		if c == field {
			return i
		}
	}
	t.Fatalf("no column %q", field)
	return -1
}

func hbLetter(t testing.TB, field string) string { return tabular.ColumnLetter(hbCol(t, field)) }

// jsonSample encodes v as the JSON samples are written.
func jsonSample(t testing.TB, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// diplomaXLSXHeadings are the headings of testdata/samples/diplomas.xlsx, in
// the order of DiplomaCSVColumns, after an STT column.
func diplomaXLSXHeadings() []string {
	return []string{"Họ và tên", "Ngày sinh", "Nơi sinh", "Giới tính", "Dân tộc", "Học sinh trường", "Năm tốt nghiệp",
		"Sở GD&ĐT", "Nơi cấp", "Ngày cấp", "Số hiệu", "Số vào sổ cấp bằng", "Chức danh người ký", "Người ký"}
}

// diplomasWorkbook writes diplomas as a school's export: sheet "Danh sách",
// STT then the Vietnamese headings, dates as text, the year as a number.
func diplomasWorkbook(t testing.TB, ds []Diploma) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Danh sách"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		t.Fatal(err)
	}
	head := []any{"STT"}
	for _, h := range diplomaXLSXHeadings() {
		head = append(head, h)
	}
	if err := sw.SetRow("A1", head); err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		row := []any{i + 1, d.FullName, d.DateOfBirth.String(), d.PlaceOfBirth, d.Gender, d.Ethnicity, d.School,
			d.GraduationYear, d.IssuingAuthority, d.IssuePlace, d.IssueDate.String(), d.Serial, d.RegisterNumber,
			d.SignerTitle, d.SignerName}
		if err := sw.SetRow(fmt.Sprintf("A%d", i+2), row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// classSamples builds the class-wide files of testdata/samples: the học bạ
// of the whole sample class as CSV, .xlsx and a JSON array, and the
// SampleClassSize graduates of SampleGraduates as CSV, JSON and .xlsx.
func classSamples(t testing.TB) map[string][]byte {
	t.Helper()
	class := ptrs(classTranscripts(t, SampleClassSize))
	hbCSV, err := TranscriptsCSV(class...)
	if err != nil {
		t.Fatal(err)
	}
	var hbXLSX bytes.Buffer
	if err := WriteTranscriptsXLSX(&hbXLSX, class...); err != nil {
		t.Fatal(err)
	}
	grads := SampleGraduates(SampleClassSize)
	dCSV, err := DiplomasCSV(grads)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"hocba_10A1.csv":  hbCSV,
		"hocba_10A1.xlsx": hbXLSX.Bytes(),
		"hocba_10A1.json": jsonSample(t, class),
		"diplomas.csv":    dCSV,
		"diplomas.json": jsonSample(t, struct {
			Diplomas []Diploma `json:"diplomas"`
		}{grads}),
		"diplomas.xlsx": diplomasWorkbook(t, grads),
	}
}

// TestClassSampleFiles checks that the class-wide files in testdata/samples
// are what the generators make, the same on every run; with -update it
// writes them.
func TestClassSampleFiles(t *testing.T) {
	want, again := classSamples(t), classSamples(t)
	for name, data := range want {
		if !bytes.Equal(data, again[name]) {
			t.Fatalf("two runs of the generator differ for %s", name)
		}
		path := filepath.Join(sampleDir, name)
		if *update {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./templates -run TestClassSampleFiles -update)", err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s differs from the generator's output (run go test ./templates -run TestClassSampleFiles -update)", path)
		}
	}
}

// TestSampleFilesDecode reads every file in testdata/samples with the
// reader of its kind and checks it holds exactly the generator's documents:
// a file added without a kind here fails.
func TestSampleFilesDecode(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(sampleDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	class := classTranscripts(t, SampleClassSize)
	book := sampleGradebook(t, SampleClassSize, TermI, "Toán")
	grads := SampleGraduates(SampleClassSize)
	kinds := map[string]int{}
	for _, p := range paths {
		name := filepath.Base(p)
		if name == "README.md" || strings.HasSuffix(name, ".sha256") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var got, want any
			switch {
			case strings.HasPrefix(name, "hocba_10A1."):
				got, err = ReadTranscripts(name, bytes.NewReader(data))
				want = class
			case strings.HasPrefix(name, "hocba."):
				got, err = ReadTranscripts(name, bytes.NewReader(data))
				want = class[:1]
			case strings.HasPrefix(name, "gradebook."):
				got, err = ReadGradebooks(name, bytes.NewReader(data))
				want = []Gradebook{book}
			case strings.HasPrefix(name, "diplomas."):
				var rows []DiplomaRow
				rows, err = ReadDiplomas(name, bytes.NewReader(data))
				var ds []Diploma
				for _, r := range rows {
					ds = append(ds, r.Diploma)
				}
				got, want = ds, grads
			default:
				t.Fatalf("no reader for sample %s: add its kind to this test", name)
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s does not read back as the generator's documents", name)
			}
			kinds[strings.SplitN(name, ".", 2)[0]]++
		})
	}
	for _, k := range []string{"hocba_10A1", "gradebook", "diplomas"} {
		if kinds[k] != 3 {
			t.Errorf("%s: %d formats read, want JSON, CSV and .xlsx", k, kinds[k])
		}
	}
}

// TestSampleReadmeDocumentsTranscriptColumns: the README names every học bạ
// column.
func TestSampleReadmeDocumentsTranscriptColumns(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(sampleDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range TranscriptCSVColumns() {
		if !bytes.Contains(readme, []byte("`"+c+"`")) {
			t.Errorf("README.md does not document the column %q", c)
		}
	}
	for _, h := range transcriptXLSXHeadings() {
		if !bytes.Contains(readme, []byte(h)) {
			t.Errorf("README.md does not show the heading %q", h)
		}
	}
	// Every heading the README's table lists reads as its column.
	match := transcriptHeaderMatcher()
	rows := 0
	for _, line := range strings.Split(string(readme), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 6 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		field := strings.Trim(strings.TrimSpace(cells[1]), "`")
		if !slices.Contains(TranscriptCSVColumns(), field) {
			continue // another table
		}
		rows++
		for _, h := range append([]string{cells[2]}, strings.Split(cells[3], ",")...) {
			if h = strings.TrimSpace(h); h == "" || strings.HasPrefix(h, "as for") {
				continue
			}
			if got, ok := match(h); !ok || got != field {
				t.Errorf("README.md lists %q for %s; it reads as (%q, %v)", h, field, got, ok)
			}
		}
	}
	if rows != len(TranscriptCSVColumns()) {
		t.Errorf("README.md's học bạ table has %d rows, want %d", rows, len(TranscriptCSVColumns()))
	}
}

// TestTranscriptHeadings: every heading the writer uses, and the common
// variants, map to the right column, and headings that name no column are
// unknown.
func TestTranscriptHeadings(t *testing.T) {
	match := transcriptHeaderMatcher()
	for i, h := range transcriptXLSXHeadings() {
		want := TranscriptCSVColumns()[i]
		for _, v := range []string{h, strings.ToUpper(h), foldHeader(h), want} {
			if got, ok := match(v); !ok || got != want {
				t.Errorf("heading %q: got (%q, %v), want %q", v, got, ok, want)
			}
		}
	}
	for h, want := range map[string]string{
		"Họ và tên": "ho_ten", "HO VA TEN": "ho_ten", "Mã định danh": "ma_hs", "ĐTBmhk I": "hk1", "TBM HK2": "hk2",
		"Cả năm": "cn", "ĐTB cả năm": "cn", "Học kì I": "hk1", "Học lực HK I": "hk1_hoc_tap", "Hạnh kiểm cả năm": "cn_ren_luyen",
		"KQRL HK2": "hk2_ren_luyen", "Kết quả học tập sau kiểm tra lại": "hoc_tap_sau_kiem_tra_lai",
		"Giáo viên chủ nhiệm": "gvcn", "Nhận xét của giáo viên chủ nhiệm": "nhan_xet_gvcn", "Số buổi nghỉ": "so_buoi_nghi",
		"Chỗ ở": "cho_o", "STT": "", "Điểm kiểm tra lại": "kiem_tra_lai", "Giáo viên": "giao_vien",
	} {
		if got, ok := match(h); !ok || got != want {
			t.Errorf("heading %q: got (%q, %v), want %q", h, got, ok, want)
		}
	}
	for _, h := range []string{"Nhận xét", "Điểm", "Ghi chú"} {
		if got, ok := match(h); ok {
			t.Errorf("heading %q: got %q, want unknown", h, got)
		}
	}
}

// noDiacritics writes a heading as typed without Vietnamese input, in
// capitals: "Mã học sinh" → "MA HOC SINH".
func noDiacritics(s string) string {
	return strings.ToUpper(strings.ReplaceAll(foldHeader(s), "_", " "))
}

// TestReadTranscriptsFormats: the samples and the ways schools write the
// same class, all reading as the generator's transcripts.
func TestReadTranscriptsFormats(t *testing.T) {
	class := classTranscripts(t, 4)
	ps := ptrs(class)
	weak := sampleTranscript(t, sampleWeak) // re-tests, corrections
	withWeak := []Transcript{class[0], weak}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(sampleDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	plain := transcriptRows(t, nil, ps...)
	headings := func(hs []string) func(int, []string) {
		return func(row int, cells []string) {
			if row == 0 {
				copy(cells, hs)
			}
		}
	}
	var bare []string
	for _, h := range transcriptXLSXHeadings() {
		bare = append(bare, noDiacritics(h))
	}
	alt := append([]string(nil), transcriptXLSXHeadings()...)
	for field, h := range map[string]string{
		"ma_hs": "Mã định danh", "hk1": "ĐTBmhk I", "hk2": "ĐTBmhk II", "cn": "ĐTBmcn", "hk1_hoc_tap": "Học lực HK I",
		"hk1_ren_luyen": "Hạnh kiểm HK I", "cn_ren_luyen": "Hạnh kiểm cả năm", "gvcn": "Giáo viên chủ nhiệm",
		"xet_len_lop": "Xét lên lớp", "cho_o": "Chỗ ở",
	} {
		alt[hbCol(t, field)] = h
	}
	// Student cells only on each student's first row, as merged cells
	// read; no loai_mon column.
	firstOnly := transcriptRows(t, func(row int, cells []string) {
		if row > 0 && (row-1)%len(class[0].Subjects) != 0 {
			for _, f := range hbHeadFields() {
				cells[hbCol(t, f)] = ""
			}
		}
	}, ps...)
	for i := range firstOnly {
		k := hbCol(t, "loai_mon")
		firstOnly[i] = append(firstOnly[i][:k:k], firstOnly[i][k+1:]...)
	}
	comma := transcriptRows(t, func(row int, cells []string) {
		for _, f := range []string{"hk1", "hk2", "cn", "kiem_tra_lai"} {
			cells[hbCol(t, f)] = strings.Replace(cells[hbCol(t, f)], ".", ",", 1)
		}
	}, &withWeak[0], &withWeak[1])
	short := transcriptRows(t, func(row int, cells []string) {
		for _, f := range []string{"hk1", "hk2", "cn", "kiem_tra_lai"} {
			switch cells[hbCol(t, f)] {
			case "Đạt":
				cells[hbCol(t, f)] = "Đ"
			case "Chưa đạt":
				cells[hbCol(t, f)] = "CĐ"
			}
		}
	}, &withWeak[0], &withWeak[1])
	// Optional columns left out: nobody has a title, re-test or award.
	optional := []string{"loai_mon", "kiem_tra_lai", "hoc_tap_sau_kiem_tra_lai", "ren_luyen_sau_he", "xet_len_lop_sau",
		"danh_hieu", "khen_thuong", "so_cho_sua", "mon_sua_chua"}
	var plainStudents []Transcript
	for i := 0; len(plainStudents) < 2; i++ {
		if tr := sampleTranscript(t, i); tr.Title == "" && len(tr.Awards) == 0 && tr.Corrections == 0 && tr.Promotion == PromotionUp {
			plainStudents = append(plainStudents, tr)
		}
	}
	lean := transcriptRows(t, nil, &plainStudents[0], &plainStudents[1])
	for _, f := range optional {
		k := -1
		for j, c := range lean[0] {
			if c == f {
				k = j
			}
		}
		for i := range lean {
			lean[i] = append(lean[i][:k:k], lean[i][k+1:]...)
		}
	}
	single := jsonSample(t, class[0])

	tests := []struct {
		name, file string
		data       []byte
		want       []Transcript
	}{
		{"JSON one object (hocba.json)", "hocba.json", read("hocba.json"), class[:1]},
		{"JSON one object, no extension", "hocba", single, class[:1]},
		{"CSV of column names", "hocba.csv", hbCSV(t, plain, ',', false), class},
		{"CSV, no extension", "hocba-export", hbCSV(t, plain, ',', false), class},
		{"XLSX, no extension", "hocba-export", transcriptWorkbook(t, plain, nil), class},
		{"XLSX of Vietnamese headings, text cells", "lop.xlsx", transcriptWorkbook(t, plain, nil), class},
		{"CSV of headings without diacritics, semicolons, BOM, CRLF", "hocba.csv",
			append([]byte("\uFEFF"), hbCSV(t, transcriptRows(t, headings(bare), ps...), ';', true)...), class},
		{"XLSX of other headings", "khac.xlsx", transcriptWorkbook(t, transcriptRows(t, headings(alt), ps...), nil), class},
		{"CSV decomposed (NFD)", "nfd.csv", []byte(norm.NFD.String(string(hbCSV(t, plain, ',', false)))), class},
		{"student cells on the first row only, no loai_mon", "gop.xlsx", transcriptWorkbook(t, firstOnly, nil), class},
		{"student cells on the first row only, CSV", "gop.csv", hbCSV(t, firstOnly, ',', false), class},
		{"decimal comma, re-tests", "phay.xlsx", transcriptWorkbook(t, comma, nil), withWeak},
		{"verdicts as Đ / CĐ", "dcd.csv", hbCSV(t, short, ',', false), withWeak},
		{"optional columns left out", "gon.xlsx", transcriptWorkbook(t, lean, nil), plainStudents},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadTranscripts(tc.file, bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d transcripts, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], tc.want[i]) {
					t.Errorf("transcript %d: got %+v\nwant %+v", i+1, got[i], tc.want[i])
				}
			}
		})
	}
}

// tcvn3Names are names typed in TCVN3 and kept through the Western code
// page, as an old workbook holds them.
func tcvn3Names() []string {
	return []string{"NguyÔn V¨n NghÜa", "TrÇn ThÞ Ngäc H©n", "Lª §øc ThÞnh", "Ph¹m ThÞ Thïy D­¬ng", "Huúnh Quèc VÜ"}
}

// TestReadTranscriptsBroken: each broken sheet gives the right reason at the
// right sheet, row and column, and no transcripts.
func TestReadTranscriptsBroken(t *testing.T) {
	class := ptrs(classTranscripts(t, 3))
	n := len(class[0].Subjects) // rows per student; student k starts at row 2+k·n
	set := func(row int, field, value string) [][]string {
		return transcriptRows(t, func(r int, cells []string) {
			if r == row-1 { // the header is row 1, line 0
				cells[hbCol(t, field)] = value
			}
		}, class...)
	}
	setAll := func(student int, field, value string) [][]string {
		return transcriptRows(t, func(r int, cells []string) {
			if r > 0 && (r-1)/n == student {
				cells[hbCol(t, field)] = value
			}
		}, class...)
	}
	xlsx := func(rows [][]string) []byte { return transcriptWorkbook(t, rows, nil) }
	emptyBook := transcriptWorkbook(t, nil, nil)
	headerOnly := transcriptWorkbook(t, transcriptRows(t, nil, class...)[:1], nil)
	tcvn3 := xlsx(transcriptRows(t, func(r int, cells []string) {
		if r > 0 {
			cells[hbCol(t, "ho_ten")] = tcvn3Names()[(r-1)/n]
		}
	}, class...))
	merged := transcriptWorkbook(t, transcriptRows(t, nil, class...), func(sw *excelize.StreamWriter) {
		if err := sw.MergeCell(hbLetter(t, "hk1")+"1", hbLetter(t, "cn")+"1"); err != nil {
			t.Fatal(err)
		}
	})
	split := xlsx(transcriptRows(t, func(r int, cells []string) {
		if r == 2*n+1 { // the third student's first row names the first
			cells[hbCol(t, "ma_hs")] = class[0].Student.ID
		}
	}, class...))
	// No loai_mon column, and Ngữ văn's marks mix a verdict and scores.
	mixed := set(2, "hk1", "Đạt")
	for i := range mixed {
		k := hbCol(t, "loai_mon")
		mixed[i] = append(mixed[i][:k:k], mixed[i][k+1:]...)
	}
	// Ngữ văn's year average of the first student, wrong but well formed.
	wrongAvg := "2.0"
	if class[0].Subjects[0].Year == Mark(wrongAvg) {
		wrongAvg = "3.0"
	}
	tests := []struct {
		name   string
		data   []byte
		reason tabular.Reason
		row    int    // 0: not checked
		column string // letter; "" when not about one column
		is     error
	}{
		{"score 8,5a", xlsx(set(3, "hk1", "8,5a")), tabular.ReasonInvalidValue, 3, hbLetter(t, "hk1"), ErrNotScore},
		{"score 11", xlsx(set(4, "cn", "11")), tabular.ReasonInvalidValue, 4, hbLetter(t, "cn"), ErrNotScore},
		{"year average does not add up", xlsx(set(2, "cn", wrongAvg)), tabular.ReasonInvalidValue, 2, hbLetter(t, "cn"), ErrInvalidRecord},
		{"bad birth date", xlsx(set(2+n, "ngay_sinh", "31/02/2009")), tabular.ReasonNotDate, 2 + n, hbLetter(t, "ngay_sinh"), nil},
		{"days absent not a number", xlsx(set(2, "so_buoi_nghi", "ba")), tabular.ReasonInvalidValue, 2, hbLetter(t, "so_buoi_nghi"), nil},
		{"student cell differs on a later row", xlsx(set(3, "ho_ten", "Nguyễn Hoàng An")), tabular.ReasonInvalidValue, 3, hbLetter(t, "ho_ten"), nil},
		{"no ID on the first row", xlsx(set(2, "ma_hs", "")), tabular.ReasonInvalidValue, 2, hbLetter(t, "ma_hs"), nil},
		{"student's rows split", split, tabular.ReasonInvalidValue, 2 + 2*n, hbLetter(t, "ma_hs"), nil},
		{"unknown rating", xlsx(setAll(1, "cn_hoc_tap", "Giỏi")), tabular.ReasonInvalidValue, 2 + n, hbLetter(t, "cn_hoc_tap"), ErrInvalidRecord},
		{"kind unknown from mixed marks", xlsx(mixed), tabular.ReasonInvalidValue, 2, hbLetter(t, "mon_hoc"), ErrInvalidRecord},
		{"missing column", xlsx(set(1, "ho_ten", "")), tabular.ReasonMissingColumns, 0, "", tabular.ErrInvalidFile},
		{"unknown column", xlsx(set(1, "danh_hieu", "Ghi chú")), tabular.ReasonUnknownColumns, 0, "", tabular.ErrInvalidFile},
		{"merged header cells", merged, tabular.ReasonMergedHeader, 1, hbLetter(t, "hk1"), tabular.ErrInvalidFile},
		{"TCVN3 sheet", tcvn3, tabular.ReasonLegacyEncoding, 0, hbLetter(t, "ho_ten"), tabular.ErrInvalidFile},
		{"empty sheet", emptyBook, tabular.ReasonEmpty, 0, "", tabular.ErrInvalidFile},
		{"header and no rows", headerOnly, tabular.ReasonNoRows, 0, "", tabular.ErrInvalidFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadTranscripts("hocba.xlsx", bytes.NewReader(tc.data))
			if err == nil || got != nil {
				t.Fatalf("got %d transcripts and error %v, want none and an error", len(got), err)
			}
			var ce *tabular.CellError
			var ces tabular.Errors
			if errors.As(err, &ces) {
				ce = ces[0]
			} else if !errors.As(err, &ce) {
				t.Fatalf("got %T %v, want a *tabular.CellError", err, err)
			}
			if ce.Reason != tc.reason || ce.File != "hocba.xlsx" || (tc.row > 0 && ce.Row != tc.row) || ce.Column != tc.column {
				t.Errorf("got %s %q row %d column %q (%v); want %s row %d column %q", ce.Reason, ce.File, ce.Row, ce.Column, err, tc.reason, tc.row, tc.column)
			}
			if ce.Sheet != hbSheet && tc.reason != tabular.ReasonEmpty {
				t.Errorf("sheet: got %q, want %q", ce.Sheet, hbSheet)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("got %v, want errors.Is %v", err, tc.is)
			}
		})
	}
}

// TestReadTranscriptsWrongAverageNamesIt: a year average that does not add
// up is refused naming the student, the subject and the expected value.
func TestReadTranscriptsWrongAverageNamesIt(t *testing.T) {
	tr := sampleTranscript(t, 1)
	j := -1
	for i, s := range tr.Subjects {
		if s.Kind == SubjectScored && s.Year != "10.0" {
			j = i
			break
		}
	}
	want := tr.Subjects[j].Year
	rows := transcriptRows(t, func(r int, cells []string) {
		if r == j+1 {
			tenths, _ := Score(want).Tenths()
			cells[hbCol(t, "cn")] = string(scoreOfTenths(tenths + 1))
		}
	}, &tr)
	_, err := ReadTranscripts("hocba.csv", bytes.NewReader(hbCSV(t, rows, ',', false)))
	var ce *tabular.CellError
	var ces tabular.Errors
	if errors.As(err, &ces) {
		ce = ces[0]
	} else if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a *tabular.CellError", err)
	}
	var fe *FieldError
	if !errors.As(ce, &fe) || fe.Reason != ReasonInconsistent || fe.Field != fmt.Sprintf("mon_hoc[%d].cn", j+1) {
		t.Fatalf("got %v, want an inconsistent mon_hoc[%d].cn", err, j+1)
	}
	if ce.Row != j+2 || ce.Column != hbLetter(t, "cn") || ce.Sheet != "" {
		t.Errorf("got row %d column %q, want row %d column %s", ce.Row, ce.Column, j+2, hbLetter(t, "cn"))
	}
	msg := ce.Error()
	for _, s := range []string{"hocba.csv", tr.Student.ID, tr.Subjects[j].Name, "expected " + Score(want).Vietnamese()} {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q lacks %q", msg, s)
		}
	}
}

// TestReadTranscriptsLegacyCSV: a CSV saved by old software in TCVN3 is
// refused, saying what it is.
func TestReadTranscriptsLegacyCSV(t *testing.T) {
	class := ptrs(classTranscripts(t, 5))
	n := len(class[0].Subjects)
	rows := transcriptRows(t, func(r int, cells []string) {
		if r > 0 {
			cells[hbCol(t, "ho_ten")] = tcvn3Names()[(r-1)/n]
		}
	}, class...)
	// Keep only what Windows-1252 can hold, as TCVN3 bytes: the names, the
	// ID, the marks; the other columns become ASCII.
	for i := range rows {
		for j, c := range rows[i] {
			if j != hbCol(t, "ho_ten") {
				rows[i][j] = foldHeader(c)
			}
		}
	}
	data, err := charmap.Windows1252.NewEncoder().Bytes(hbCSV(t, rows, ',', false))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ReadTranscripts("cu.csv", bytes.NewReader(data))
	var ce *tabular.CellError
	if !errors.As(err, &ce) || ce.Reason != tabular.ReasonLegacyEncoding || ce.Encoding != tabular.TCVN3 || ce.File != "cu.csv" {
		t.Fatalf("got %v, want a TCVN3 ReasonLegacyEncoding naming cu.csv", err)
	}
	if !errors.Is(err, tabular.ErrInvalidFile) {
		t.Errorf("got %v, want errors.Is ErrInvalidFile", err)
	}
}

// TestReadTranscriptsJSONErrors: JSON problems name the file and the
// transcript's position.
func TestReadTranscriptsJSONErrors(t *testing.T) {
	good := jsonSample(t, sampleTranscript(t, 0))
	bad := sampleTranscript(t, 1)
	bad.Subjects[0].Year = "1.0"
	// A transcript whose only text with Vietnamese letters is TCVN3: the
	// names; the rest is written without diacritics.
	legacy := sampleTranscript(t, 2)
	placeholder := func(i int) string { return fmt.Sprintf("Name%c", 'A'+i) }
	legacy.Student.FullName, legacy.HomeroomTeacher, legacy.Principal = placeholder(0), placeholder(1), placeholder(2)
	for i := range legacy.Subjects {
		legacy.Subjects[i].Teacher = placeholder(i % 5)
	}
	legacyJSON := asciiFold(string(jsonSample(t, legacy)))
	for i, n := range tcvn3Names() {
		legacyJSON = strings.ReplaceAll(legacyJSON, placeholder(i), n)
	}
	unknown := bytes.Replace(good, []byte(`"lop":`), []byte(`"lop_hoc":`), 1)
	tests := []struct {
		name   string
		data   []byte
		row    int
		field  string
		reason Reason
	}{
		{"wrong average in the second", jsonSample(t, []any{json.RawMessage(good), bad}), 2, "mon_hoc[1].cn", ReasonInconsistent},
		{"TCVN3 text in the second", jsonSample(t, []any{json.RawMessage(good), json.RawMessage(legacyJSON)}), 2, "", ReasonNotUTF8},
		{"unknown member", unknown, 1, "", ReasonBadRecord},
		{"the same student twice", jsonSample(t, []any{json.RawMessage(good), json.RawMessage(good)}), 2, "hoc_sinh.ma_hs", ReasonDuplicate},
		{"not JSON", []byte("[{"), 0, "", ReasonMalformed},
		{"empty array", []byte("[]"), 0, "", ReasonNoRecords},
		{"not UTF-8", []byte("[{\"lop\": \"10A1\xff\"}]"), 0, "", ReasonNotUTF8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadTranscripts("hocba.json", bytes.NewReader(tc.data))
			if got != nil {
				t.Errorf("got %d transcripts with an error", len(got))
			}
			var list ValidationErrors
			var fe *FieldError
			if !errors.As(err, &list) {
				if !errors.As(err, &fe) {
					t.Fatalf("got %v, want a *FieldError or ValidationErrors", err)
				}
				list = ValidationErrors{fe}
			}
			found := false
			for _, e := range list {
				found = found || (e.Row == tc.row && e.File == "hocba.json" && e.Reason == tc.reason && (tc.field == "" || e.Field == tc.field))
			}
			if !found {
				t.Errorf("got %v, want a %s problem at row %d field %q of hocba.json", err, tc.reason, tc.row, tc.field)
			}
		})
	}
}

// asciiFold removes Vietnamese diacritics: "Đồng" → "Dong".
func asciiFold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ':
			r = 'd'
		case r == 'Đ':
			r = 'D'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestScanTranscriptsStopsOnCallerError: fn's error ends the reading and
// comes back as is.
func TestScanTranscriptsStopsOnCallerError(t *testing.T) {
	stop := errors.New("stop")
	data := hbCSV(t, transcriptRows(t, nil, ptrs(classTranscripts(t, 3))...), ',', false)
	calls := 0
	err := ScanTranscripts("hocba.csv", bytes.NewReader(data), func(Transcript) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("got %v after %d calls, want stop after 1", err, calls)
	}
}

// TestWriteTranscriptsRefuses: what could not be read back the same is not
// written.
func TestWriteTranscriptsRefuses(t *testing.T) {
	noSubjects := sampleTranscript(t, 0)
	noSubjects.Subjects = nil
	semicolon := sampleTranscript(t, 0)
	semicolon.Awards = []string{"Giải Nhất; Giải Nhì"}
	for _, tr := range []Transcript{noSubjects, semicolon} {
		if _, err := TranscriptsCSV(&tr); err == nil {
			t.Errorf("CSV of %+v: no error", tr.Awards)
		}
		var b bytes.Buffer
		if err := WriteTranscriptsXLSX(&b, &tr); err == nil {
			t.Errorf("XLSX of %+v: no error", tr.Awards)
		}
	}
}

func heapAfterGC() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC() // a second cycle frees what finalizers released in the first
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// bigClassRows returns the rows (header first, Vietnamese headings) of
// students học bạ: the sample class again and again under new IDs, the
// student's cells repeated on every row.
func bigClassRows(t testing.TB, students int) [][]string {
	t.Helper()
	class := classTranscripts(t, SampleClassSize)
	rows := [][]string{transcriptXLSXHeadings()}
	for k := range students {
		tr := class[k%len(class)]
		tr.Student.ID = fmt.Sprintf("83%08d", 30000000+k)
		cells, err := transcriptCells(&tr)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, cells...)
	}
	return rows
}

// TestScanTranscripts10000RowsStreams reads a 10,008-row sheet (834
// students × 12 subjects), as .xlsx and as CSV, handing each transcript on
// and dropping it, and checks from the live heap after garbage collection
// that the reader holds neither the students it has handed on nor the
// sheet: the heap does not grow between the 100th student and the last,
// and what is held is well under the size of the sheet's data.
func TestScanTranscripts10000RowsStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-row sheet")
	}
	const students = 834
	rows := bigClassRows(t, students)
	if len(rows)-1 < 10000 {
		t.Fatalf("%d rows, want at least 10,000", len(rows)-1)
	}
	var xlsx bytes.Buffer
	{
		f := excelize.NewFile()
		if err := f.SetSheetName("Sheet1", hbSheet); err != nil {
			t.Fatal(err)
		}
		sw, err := f.NewStreamWriter(hbSheet)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			cells := make([]any, len(r))
			for j, c := range r {
				cells[j] = c
			}
			if err := sw.SetRow(fmt.Sprintf("A%d", i+1), cells); err != nil {
				t.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := f.Write(&xlsx); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	csvData := hbCSV(t, rows, ',', false)
	rows = nil
	for _, tc := range []struct {
		name string
		data []byte
	}{{"big.xlsx", xlsx.Bytes()}, {"big.csv", csvData}} {
		t.Run(tc.name, func(t *testing.T) {
			base := heapAfterGC()
			var n int
			var at100, atEnd uint64
			err := ScanTranscripts(tc.name, bytes.NewReader(tc.data), func(tr Transcript) error {
				n++
				if want := fmt.Sprintf("83%08d", 30000000+n-1); tr.Student.ID != want {
					return fmt.Errorf("student %d is %s, want %s", n, tr.Student.ID, want)
				}
				switch n {
				case 100:
					at100 = heapAfterGC()
				case students:
					atEnd = heapAfterGC()
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n != students {
				t.Fatalf("read %d students, want %d", n, students)
			}
			grew := int64(atEnd) - int64(at100)
			held := int64(atEnd) - int64(base)
			t.Logf("%s: %d KiB; heap held at student 100: %d KiB, at student %d: %d KiB",
				tc.name, len(tc.data)>>10, (int64(at100)-int64(base))>>10, students, held>>10)
			if grew > 512<<10 {
				t.Errorf("heap grew by %d KiB between student 100 and %d: students are being kept", grew>>10, students)
			}
			if held > int64(len(csvData)/4) {
				t.Errorf("reader holds %d KiB, the sheet's data is %d KiB: the sheet is in memory", held>>10, len(csvData)>>10)
			}
		})
	}
}
