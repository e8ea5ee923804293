package templates

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// gradebookXLSXHeadings are the Vietnamese headings WriteGradebookXLSX
// writes, in the order of GradebookCSVColumns; ReadGradebooks maps each
// back to its column.
func gradebookXLSXHeadings() []string {
	return []string{
		"Sở GD&ĐT", "Trường", "Năm học", "Học kì", "Lớp", "Môn học", "Loại môn", "Số ĐĐGtx", "Giáo viên bộ môn",
		"Địa danh", "Ngày ký",
		"STT", "Mã định danh", "Họ và tên", "Ngày sinh",
		"ĐĐGtx1", "ĐĐGtx2", "ĐĐGtx3", "ĐĐGtx4", "ĐĐGgk", "ĐĐGck", "ĐTBmhk",
		"HK I", "HK II", "Cả năm",
	}
}

// GradebookSheetName is the worksheet WriteGradebookXLSX writes.
const GradebookSheetName = "Sổ điểm"

// WriteGradebookXLSX writes gradebooks as one Excel workbook the way a
// school exports its gradebooks: one sheet, GradebookSheetName, with a
// header row of Vietnamese headings ("Họ và tên", "ĐĐGtx1", "Giữa kỳ" as
// "ĐĐGgk", ...) and one row per student, in the columns of
// GradebookCSVColumns. Scores are numeric cells, verdicts the words "Đạt" /
// "Chưa đạt", everything else text, dates text dd/mm/yyyy. ReadGradebooks reads it back.
func WriteGradebookXLSX(w io.Writer, gs ...*Gradebook) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", GradebookSheetName); err != nil {
		return fmt.Errorf("write gradebook workbook: %w", err)
	}
	sw, err := f.NewStreamWriter(GradebookSheetName)
	if err != nil {
		return fmt.Errorf("write gradebook workbook: %w", err)
	}
	row := 1
	put := func(cells []any) error {
		name, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		row++
		return sw.SetRow(name, cells)
	}
	var head []any
	for _, h := range gradebookXLSXHeadings() {
		head = append(head, h)
	}
	if err := put(head); err != nil {
		return fmt.Errorf("write gradebook workbook: %w", err)
	}
	mark := func(m Mark) any {
		if s, ok := m.Score(); ok {
			if f, err := strconv.ParseFloat(string(s), 64); err == nil {
				return f
			}
		}
		if m == "" {
			return nil
		}
		// "Đạt" / "Chưa đạt" rather than "Đ" / "CĐ": a column of bare Đ
		// reads, letter for letter, like TCVN3 text.
		if v, ok := m.Verdict(); ok {
			return v.Word()
		}
		return string(m)
	}
	for _, g := range gs {
		regular := any(nil)
		if g.RegularCount != 0 {
			regular = g.RegularCount
		}
		for i := range g.Students {
			s := &g.Students[i]
			if len(s.Regular) > MaxRegularCount {
				return fmt.Errorf("write gradebook workbook: student %d has %d ĐĐGtx, want at most %d", i+1, len(s.Regular), MaxRegularCount)
			}
			cells := []any{
				g.Department, g.School, g.SchoolYear, string(g.Term), g.Class, g.Subject, string(g.SubjectKind), regular,
				g.Teacher, g.Place, dateCell(g.SignDate),
				s.No, s.ID, s.FullName, dateCell(s.DateOfBirth),
			}
			for j := 0; j < MaxRegularCount; j++ {
				if j < len(s.Regular) {
					cells = append(cells, mark(s.Regular[j]))
				} else {
					cells = append(cells, nil)
				}
			}
			cells = append(cells, mark(s.MidTerm), mark(s.Final), mark(s.TermAverage), mark(s.TermI), mark(s.TermII), mark(s.Year))
			if err := put(cells); err != nil {
				return fmt.Errorf("write gradebook workbook: %w", err)
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("write gradebook workbook: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write gradebook workbook: %w", err)
	}
	return nil
}
