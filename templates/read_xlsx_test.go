package templates

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kyso-vn/kyso/tabular"
)

// diplomaWorkbook writes the sample graduates as a workbook the way a
// school exports one: Vietnamese headings, an STT column, dates as text.
func diplomaWorkbook(t *testing.T, ds []Diploma, edit func(row int, cells []string)) []byte {
	t.Helper()
	var csvBuf bytes.Buffer
	if err := WriteDiplomasCSV(&csvBuf, ds); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(csvBuf.String(), "\r\n", "\n")), "\n")
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Danh sách"
	f.SetSheetName("Sheet1", sheet)
	for i, l := range lines {
		cells := strings.Split(l, ",")
		if i == 0 {
			cells = append([]string{"STT"}, cells...)
		} else {
			cells = append([]string{strconv.Itoa(i)}, cells...)
		}
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

func TestReadDiplomasXLSX(t *testing.T) {
	want := SampleGraduates(5)
	rows, err := ReadDiplomas("tot-nghiep.xlsx", bytes.NewReader(diplomaWorkbook(t, want, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 {
		t.Fatalf("got %d rows, want 5", len(rows))
	}
	for i, r := range rows {
		if r.Diploma != want[i] || r.Row != i+2 {
			t.Errorf("row %d: got %+v, want row %d %+v", r.Row, r.Diploma, i+2, want[i])
		}
	}
}

func TestReadDiplomasXLSXErrors(t *testing.T) {
	// A TCVN3 name typed in an old spreadsheet ("NguyÔn V¨n NghÜa").
	tcvn3 := diplomaWorkbook(t, SampleGraduates(5), func(row int, cells []string) {
		if row > 0 {
			cells[1] = []string{"NguyÔn V¨n NghÜa", "TrÇn ThÞ Ngäc H©n", "Lª §øc ThÞnh", "Ph¹m ThÞ Thïy D­¬ng", "Huúnh Quèc VÜ"}[row-1]
		}
	})
	_, err := ReadDiplomas("cu.xlsx", bytes.NewReader(tcvn3))
	if err == nil || !strings.Contains(err.Error(), "TCVN3") {
		t.Errorf("TCVN3 workbook: %v, want an error naming TCVN3", err)
	}
	// An impossible date, named by row and field.
	bad := diplomaWorkbook(t, SampleGraduates(3), func(row int, cells []string) {
		if row == 2 {
			cells[2] = "31/02/2007"
		}
	})
	_, err = ReadDiplomas("ngay.xlsx", bytes.NewReader(bad))
	var verrs ValidationErrors
	if !errors.As(err, &verrs) || !strings.Contains(err.Error(), "ngay.xlsx row 3") || !strings.Contains(err.Error(), "ngay_sinh") {
		t.Errorf("impossible date: %v", err)
	}
	// A missing column is a file-level error.
	missing := diplomaWorkbook(t, SampleGraduates(2), func(row int, cells []string) { cells[len(cells)-1] = "" })
	if _, err := ReadDiplomas("thieu.xlsx", bytes.NewReader(missing)); !tabular.HasReason(err, tabular.ReasonMissingColumns) || !strings.Contains(err.Error(), "nguoi_ky") {
		t.Errorf("missing column: %v, want a missing-columns error naming nguoi_ky", err)
	}
}
