package templates

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

func sampleTranscript(t testing.TB, i int) Transcript {
	t.Helper()
	tr, err := SampleTranscript(i)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTranscriptValidate(t *testing.T) {
	tests := []struct {
		name    string
		student int
		edit    func(t *Transcript)
		field   string
		reason  Reason
	}{
		{"missing department", sampleStrong, func(t *Transcript) { t.Department = "" }, "so_gddt", ReasonRequired},
		{"bad class", sampleStrong, func(t *Transcript) { t.Class = "13A" }, "lop", ReasonBadFormat},
		{"bad school year", sampleStrong, func(t *Transcript) { t.SchoolYear = "2024" }, "nam_hoc", ReasonBadFormat},
		{"approval outside year", sampleStrong, func(t *Transcript) { t.ApprovalDate = Date{2026, time.June, 1} }, "ngay_duyet", ReasonInconsistent},
		{"no approval date", sampleStrong, func(t *Transcript) { t.ApprovalDate = Date{} }, "ngay_duyet", ReasonRequired},
		{"bad student ID", sampleStrong, func(t *Transcript) { t.Student.ID = "abc" }, "hoc_sinh.ma_hs", ReasonBadFormat},
		{"name with digit", sampleStrong, func(t *Transcript) { t.Student.FullName = "Trần Thị 2" }, "hoc_sinh.ho_ten", ReasonBadCharacter},
		{"NFD name", sampleStrong, func(t *Transcript) { t.Student.FullName = norm.NFD.String(t.Student.FullName) }, "hoc_sinh.ho_ten", ReasonBadFormat},
		{"gender", sampleStrong, func(t *Transcript) { t.Student.Gender = "N" }, "hoc_sinh.gioi_tinh", ReasonBadValue},
		{"no ethnicity", sampleStrong, func(t *Transcript) { t.Student.Ethnicity = "" }, "hoc_sinh.dan_toc", ReasonRequired},
		{"address too long", sampleStrong, func(t *Transcript) { t.Student.Address = strings.Repeat("Ấp Phú Hòa, ", 13) }, "hoc_sinh.cho_o", ReasonTooLong},
		{"birth after approval", sampleStrong, func(t *Transcript) { t.Student.DateOfBirth = Date{2025, time.June, 1} }, "hoc_sinh.ngay_sinh", ReasonInconsistent},
		{"no subjects", sampleStrong, func(t *Transcript) { t.Subjects = nil }, "mon_hoc", ReasonRequired},
		{"too many subjects", sampleStrong, func(t *Transcript) {
			for i := 0; i < 4; i++ {
				s := t.Subjects[0]
				s.Name += " " + strings.Repeat("I", i+1)
				t.Subjects = append(t.Subjects, s)
			}
		}, "mon_hoc", ReasonOutOfRange},
		{"duplicate subject", sampleStrong, func(t *Transcript) { t.Subjects[3].Name = "toan" }, "mon_hoc[4].ten", ReasonDuplicate},
		{"subject kind", sampleStrong, func(t *Transcript) { t.Subjects[0].Kind = "x" }, "mon_hoc[1].loai", ReasonBadValue},
		{"score 11", sampleStrong, func(t *Transcript) { t.Subjects[1].Year = "11.0" }, "mon_hoc[2].cn", ReasonOutOfRange},
		{"missing term mark", sampleStrong, func(t *Transcript) { t.Subjects[1].TermII = "" }, "mon_hoc[2].hk2", ReasonRequired},
		{"score for a comment subject", sampleStrong, func(t *Transcript) { t.Subjects[4].TermI = "9.0" }, "mon_hoc[5].hk1", ReasonBadValue},
		{"verdict for a scored subject", sampleStrong, func(t *Transcript) { t.Subjects[0].Retest = "Đ" }, "mon_hoc[1].kiem_tra_lai", ReasonBadValue},
		{"no teacher", sampleStrong, func(t *Transcript) { t.Subjects[2].Teacher = "" }, "mon_hoc[3].giao_vien", ReasonRequired},
		{"missing learning", sampleStrong, func(t *Transcript) { t.TermII.Learning = "" }, "hk2.hoc_tap", ReasonRequired},
		{"old rating", sampleStrong, func(t *Transcript) { t.Year.Conduct = "Giỏi" }, "ca_nam.ren_luyen", ReasonBadValue},
		{"rating not canonical", sampleStrong, func(t *Transcript) { t.Year.Conduct = "tốt" }, "ca_nam.ren_luyen", ReasonBadFormat},
		{"after retest without retests", sampleStrong, func(t *Transcript) { t.LearningAfterRetest = RatingPass }, "hoc_tap_sau_kiem_tra_lai", ReasonInconsistent},
		{"retests without the result", sampleWeak, func(t *Transcript) { t.LearningAfterRetest = "" }, "hoc_tap_sau_kiem_tra_lai", ReasonRequired},
		{"days absent", sampleStrong, func(t *Transcript) { t.DaysAbsent = -1 }, "so_buoi_nghi", ReasonOutOfRange},
		{"no promotion", sampleStrong, func(t *Transcript) { t.Promotion = "" }, "xet_len_lop", ReasonRequired},
		{"unknown promotion", sampleStrong, func(t *Transcript) { t.Promotion = "Lưu ban hai năm" }, "xet_len_lop", ReasonBadValue},
		{"promotion after without retest", sampleStrong, func(t *Transcript) { t.PromotionAfter = PromotionUp }, "xet_len_lop_sau", ReasonInconsistent},
		{"promotion after is a retest", sampleWeak, func(t *Transcript) { t.PromotionAfter = PromotionRetest }, "xet_len_lop_sau", ReasonBadValue},
		{"unknown title", sampleStrong, func(t *Transcript) { t.Title = "Học sinh Tiên tiến" }, "danh_hieu", ReasonBadValue},
		{"title not canonical", sampleStrong, func(t *Transcript) { t.Title = "xuất sắc" }, "danh_hieu", ReasonBadFormat},
		{"too many awards", sampleStrong, func(t *Transcript) { t.Awards = []string{"a", "b", "c", "d", "e"} }, "khen_thuong", ReasonOutOfRange},
		{"blank award", sampleStrong, func(t *Transcript) { t.Awards[1] = "" }, "khen_thuong[2]", ReasonRequired},
		{"comment with a tab", sampleStrong, func(t *Transcript) { t.HomeroomComment = "Ngoan\tlễ phép" }, "nhan_xet_gvcn", ReasonBadFormat},
		{"comment with markup", sampleStrong, func(t *Transcript) { t.HomeroomComment = "Ngoan <b>lễ phép</b>" }, "nhan_xet_gvcn", ReasonBadCharacter},
		{"comment too long", sampleStrong, func(t *Transcript) { t.HomeroomComment = strings.Repeat("Ngoan ngoãn. ", 50) }, "nhan_xet_gvcn", ReasonTooLong},
		{"no homeroom teacher", sampleStrong, func(t *Transcript) { t.HomeroomTeacher = "" }, "gvcn", ReasonRequired},
		{"no principal", sampleStrong, func(t *Transcript) { t.Principal = "" }, "hieu_truong", ReasonRequired},
		{"corrections without subjects", sampleStrong, func(t *Transcript) { t.Corrections = 2 }, "mon_sua_chua", ReasonRequired},
		{"subjects without corrections", sampleWeak, func(t *Transcript) { t.Corrections = 0 }, "mon_sua_chua", ReasonInconsistent},
		{"more subjects than corrections", sampleWeak, func(t *Transcript) { t.Corrections = 1 }, "mon_sua_chua", ReasonInconsistent},
		{"corrected subject not in table", sampleWeak, func(t *Transcript) { t.CorrectedSubjects[1] = "Âm nhạc" }, "mon_sua_chua[2]", ReasonInconsistent},
		{"corrected subject twice", sampleWeak, func(t *Transcript) { t.CorrectedSubjects[1] = "Toán" }, "mon_sua_chua[2]", ReasonDuplicate},
		{"corrections out of range", sampleStrong, func(t *Transcript) { t.Corrections = 100 }, "so_cho_sua", ReasonOutOfRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := sampleTranscript(t, tc.student)
			if err := tr.Validate(); err != nil {
				t.Fatalf("sample transcript is invalid: %v", err)
			}
			tc.edit(&tr)
			err := tr.Validate()
			if !problemAt(err, tc.field, tc.reason) {
				t.Fatalf("got %v, want a problem at %q with reason %v", err, tc.field, tc.reason)
			}
		})
	}
}

func TestTranscriptNormalize(t *testing.T) {
	want := sampleTranscript(t, sampleWeak)
	tr := want.clone()
	tr.Student.FullName = norm.NFD.String(" " + tr.Student.FullName)
	tr.Student.Gender = "nam"
	tr.SchoolYear = "2024/2025"
	tr.Subjects[1].Kind = "Điểm số"
	tr.Subjects[1].TermI = Mark(Score(tr.Subjects[1].TermI).Vietnamese())
	tr.Subjects[4].Year = "chưa đạt"
	tr.Year.Learning = "chua dat"
	tr.TermI.Conduct = "ĐẠT"
	tr.Promotion = "kiem tra lai"
	tr.PromotionAfter = "được lên lớp"
	tr.CorrectedSubjects[0] = norm.NFD.String("Toán ")
	tr.HomeroomComment = strings.ReplaceAll(tr.HomeroomComment, " ", "  ")
	tr.Normalize()
	if !reflect.DeepEqual(*tr, want) {
		t.Errorf("Normalize: got %+v, want %+v", *tr, want)
	}
	s := sampleTranscript(t, sampleStrong)
	s.Title = "xuat sac"
	s.Normalize()
	if s.Title != TitleExcellent {
		t.Errorf("Normalize title: got %q, want %q", s.Title, TitleExcellent)
	}
}

func TestTranscriptClone(t *testing.T) {
	tr := sampleTranscript(t, sampleStrong)
	c := tr.clone()
	c.Subjects[0].Name = "X"
	c.Awards[0] = "X"
	if tr.Subjects[0].Name == "X" || tr.Awards[0] == "X" {
		t.Error("clone shares slices with the original")
	}
}

func TestSubjectTeacherRole(t *testing.T) {
	for in, want := range map[string]string{
		"Toán":              "gvbm:toan",
		"Giáo dục thể chất": "gvbm:giao_duc_the_chat",
		"Hoạt động trải nghiệm, hướng nghiệp": "gvbm:hoat_dong_trai_nghiem_huong_nghiep",
		norm.NFD.String("Đạo đức"):            "gvbm:dao_duc",
	} {
		if got := SubjectTeacherRole(in); got != want {
			t.Errorf("SubjectTeacherRole(%q): got %q, want %q", in, got, want)
		}
	}
}
