package templates

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kyso-vn/kyso/tabular"
)

// gradebookWorkbook writes gradebooks as a workbook with Vietnamese headings
// and every cell as text, after edit may change a row's cells (row 0 is the
// header; the columns are those of GradebookCSVColumns).
func gradebookWorkbook(t *testing.T, edit func(row int, cells []string), gs ...*Gradebook) []byte {
	t.Helper()
	data, err := GradebookCSV(gs...)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows[0] = gradebookXLSXHeadings()
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "10A1 Toán"
	f.SetSheetName("Sheet1", sheet)
	for i, cells := range rows {
		if edit != nil {
			edit(i, cells)
		}
		for j, c := range cells {
			name, _ := excelize.CoordinatesToCellName(j+1, i+1)
			f.SetCellStr(sheet, name, c)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// colOf returns the 0-based index of a gradebook column.
func colOf(t *testing.T, field string) int {
	t.Helper()
	for i, c := range GradebookCSVColumns() {
		if c == field {
			return i
		}
	}
	t.Fatalf("no column %q", field)
	return -1
}

// TestGradebookXLSXSample checks testdata/samples/gradebook.xlsx against
// WriteGradebookXLSX's output (with -update it writes it) and reads it back
// as the sample gradebook.
func TestGradebookXLSXSample(t *testing.T) {
	g := sampleGradebook(t, SampleClassSize, TermI, "Toán")
	var b bytes.Buffer
	if err := WriteGradebookXLSX(&b, &g); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := WriteGradebookXLSX(&again, &g); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), again.Bytes()) {
		t.Fatal("two writes of the same gradebook differ")
	}
	path := filepath.Join(sampleDir, "gradebook.xlsx")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./templates -run TestGradebookXLSXSample -update)", err)
	}
	if !bytes.Equal(data, b.Bytes()) {
		t.Errorf("%s differs from WriteGradebookXLSX's output (run go test ./templates -run TestGradebookXLSXSample -update)", path)
	}
	got, err := ReadGradebooks("gradebook.xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], g) {
		t.Errorf("read %d gradebooks, want the sample gradebook", len(got))
	}
}

// TestReadGradebooksFormats: the samples in every format, several
// gradebooks in one file, Vietnamese headings, decimal commas, a workbook
// without STT and so_ddgtx columns.
func TestReadGradebooksFormats(t *testing.T) {
	toan := sampleGradebook(t, SampleClassSize, TermI, "Toán")
	subjects := SampleSubjects()
	// A scored subject: a column of bare "Đ" / "CĐ" cells is taken by
	// tabular's legacy-encoding test for TCVN3 ("é"); WriteGradebookXLSX
	// writes verdicts as words for that reason.
	var other Gradebook
	for _, s := range subjects {
		if g := sampleGradebook(t, 30, TermI, s); s != "Toán" && g.SubjectKind == SubjectScored {
			other = g
			break
		}
	}
	comment := Gradebook{}
	for _, s := range subjects {
		if g := sampleGradebook(t, 30, TermI, s); g.SubjectKind == SubjectComment {
			comment = g
			break
		}
	}
	var commentBook bytes.Buffer
	if err := WriteGradebookXLSX(&commentBook, &comment); err != nil {
		t.Fatal(err)
	}
	year := sampleGradebook(t, 12, TermYear, "Toán")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(sampleDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	array, err := json.Marshal([]*Gradebook{&toan, &year})
	if err != nil {
		t.Fatal(err)
	}
	comma := gradebookWorkbook(t, func(row int, cells []string) {
		for i := colOf(t, "ddgtx1"); i < len(cells); i++ {
			cells[i] = strings.Replace(cells[i], ".", ",", 1)
		}
	}, &toan)
	unnumbered := gradebookWorkbook(t, func(row int, cells []string) {
		cells[colOf(t, "stt")], cells[colOf(t, "so_ddgtx")] = "", ""
	}, &toan)
	tests := []struct {
		name string
		file string
		data []byte
		want []Gradebook
	}{
		{"JSON sample", "gradebook.json", read("gradebook.json"), []Gradebook{toan}},
		{"CSV sample", "gradebook.csv", read("gradebook.csv"), []Gradebook{toan}},
		{"JSON array", "so-diem.json", array, []Gradebook{toan, year}},
		{"two gradebooks and a year", "ca-lop.xlsx", gradebookWorkbook(t, nil, &toan, &other, &year), []Gradebook{toan, other, year}},
		{"comment-graded, verdicts as words", "nhan-xet.xlsx", commentBook.Bytes(), []Gradebook{comment}},
		{"decimal comma", "phay.xlsx", comma, []Gradebook{toan}},
		{"no STT, no so_ddgtx", "khong-stt.xlsx", unnumbered, []Gradebook{toan}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadGradebooks(tc.file, bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d gradebooks, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], tc.want[i]) {
					t.Errorf("gradebook %d: got %+v\nwant %+v", i+1, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestReadGradebooksBroken: each broken file gives the right reason at the
// right sheet, row and column.
func TestReadGradebooksBroken(t *testing.T) {
	g := sampleGradebook(t, 5, TermI, "Toán")
	set := func(row int, field, value string) func(int, []string) {
		return func(r int, cells []string) {
			if r == row-1 { // the header is row 1, cells[0] of line 0
				cells[colOf(t, field)] = value
			}
		}
	}
	tcvn3 := []string{"NguyÔn V¨n NghÜa", "TrÇn ThÞ Ngäc H©n", "Lª §øc ThÞnh", "Ph¹m ThÞ Thïy D­¬ng", "Huúnh Quèc VÜ"}
	emptyBook := func() []byte {
		f := excelize.NewFile()
		defer f.Close()
		var b bytes.Buffer
		if err := f.Write(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}()
	tests := []struct {
		name   string
		data   []byte
		reason tabular.Reason
		row    int
		column string // letter; "" when not about one column
		is     error
	}{
		{"score 8,5a", gradebookWorkbook(t, set(3, "ddggk", "8,5a"), &g), tabular.ReasonInvalidValue, 3, "T", ErrNotScore},
		{"score 11", gradebookWorkbook(t, set(2, "ddgtx2", "11"), &g), tabular.ReasonInvalidValue, 2, "Q", ErrNotScore},
		{"bad birth date", gradebookWorkbook(t, set(4, "ngay_sinh", "31/02/2009"), &g), tabular.ReasonNotDate, 4, "O", nil},
		{"wrong average", gradebookWorkbook(t, set(5, "dtbmhk", "2.0"), &g), tabular.ReasonInvalidValue, 5, "V", ErrInvalidRecord},
		{"name missing", gradebookWorkbook(t, set(6, "ho_ten", ""), &g), tabular.ReasonInvalidValue, 6, "N", ErrInvalidRecord},
		{"teacher differs", gradebookWorkbook(t, set(3, "giao_vien", "Lê Văn Tám"), &g), tabular.ReasonInvalidValue, 3, "I", nil},
		{"missing column", gradebookWorkbook(t, set(1, "ho_ten", ""), &g), tabular.ReasonMissingColumns, 0, "", tabular.ErrInvalidFile},
		{"empty sheet", emptyBook, tabular.ReasonEmpty, 0, "", tabular.ErrInvalidFile},
		{"TCVN3 sheet", gradebookWorkbook(t, func(r int, cells []string) {
			if r > 0 {
				cells[colOf(t, "ho_ten")] = tcvn3[r-1]
			}
		}, &g), tabular.ReasonLegacyEncoding, 0, "N", tabular.ErrInvalidFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadGradebooks("so-diem.xlsx", bytes.NewReader(tc.data))
			if err == nil || got != nil {
				t.Fatalf("got %d gradebooks and error %v, want none and an error", len(got), err)
			}
			var ce *tabular.CellError
			var ces tabular.Errors
			if errors.As(err, &ces) {
				ce = ces[0]
			} else if !errors.As(err, &ce) {
				t.Fatalf("got %T %v, want a *tabular.CellError", err, err)
			}
			if ce.Reason != tc.reason || ce.File != "so-diem.xlsx" || (tc.row > 0 && ce.Row != tc.row) || ce.Column != tc.column {
				t.Errorf("got %s %q row %d column %q (%v); want %s row %d column %q", ce.Reason, ce.File, ce.Row, ce.Column, err, tc.reason, tc.row, tc.column)
			}
			if ce.Sheet != "10A1 Toán" && tc.reason != tabular.ReasonEmpty {
				t.Errorf("sheet: got %q, want %q", ce.Sheet, "10A1 Toán")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("got %v, want errors.Is %v", err, tc.is)
			}
		})
	}
}

// TestReadGradebooksJSONErrors: JSON problems name the file and the
// gradebook's position.
func TestReadGradebooksJSONErrors(t *testing.T) {
	g := sampleGradebook(t, 3, TermI, "Toán")
	good, err := json.Marshal(&g)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(good, []byte(`"ddggk":"`), []byte(`"ddggk":"1`), 1)
	unknown := bytes.Replace(good, []byte(`"lop":`), []byte(`"lop_hoc":`), 1)
	tests := []struct {
		name   string
		data   []byte
		row    int
		reason Reason
	}{
		{"bad mark in the second", []byte("[" + string(good) + "," + string(bad) + "]"), 2, ReasonOutOfRange},
		{"unknown member", unknown, 1, ReasonBadRecord},
		{"not JSON", []byte("[{"), 0, ReasonMalformed},
		{"empty array", []byte("[]"), 0, ReasonNoRecords},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadGradebooks("so-diem.json", bytes.NewReader(tc.data))
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
				found = found || (e.Row == tc.row && e.File == "so-diem.json" && e.Reason == tc.reason)
			}
			if !found {
				t.Errorf("got %v, want a %s problem at row %d of so-diem.json", err, tc.reason, tc.row)
			}
		})
	}
}
