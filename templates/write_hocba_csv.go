package templates

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// transcriptCells returns the cells of t's rows, one per subject, in the
// columns of TranscriptCSVColumns: the student's cells on every row, marks
// as text with a decimal point, verdicts as the words "Đạt" / "Chưa đạt",
// dates dd/mm/yyyy, awards and corrected subjects joined by "; ". It
// refuses what ReadTranscripts could not read back the same.
func transcriptCells(t *Transcript) ([][]string, error) {
	if len(t.Subjects) == 0 {
		return nil, fmt.Errorf("student %s has no subjects: a học bạ sheet has one row per subject", t.Student.ID)
	}
	for _, l := range [][]string{t.Awards, t.CorrectedSubjects} {
		for _, v := range l {
			if strings.ContainsAny(v, ";\r\n") || cleanText(v) == "" {
				return nil, fmt.Errorf("student %s: %q cannot be listed in one cell (blank, or holds \";\" or a line break)", t.Student.ID, v)
			}
		}
	}
	st := &t.Student
	head := map[string]string{
		"so_gddt": t.Department, "truong": t.School, "dia_danh": t.Place, hbColSchoolYr: t.SchoolYear, "lop": t.Class,
		hbColID: st.ID, hbColName: st.FullName, hbColBirth: dateCell(st.DateOfBirth), "gioi_tinh": st.Gender,
		"dan_toc": st.Ethnicity, "noi_sinh": st.PlaceOfBirth, "cho_o": st.Address,
		"hk1_hoc_tap": string(t.TermI.Learning), "hk1_ren_luyen": string(t.TermI.Conduct),
		"hk2_hoc_tap": string(t.TermII.Learning), "hk2_ren_luyen": string(t.TermII.Conduct),
		"cn_hoc_tap": string(t.Year.Learning), "cn_ren_luyen": string(t.Year.Conduct),
		"hoc_tap_sau_kiem_tra_lai": string(t.LearningAfterRetest), "ren_luyen_sau_he": string(t.ConductAfterSummer),
		hbColAbsent: strconv.Itoa(t.DaysAbsent), "xet_len_lop": string(t.Promotion), "xet_len_lop_sau": string(t.PromotionAfter),
		"danh_hieu": t.Title, hbColAwards: strings.Join(t.Awards, "; "), "nhan_xet_gvcn": t.HomeroomComment,
		"gvcn": t.HomeroomTeacher, hbColCorrect: strconv.Itoa(t.Corrections),
		hbColCorrected: strings.Join(t.CorrectedSubjects, "; "), "hieu_truong": t.Principal,
		hbColApproval: dateCell(t.ApprovalDate),
	}
	cols := TranscriptCSVColumns()
	var rows [][]string
	for _, s := range t.Subjects {
		sub := map[string]string{
			hbColSubject: s.Name, hbColKind: string(s.Kind), hbColTermI: markCell(s.TermI), hbColTermII: markCell(s.TermII),
			hbColYear: markCell(s.Year), hbColRetest: markCell(s.Retest), hbColTeacher: s.Teacher,
		}
		row := make([]string, len(cols))
		for i, c := range cols {
			if v, ok := sub[c]; ok {
				row[i] = v
			} else {
				row[i] = head[c]
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// markCell writes a verdict as its word ("Đạt", "Chưa đạt") and any other
// mark as it is: a column of bare "Đ" reads, letter for letter, like TCVN3.
func markCell(m Mark) string {
	if v, ok := m.Verdict(); ok {
		return v.Word()
	}
	return string(m)
}

// WriteTranscriptsCSV writes học bạ years as one CSV file in the long form
// ReadTranscripts reads: UTF-8 without a byte order mark, comma separated,
// a header of TranscriptCSVColumns, then one row per student and subject
// with the student's cells repeated on each. Marks use a decimal point;
// verdicts are written "Đạt" / "Chưa đạt"; dates dd/mm/yyyy. A transcript
// without subjects, or with an award or corrected subject holding ";" or a
// line break, cannot be written.
func WriteTranscriptsCSV(w io.Writer, ts ...*Transcript) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(TranscriptCSVColumns()); err != nil {
		return fmt.Errorf("write học bạ CSV header: %w", err)
	}
	for _, t := range ts {
		rows, err := transcriptCells(t)
		if err != nil {
			return fmt.Errorf("write học bạ CSV: %w", err)
		}
		if err := cw.WriteAll(rows); err != nil {
			return fmt.Errorf("write học bạ CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write học bạ CSV: %w", err)
	}
	return nil
}

// TranscriptsCSV returns học bạ years as a CSV file, as WriteTranscriptsCSV
// writes it.
func TranscriptsCSV(ts ...*Transcript) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteTranscriptsCSV(&b, ts...); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
