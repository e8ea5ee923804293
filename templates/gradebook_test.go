package templates

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

func sampleGradebook(t testing.TB, n int, term Term, subject string) Gradebook {
	t.Helper()
	g, err := SampleGradebook(n, term, subject)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// problemAt reports whether err lists a problem with reason r at field.
func problemAt(err error, field string, r Reason) bool {
	v, ok := err.(ValidationErrors)
	if !ok {
		return false
	}
	for _, e := range v {
		if e.Field == field && e.Reason == r {
			return true
		}
	}
	return false
}

func TestGradebookValidate(t *testing.T) {
	tests := []struct {
		name   string
		term   Term
		subj   string
		edit   func(g *Gradebook)
		field  string
		reason Reason
	}{
		{"missing school", TermI, "Toán", func(g *Gradebook) { g.School = "" }, "truong", ReasonRequired},
		{"teacher with digits", TermI, "Toán", func(g *Gradebook) { g.Teacher = "Nguyễn Thị Hà 2" }, "giao_vien", ReasonBadCharacter},
		{"teacher too long", TermI, "Toán", func(g *Gradebook) { g.Teacher = strings.Repeat("Nguyễn ", 10) + "Hà" }, "giao_vien", ReasonTooLong},
		{"NFD subject", TermI, "Toán", func(g *Gradebook) { g.Subject = norm.NFD.String("Toán") }, "mon_hoc", ReasonBadFormat},
		{"bad class", TermI, "Toán", func(g *Gradebook) { g.Class = "A1" }, "lop", ReasonBadFormat},
		{"school year not consecutive", TermI, "Toán", func(g *Gradebook) { g.SchoolYear = "2024-2026" }, "nam_hoc", ReasonBadFormat},
		{"school year before Thông tư 22", TermI, "Toán", func(g *Gradebook) { g.SchoolYear = "2019-2020" }, "nam_hoc", ReasonOutOfRange},
		{"school year not canonical", TermI, "Toán", func(g *Gradebook) { g.SchoolYear = "2024/2025" }, "nam_hoc", ReasonBadFormat},
		{"unknown term", TermI, "Toán", func(g *Gradebook) { g.Term = "HK3" }, "hoc_ky", ReasonBadValue},
		{"term not canonical", TermI, "Toán", func(g *Gradebook) { g.Term = "Học kì I" }, "hoc_ky", ReasonBadFormat},
		{"unknown kind", TermI, "Toán", func(g *Gradebook) { g.SubjectKind = "chu" }, "loai_mon", ReasonBadValue},
		{"no regular count", TermI, "Toán", func(g *Gradebook) { g.RegularCount = 0 }, "so_ddgtx", ReasonRequired},
		{"five regular", TermI, "Toán", func(g *Gradebook) { g.RegularCount = 5 }, "so_ddgtx", ReasonOutOfRange},
		{"regular count in CN", TermYear, "Toán", func(g *Gradebook) { g.RegularCount = 3 }, "so_ddgtx", ReasonInconsistent},
		{"sign date missing", TermI, "Toán", func(g *Gradebook) { g.SignDate = Date{} }, "ngay_ky", ReasonRequired},
		{"sign date impossible", TermI, "Toán", func(g *Gradebook) { g.SignDate = Date{2025, time.February, 30} }, "ngay_ky", ReasonNotDate},
		{"sign date outside year", TermI, "Toán", func(g *Gradebook) { g.SignDate = Date{2023, time.December, 30} }, "ngay_ky", ReasonInconsistent},
		{"no students", TermI, "Toán", func(g *Gradebook) { g.Students = nil }, "hoc_sinh", ReasonRequired},
		{"numbering skips", TermI, "Toán", func(g *Gradebook) { g.Students[1].No = 3 }, "hoc_sinh[2].stt", ReasonInconsistent},
		{"duplicate ID", TermI, "Toán", func(g *Gradebook) { g.Students[2].ID = g.Students[0].ID }, "hoc_sinh[3].ma_hs", ReasonDuplicate},
		{"bad ID", TermI, "Toán", func(g *Gradebook) { g.Students[0].ID = "12-34" }, "hoc_sinh[1].ma_hs", ReasonBadFormat},
		{"name missing", TermI, "Toán", func(g *Gradebook) { g.Students[0].FullName = "" }, "hoc_sinh[1].ho_ten", ReasonRequired},
		{"born after signing", TermI, "Toán", func(g *Gradebook) { g.Students[0].DateOfBirth = Date{2025, time.March, 1} }, "hoc_sinh[1].ngay_sinh", ReasonInconsistent},
		{"too young", TermI, "Toán", func(g *Gradebook) { g.Students[0].DateOfBirth = Date{2016, time.March, 1} }, "hoc_sinh[1].ngay_sinh", ReasonInconsistent},
		{"score 11", TermI, "Toán", func(g *Gradebook) { g.Students[0].Final = "11" }, "hoc_sinh[1].ddgck", ReasonOutOfRange},
		{"score 8,5a", TermI, "Toán", func(g *Gradebook) { g.Students[0].Regular[1] = "8,5a" }, "hoc_sinh[1].ddgtx[2]", ReasonBadFormat},
		{"two decimals", TermI, "Toán", func(g *Gradebook) { g.Students[0].TermAverage = "8.25" }, "hoc_sinh[1].dtbmhk", ReasonBadFormat},
		{"score not canonical", TermI, "Toán", func(g *Gradebook) { g.Students[0].MidTerm = "8,5" }, "hoc_sinh[1].ddggk", ReasonBadFormat},
		{"verdict in a scored subject", TermI, "Toán", func(g *Gradebook) { g.Students[0].MidTerm = "Đ" }, "hoc_sinh[1].ddggk", ReasonBadValue},
		{"missing final", TermI, "Toán", func(g *Gradebook) { g.Students[1].Final = "" }, "hoc_sinh[2].ddgck", ReasonRequired},
		{"missing average", TermII, "Toán", func(g *Gradebook) { g.Students[1].TermAverage = "" }, "hoc_sinh[2].dtbmhk", ReasonRequired},
		{"too few regular", TermI, "Toán", func(g *Gradebook) { g.Students[0].Regular = g.Students[0].Regular[:3] }, "hoc_sinh[1].ddgtx", ReasonInconsistent},
		{"year mark in a term", TermI, "Toán", func(g *Gradebook) { g.Students[0].Year = "8.0" }, "hoc_sinh[1].cn", ReasonInconsistent},
		{"term marks in CN", TermYear, "Toán", func(g *Gradebook) { g.Students[0].Final = "8.0" }, "hoc_sinh[1].ddgck", ReasonInconsistent},
		{"regular marks in CN", TermYear, "Toán", func(g *Gradebook) { g.Students[0].Regular = []Mark{"8.0"} }, "hoc_sinh[1].ddgtx", ReasonInconsistent},
		{"missing year mark", TermYear, "Toán", func(g *Gradebook) { g.Students[2].Year = "" }, "hoc_sinh[3].cn", ReasonRequired},
		{"score in a comment subject", TermI, "Giáo dục thể chất", func(g *Gradebook) { g.Students[0].TermAverage = "8.0" }, "hoc_sinh[1].dtbmhk", ReasonBadValue},
		{"verdict not canonical", TermI, "Giáo dục thể chất", func(g *Gradebook) { g.Students[0].Final = "Đạt" }, "hoc_sinh[1].ddgck", ReasonBadFormat},
		{"nonsense verdict", TermYear, "Giáo dục thể chất", func(g *Gradebook) { g.Students[0].Year = "Tốt" }, "hoc_sinh[1].cn", ReasonBadValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := sampleGradebook(t, 3, tc.term, tc.subj)
			if err := g.Validate(); err != nil {
				t.Fatalf("sample gradebook is invalid: %v", err)
			}
			tc.edit(&g)
			err := g.Validate()
			if !problemAt(err, tc.field, tc.reason) {
				t.Fatalf("got %v, want a problem at %q with reason %v", err, tc.field, tc.reason)
			}
			if !HasReason(err, tc.reason) {
				t.Errorf("HasReason(%v): got false", tc.reason)
			}
		})
	}
}

func TestGradebookValidateTooManyStudents(t *testing.T) {
	g := sampleGradebook(t, MaxGradebookStudents, TermI, "Toán")
	if err := g.Validate(); err != nil {
		t.Fatalf("%d students: %v", MaxGradebookStudents, err)
	}
	g.Students = append(g.Students, g.Students[0])
	if err := g.Validate(); !problemAt(err, "hoc_sinh", ReasonOutOfRange) {
		t.Errorf("got %v, want hoc_sinh out of range", err)
	}
}

func TestGradebookNormalize(t *testing.T) {
	want := sampleGradebook(t, 3, TermI, "Toán")
	g := want.clone()
	g.School = "  " + norm.NFD.String(g.School) + "\t"
	g.SchoolYear = "2024 – 2025"
	g.Term = "Học kì I"
	g.SubjectKind = "Điểm số"
	g.Teacher = norm.NFD.String("Nguyễn  Thị Thu Hà")
	g.Students[0].FullName = norm.NFD.String(g.Students[0].FullName)
	g.Students[0].Regular[0] = Mark(Score(want.Students[0].Regular[0]).Vietnamese())
	g.Students[1].TermAverage = Mark(" " + Score(want.Students[1].TermAverage).Vietnamese() + " ")
	if err := g.Validate(); err == nil {
		t.Fatal("the unnormalised gradebook validates, want problems")
	}
	g.Normalize()
	if !reflect.DeepEqual(*g, want) {
		t.Errorf("Normalize: got %+v, want %+v", *g, want)
	}
	again := g.clone()
	again.Normalize()
	if !reflect.DeepEqual(again, g) {
		t.Error("Normalize is not idempotent")
	}

	c := sampleGradebook(t, 2, TermI, "Giáo dục thể chất")
	c.Students[0].Final = "đạt"
	c.Students[1].Final = "chưa đạt"
	c.Normalize()
	if c.Students[0].Final != "Đ" || c.Students[1].Final != "CĐ" {
		t.Errorf("Normalize verdicts: got %q, %q, want Đ, CĐ", c.Students[0].Final, c.Students[1].Final)
	}
}

func TestGradebookClone(t *testing.T) {
	g := sampleGradebook(t, 2, TermI, "Toán")
	c := g.clone()
	c.Students[0].FullName = "X"
	c.Students[0].Regular[0] = "0.0"
	if g.Students[0].FullName == "X" || g.Students[0].Regular[0] == "0.0" {
		t.Error("clone shares students with the original")
	}
}

func TestGradebookCSV(t *testing.T) {
	g := sampleGradebook(t, 45, TermI, "Toán")
	y := sampleGradebook(t, 45, TermYear, "Giáo dục thể chất")
	data, err := GradebookCSV(&g, &y)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cols := GradebookCSVColumns()
	if !slices.Equal(recs[0], cols) {
		t.Fatalf("header: got %q, want %q", recs[0], cols)
	}
	if len(recs) != 1+90 {
		t.Fatalf("got %d rows, want 91", len(recs))
	}
	cell := func(row int, col string) string { return recs[row][slices.Index(cols, col)] }
	s := g.Students[4]
	for col, want := range map[string]string{
		"truong": g.School, "hoc_ky": "HK1", "loai_mon": "diem", "so_ddgtx": "4", "ngay_ky": "10/01/2025",
		"stt": "5", "ma_hs": s.ID, "ho_ten": s.FullName, "ngay_sinh": s.DateOfBirth.String(),
		"ddgtx1": string(s.Regular[0]), "ddgtx4": string(s.Regular[3]), "ddggk": string(s.MidTerm),
		"ddgck": string(s.Final), "dtbmhk": string(s.TermAverage), "hk1": "", "cn": "",
	} {
		if got := cell(5, col); got != want {
			t.Errorf("row 6 %s: got %q, want %q", col, got, want)
		}
	}
	ys := y.Students[44]
	for col, want := range map[string]string{
		"hoc_ky": "CN", "loai_mon": "nhan_xet", "so_ddgtx": "", "stt": "45", "ddgtx1": "", "dtbmhk": "",
		"hk1": string(ys.TermI), "hk2": string(ys.TermII), "cn": string(ys.Year),
	} {
		if got := cell(90, col); got != want {
			t.Errorf("row 91 %s: got %q, want %q", col, got, want)
		}
	}
	bad := sampleGradebook(t, 1, TermI, "Toán")
	bad.Students[0].Regular = append(bad.Students[0].Regular, "1.0")
	if _, err := GradebookCSV(&bad); err == nil {
		t.Error("five ĐĐGtx: got no error")
	}
}
