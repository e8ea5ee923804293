package templates

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// transcriptXLSXHeadings are the Vietnamese headings WriteTranscriptsXLSX
// writes, in the order of TranscriptCSVColumns; ReadTranscripts maps each
// back to its column.
func transcriptXLSXHeadings() []string {
	return []string{
		"Sở GD&ĐT", "Trường", "Địa danh", "Năm học", "Lớp",
		"Mã học sinh", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Nơi sinh", "Chỗ ở hiện tại",
		"Môn học", "Loại môn", "Điểm TB HK I", "Điểm TB HK II", "Điểm TB cả năm", "Điểm KT lại", "Giáo viên bộ môn",
		"Kết quả học tập HK I", "Kết quả rèn luyện HK I", "Kết quả học tập HK II", "Kết quả rèn luyện HK II",
		"Kết quả học tập cả năm", "Kết quả rèn luyện cả năm",
		"Học tập sau KT lại", "Rèn luyện sau hè", "Số buổi nghỉ", "Lên lớp", "Lên lớp sau KT lại",
		"Danh hiệu", "Khen thưởng", "Nhận xét của GVCN", "GVCN", "Số chỗ sửa chữa", "Môn sửa chữa", "Hiệu trưởng", "Ngày duyệt",
	}
}

// TranscriptSheetName is the worksheet WriteTranscriptsXLSX writes.
const TranscriptSheetName = "Học bạ"

// WriteTranscriptsXLSX writes học bạ years as one Excel workbook the way a
// school's software exports a class: one sheet, TranscriptSheetName, with a
// title row, a header row of Vietnamese headings ("Mã học sinh", "Họ và
// tên", "Điểm TB HK I", "Kết quả học tập cả năm", ...) in the columns of
// TranscriptCSVColumns, and one row per student and subject, the student's
// cells merged down the student's rows. Scores are numeric cells, verdicts
// the words "Đạt" / "Chưa đạt", counts numbers, dates text dd/mm/yyyy,
// everything else text. ReadTranscripts reads it back. The output is the
// same for the same input.
func WriteTranscriptsXLSX(w io.Writer, ts ...*Transcript) error {
	fail := func(err error) error { return fmt.Errorf("write học bạ workbook: %w", err) }
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", TranscriptSheetName); err != nil {
		return fail(err)
	}
	sw, err := f.NewStreamWriter(TranscriptSheetName)
	if err != nil {
		return fail(err)
	}
	cols := TranscriptCSVColumns()
	last, err := excelize.ColumnNumberToName(len(cols))
	if err != nil {
		return fail(err)
	}
	title := "HỌC BẠ"
	if len(ts) > 0 {
		same := true
		for _, t := range ts {
			same = same && t.Class == ts[0].Class && t.SchoolYear == ts[0].SchoolYear && t.School == ts[0].School
		}
		if same {
			title = fmt.Sprintf("HỌC BẠ LỚP %s – NĂM HỌC %s – %s", ts[0].Class, ts[0].SchoolYear, ts[0].School)
		}
	}
	if err := sw.SetRow("A1", []any{title}); err != nil {
		return fail(err)
	}
	if err := sw.MergeCell("A1", last+"1"); err != nil {
		return fail(err)
	}
	var head []any
	for _, h := range transcriptXLSXHeadings() {
		head = append(head, h)
	}
	if err := sw.SetRow("A2", head); err != nil {
		return fail(err)
	}
	isSubject := map[string]bool{}
	for _, c := range hbSubjectFields() {
		isSubject[c] = true
	}
	row := 3
	for _, t := range ts {
		rows, err := transcriptCells(t)
		if err != nil {
			return fail(err)
		}
		for k, cells := range rows {
			out := make([]any, len(cells))
			for i, c := range cells {
				switch {
				case !isSubject[cols[i]] && k > 0:
					out[i] = nil // merged into the student's first row
				case c == "":
					out[i] = nil
				case cols[i] == hbColTermI || cols[i] == hbColTermII || cols[i] == hbColYear || cols[i] == hbColRetest:
					if v, err := strconv.ParseFloat(c, 64); err == nil {
						out[i] = v
					} else {
						out[i] = c
					}
				case cols[i] == hbColAbsent || cols[i] == hbColCorrect:
					n, err := strconv.Atoi(c)
					if err != nil {
						return fail(err)
					}
					out[i] = n
				default:
					out[i] = c
				}
			}
			if err := sw.SetRow("A"+strconv.Itoa(row+k), out); err != nil {
				return fail(err)
			}
		}
		if len(rows) > 1 {
			for i, c := range cols {
				if isSubject[c] {
					continue
				}
				col, err := excelize.ColumnNumberToName(i + 1)
				if err != nil {
					return fail(err)
				}
				if err := sw.MergeCell(col+strconv.Itoa(row), col+strconv.Itoa(row+len(rows)-1)); err != nil {
					return fail(err)
				}
			}
		}
		row += len(rows)
	}
	if err := sw.Flush(); err != nil {
		return fail(err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fail(err)
	}
	return nil
}
