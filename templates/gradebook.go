package templates

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Gradebook is one subject's gradebook (sổ điểm, the subject part of the sổ
// theo dõi và đánh giá học sinh) for one class and one term (HK1, HK2) or
// the whole year (CN), as the subject teacher signs it.
//
// For a term, each student has RegularCount regular scores (ĐĐGtx), a
// mid-term (ĐĐGgk) and a final (ĐĐGck) score and the term average (ĐTBmhk);
// for a year, the two term averages and the year average (ĐTBmcn). For a
// subject assessed by comment only every mark is Đ or CĐ instead.
//
// The marks are carried as given: Validate checks their form and that the
// right ones are present, not the arithmetic.
type Gradebook struct {
	Department  string      `json:"so_gddt"`  // e.g. "Sở Giáo dục và Đào tạo Bến Tre"
	School      string      `json:"truong"`   // e.g. "Trường THPT Chuyên Bến Tre"
	SchoolYear  string      `json:"nam_hoc"`  // "2024-2025"
	Term        Term        `json:"hoc_ky"`   // HK1, HK2 or CN
	Class       string      `json:"lop"`      // "10A1"
	Subject     string      `json:"mon_hoc"`  // "Toán"
	SubjectKind SubjectKind `json:"loai_mon"` // diem or nhan_xet
	// RegularCount is the number of regular assessments (ĐĐGtx) per term:
	// 2, 3 or 4 by the subject's periods per year (Thông tư 22/2021
	// Điều 6). Zero for a year (CN) gradebook.
	RegularCount int                `json:"so_ddgtx,omitempty"`
	Teacher      string             `json:"giao_vien"` // the subject teacher, who signs
	Place        string             `json:"dia_danh"`  // place written before the date, e.g. "Bến Tre"
	SignDate     Date               `json:"ngay_ky"`   // the date the teacher closes the gradebook
	Students     []GradebookStudent `json:"hoc_sinh"`
}

// GradebookStudent is one row of a gradebook.
type GradebookStudent struct {
	No          int    `json:"stt"`       // số thứ tự: 1, 2, … in order
	ID          string `json:"ma_hs"`     // mã định danh học sinh
	FullName    string `json:"ho_ten"`    // họ và tên
	DateOfBirth Date   `json:"ngay_sinh"` // ngày sinh

	// A term (HK1, HK2).
	Regular     []Mark `json:"ddgtx,omitempty"`  // ĐĐGtx, RegularCount of them
	MidTerm     Mark   `json:"ddggk,omitempty"`  // ĐĐGgk
	Final       Mark   `json:"ddgck,omitempty"`  // ĐĐGck
	TermAverage Mark   `json:"dtbmhk,omitempty"` // ĐTBmhk, or the term's Đ/CĐ

	// The year (CN).
	TermI  Mark `json:"hk1,omitempty"` // ĐTBmhkI, or Đ/CĐ
	TermII Mark `json:"hk2,omitempty"` // ĐTBmhkII, or Đ/CĐ
	Year   Mark `json:"cn,omitempty"`  // ĐTBmcn, or Đ/CĐ
}

// Limits on gradebooks.
const (
	// MaxGradebookStudents is the most students a gradebook may list.
	MaxGradebookStudents = 100
	// MinRegularCount and MaxRegularCount bound Gradebook.RegularCount for
	// a term (Thông tư 22/2021 Điều 6: 2, 3 or 4 ĐĐGtx).
	MinRegularCount = 2
	MaxRegularCount = 4
)

// Length limits of school document text fields, in characters. The layouts
// are tested to fit every field at its limit.
const (
	maxPersonName  = 60
	maxOrgName     = 90
	maxSubjectName = 60
	maxPlaceName   = 40
	maxAddress     = 150
	maxEthnicity   = 20
	maxComment     = 600
	maxAward       = 150
)

// Normalize cleans every text field and mark in place: NFC normalisation,
// single spaces, no surrounding space; the term, subject kind and school
// year in their canonical forms; marks as canonical scores ("8,5" becomes
// "8.5", "8" becomes "8.0") or verdicts ("Đạt" becomes "Đ"). It is
// idempotent and does not validate.
func (g *Gradebook) Normalize() {
	for _, p := range []*string{&g.Department, &g.School, &g.Class, &g.Subject, &g.Teacher, &g.Place} {
		*p = cleanText(*p)
	}
	if y, _, ok := normalizeSchoolYear(g.SchoolYear); ok {
		g.SchoolYear = y
	} else {
		g.SchoolYear = cleanText(g.SchoolYear)
	}
	g.Term = normalizeEnum(g.Term, parseTerm)
	g.SubjectKind = normalizeEnum(g.SubjectKind, parseSubjectKind)
	for i := range g.Students {
		s := &g.Students[i]
		s.ID = cleanText(s.ID)
		s.FullName = cleanText(s.FullName)
		for j := range s.Regular {
			s.Regular[j] = normalizeMark(s.Regular[j])
		}
		for _, m := range []*Mark{&s.MidTerm, &s.Final, &s.TermAverage, &s.TermI, &s.TermII, &s.Year} {
			*m = normalizeMark(*m)
		}
	}
}

// Validate reports every problem with g as a ValidationErrors, or nil. It
// expects g to have been normalised (see Normalize): a value Normalize would
// change counts as a problem. Problems of a student name the field by its
// path, "hoc_sinh[3].ddgtx[2]", counting students and marks from 1.
//
// Validate checks that each field is present and well formed, that the
// students are numbered 1, 2, … in order with distinct identifiers, that a
// term gradebook has RegularCount ĐĐGtx, a ĐĐGgk, a ĐĐGck and an ĐTBmhk for
// each student and a year gradebook the two term marks and the year mark,
// and that every mark suits the subject kind. It does not recompute the
// averages.
func (g *Gradebook) Validate() error {
	c := &checker{}
	c.text("so_gddt", g.Department, maxOrgName, plainText, true)
	c.text("truong", g.School, maxOrgName, plainText, true)
	c.text("mon_hoc", g.Subject, maxSubjectName, plainText, true)
	c.text("giao_vien", g.Teacher, maxPersonName, personName, true)
	c.text("dia_danh", g.Place, maxPlaceName, plainText, true)
	if c.text("lop", g.Class, 20, plainText, true) && !validClass(g.Class) {
		c.add("lop", g.Class, ReasonBadFormat, "want a grade from 6 to 12 and the class, e.g. 10A1")
	}
	y1 := c.schoolYear("nam_hoc", g.SchoolYear)
	termOK := enum(c, "hoc_ky", g.Term, parseTerm, "HK1, HK2 or CN", true)
	kindOK := enum(c, "loai_mon", g.SubjectKind, parseSubjectKind, "diem or nhan_xet", true)

	if termOK {
		switch {
		case g.Term == TermYear && g.RegularCount != 0:
			c.add("so_ddgtx", strconv.Itoa(g.RegularCount), ReasonInconsistent, "a year (CN) gradebook has no ĐĐGtx; leave it out")
		case g.Term != TermYear && g.RegularCount == 0:
			c.add("so_ddgtx", "", ReasonRequired, "")
		case g.Term != TermYear && (g.RegularCount < MinRegularCount || g.RegularCount > MaxRegularCount):
			c.add("so_ddgtx", strconv.Itoa(g.RegularCount), ReasonOutOfRange,
				fmt.Sprintf("want %d–%d (Thông tư 22/2021 Điều 6)", MinRegularCount, MaxRegularCount))
		}
	}
	dateOK := c.date("ngay_ky", g.SignDate)
	if dateOK && y1 > 0 {
		c.withinSchoolYear("ngay_ky", g.SignDate, y1, "nam_hoc")
	}

	switch n := len(g.Students); {
	case n == 0:
		c.add("hoc_sinh", "", ReasonRequired, "want at least one student")
	case n > MaxGradebookStudents:
		c.add("hoc_sinh", strconv.Itoa(n), ReasonOutOfRange, fmt.Sprintf("%d students, want at most %d", n, MaxGradebookStudents))
		return c.err()
	}
	ids := map[string]int{}
	for i := range g.Students {
		s := &g.Students[i]
		p := fmt.Sprintf("hoc_sinh[%d].", i+1)
		if s.No != i+1 {
			c.add(p+"stt", strconv.Itoa(s.No), ReasonInconsistent, fmt.Sprintf("want %d: students are numbered 1, 2, … in order", i+1))
		}
		if c.text(p+"ma_hs", s.ID, 20, plainText, true) {
			if !validStudentID(s.ID) {
				c.add(p+"ma_hs", s.ID, ReasonBadFormat, "want 6–20 letters and digits")
			} else if first, dup := ids[s.ID]; dup {
				c.add(p+"ma_hs", s.ID, ReasonDuplicate, fmt.Sprintf("also student %d", first))
			} else {
				ids[s.ID] = i + 1
			}
		}
		c.text(p+"ho_ten", s.FullName, maxPersonName, personName, true)
		c.birthDate(p+"ngay_sinh", s.DateOfBirth, y1, g.SignDate, dateOK)
		if termOK && kindOK {
			g.checkMarks(c, p, s)
		}
	}
	return c.err()
}

func (g *Gradebook) checkMarks(c *checker, p string, s *GradebookStudent) {
	k := g.SubjectKind
	if g.Term == TermYear {
		const why = "a year (CN) gradebook holds only hk1, hk2 and cn"
		if len(s.Regular) > 0 {
			c.add(p+"ddgtx", fmt.Sprint(len(s.Regular)), ReasonInconsistent, why)
		}
		c.absent(p+"ddggk", s.MidTerm, why)
		c.absent(p+"ddgck", s.Final, why)
		c.absent(p+"dtbmhk", s.TermAverage, why)
		c.mark(p+"hk1", s.TermI, k, true)
		c.mark(p+"hk2", s.TermII, k, true)
		c.mark(p+"cn", s.Year, k, true)
		return
	}
	const why = "a term gradebook holds no hk1, hk2 or cn; they belong to the year (CN) gradebook"
	c.absent(p+"hk1", s.TermI, why)
	c.absent(p+"hk2", s.TermII, why)
	c.absent(p+"cn", s.Year, why)
	if g.RegularCount >= MinRegularCount && g.RegularCount <= MaxRegularCount && len(s.Regular) != g.RegularCount {
		c.add(p+"ddgtx", fmt.Sprint(len(s.Regular)), ReasonInconsistent,
			fmt.Sprintf("%d ĐĐGtx, want so_ddgtx = %d", len(s.Regular), g.RegularCount))
	}
	for j, m := range s.Regular {
		c.mark(fmt.Sprintf("%sddgtx[%d]", p, j+1), m, k, true)
	}
	c.mark(p+"ddggk", s.MidTerm, k, true)
	c.mark(p+"ddgck", s.Final, k, true)
	c.mark(p+"dtbmhk", s.TermAverage, k, true)
}

// GradebookCSVColumns returns the columns of a gradebook CSV file, in the
// order WriteGradebookCSV writes them. A gradebook CSV has one row per
// student; the gradebook's own fields are repeated on every row, so that the
// file stands alone and one file may hold several gradebooks (a change in any
// of the first eleven columns starts the next one).
//
//	so_gddt     Sở GD&ĐT              department of education
//	truong      Trường                school
//	nam_hoc     Năm học               school year, 2024-2025
//	hoc_ky      Học kì                HK1, HK2 or CN
//	lop         Lớp                   class, 10A1
//	mon_hoc     Môn học               subject
//	loai_mon    Loại môn              diem (scores) or nhan_xet (comment only)
//	so_ddgtx    Số ĐĐGtx              2–4 regular assessments per term; blank for CN
//	giao_vien   Giáo viên bộ môn      subject teacher
//	dia_danh    Địa danh              place written before the date
//	ngay_ky     Ngày ký               dd/mm/yyyy
//	stt         STT                   1, 2, … in order
//	ma_hs       Mã định danh          student identifier
//	ho_ten      Họ và tên             full name
//	ngay_sinh   Ngày sinh             dd/mm/yyyy
//	ddgtx1–4    ĐĐGtx1–ĐĐGtx4         regular marks; so_ddgtx of them, the rest blank
//	ddggk       ĐĐGgk                 mid-term mark
//	ddgck       ĐĐGck                 final mark
//	dtbmhk      ĐTBmhk                term average or Đ/CĐ
//	hk1         HK I                  CN only: term I average or Đ/CĐ
//	hk2         HK II                 CN only: term II average or Đ/CĐ
//	cn          Cả năm                CN only: year average or Đ/CĐ
//
// Marks are written "8.5" (a decimal point, as JSON); a reader should also
// accept "8,5". For a term the hk1, hk2 and cn cells are blank; for CN the
// ddgtx1 to dtbmhk cells are.
func GradebookCSVColumns() []string {
	return []string{
		"so_gddt", "truong", "nam_hoc", "hoc_ky", "lop", "mon_hoc", "loai_mon", "so_ddgtx", "giao_vien",
		"dia_danh", "ngay_ky",
		"stt", "ma_hs", "ho_ten", "ngay_sinh",
		"ddgtx1", "ddgtx2", "ddgtx3", "ddgtx4", "ddggk", "ddgck", "dtbmhk",
		"hk1", "hk2", "cn",
	}
}

// WriteGradebookCSV writes gradebooks as one CSV file in the layout of
// GradebookCSVColumns: UTF-8 without a byte order mark, comma separated,
// dates as dd/mm/yyyy. A gradebook with more than four ĐĐGtx for a student
// cannot be written.
func WriteGradebookCSV(w io.Writer, gs ...*Gradebook) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(GradebookCSVColumns()); err != nil {
		return fmt.Errorf("write gradebook CSV header: %w", err)
	}
	for _, g := range gs {
		regular := ""
		if g.RegularCount != 0 {
			regular = strconv.Itoa(g.RegularCount)
		}
		for i := range g.Students {
			s := &g.Students[i]
			if len(s.Regular) > MaxRegularCount {
				return fmt.Errorf("write gradebook CSV: student %d has %d ĐĐGtx, want at most %d", i+1, len(s.Regular), MaxRegularCount)
			}
			rec := []string{
				g.Department, g.School, g.SchoolYear, string(g.Term), g.Class, g.Subject, string(g.SubjectKind), regular,
				g.Teacher, g.Place, dateCell(g.SignDate),
				strconv.Itoa(s.No), s.ID, s.FullName, dateCell(s.DateOfBirth),
			}
			for j := 0; j < MaxRegularCount; j++ {
				m := Mark("")
				if j < len(s.Regular) {
					m = s.Regular[j]
				}
				rec = append(rec, string(m))
			}
			rec = append(rec, string(s.MidTerm), string(s.Final), string(s.TermAverage),
				string(s.TermI), string(s.TermII), string(s.Year))
			if err := cw.Write(rec); err != nil {
				return fmt.Errorf("write gradebook CSV row %d: %w", i+2, err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write gradebook CSV: %w", err)
	}
	return nil
}

// GradebookCSV returns gradebooks as a CSV file, as WriteGradebookCSV writes
// it.
func GradebookCSV(gs ...*Gradebook) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteGradebookCSV(&b, gs...); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func dateCell(d Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// termTitle returns "Học kì I", "Học kì II" or "Cả năm học".
func termTitle(t Term) string {
	if t == TermYear {
		return "Cả năm học"
	}
	return t.Label()
}

// describe returns a short description of the gradebook for running headers
// and metadata: "Lớp 10A1 – Môn Toán – Học kì I – Năm học 2024-2025".
func (g *Gradebook) describe() string {
	return strings.Join([]string{"Lớp " + g.Class, "Môn " + g.Subject, termTitle(g.Term), "Năm học " + g.SchoolYear}, " – ")
}
