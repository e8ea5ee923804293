package templates

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Transcript is one school year of a student's học bạ (school record): the
// student's particulars, each subject's term and year marks with its
// teacher, the learning and conduct results, absences, the promotion
// decision, titles and awards, the homeroom teacher's comment and the count
// of corrections, and the principal's approval.
//
// Signers, in order: each subject teacher for their subject's row, the
// homeroom teacher (giáo viên chủ nhiệm) for the results, comment and
// corrections, the principal (hiệu trưởng), and the school's organisation
// certificate (the seal). See SignatureBoxes.
//
// Marks and results are carried as given: Validate checks their form and
// that the required ones are present, not the arithmetic or the rules that
// derive results from marks.
type Transcript struct {
	Department string      `json:"so_gddt"`  // e.g. "Sở Giáo dục và Đào tạo Bến Tre"
	School     string      `json:"truong"`   // e.g. "Trường THPT Chuyên Bến Tre"
	Place      string      `json:"dia_danh"` // place written before the approval date
	SchoolYear string      `json:"nam_hoc"`  // "2024-2025"
	Class      string      `json:"lop"`      // "10A1"
	Student    StudentInfo `json:"hoc_sinh"`

	Subjects []TranscriptSubject `json:"mon_hoc"` // in the order printed

	TermI  TermResult `json:"hk1"`    // học kì I
	TermII TermResult `json:"hk2"`    // học kì II
	Year   TermResult `json:"ca_nam"` // cả năm
	// LearningAfterRetest is the year's learning result after re-tests
	// (kiểm tra lại); set exactly when some subject has a Retest mark.
	LearningAfterRetest Rating `json:"hoc_tap_sau_kiem_tra_lai,omitempty"`
	// ConductAfterSummer is the conduct result after summer training
	// (rèn luyện trong hè), if there was one.
	ConductAfterSummer Rating `json:"ren_luyen_sau_he,omitempty"`

	// DaysAbsent is the number of sessions (buổi) missed in the year, the
	// count Thông tư 22/2021 Điều 12 limits to 45.
	DaysAbsent int `json:"so_buoi_nghi"`
	// Promotion is the decision at the end of the year.
	Promotion Promotion `json:"xet_len_lop"`
	// PromotionAfter is the decision after re-tests or summer training:
	// PromotionUp or PromotionRepeat, and only when Promotion is
	// PromotionRetest or PromotionSummer.
	PromotionAfter Promotion `json:"xet_len_lop_sau,omitempty"`

	Title  string   `json:"danh_hieu,omitempty"`   // TitleExcellent, TitleGood or empty
	Awards []string `json:"khen_thuong,omitempty"` // other awards, at most MaxAwards

	HomeroomComment string `json:"nhan_xet_gvcn"` // nhận xét của giáo viên chủ nhiệm
	HomeroomTeacher string `json:"gvcn"`          // giáo viên chủ nhiệm
	// Corrections is the number of corrections in the subject table (số chỗ
	// sửa chữa), confirmed by the homeroom teacher.
	Corrections int `json:"so_cho_sua"`
	// CorrectedSubjects names the subjects corrected; empty exactly when
	// Corrections is 0.
	CorrectedSubjects []string `json:"mon_sua_chua,omitempty"`

	Principal    string `json:"hieu_truong"` // hiệu trưởng
	ApprovalDate Date   `json:"ngay_duyet"`  // the principal's approval
}

// StudentInfo identifies the student of a học bạ.
type StudentInfo struct {
	ID           string `json:"ma_hs"`     // mã định danh học sinh
	FullName     string `json:"ho_ten"`    // họ và tên
	DateOfBirth  Date   `json:"ngay_sinh"` // ngày sinh
	Gender       string `json:"gioi_tinh"` // GenderMale or GenderFemale
	Ethnicity    string `json:"dan_toc"`   // dân tộc
	PlaceOfBirth string `json:"noi_sinh"`  // nơi sinh
	Address      string `json:"cho_o"`     // chỗ ở hiện tại
}

// TranscriptSubject is one row of the học bạ's subject table.
type TranscriptSubject struct {
	Name string      `json:"ten"`  // e.g. "Toán", "Giáo dục thể chất"
	Kind SubjectKind `json:"loai"` // diem or nhan_xet
	// TermI, TermII and Year are the averages (ĐTBmhkI, ĐTBmhkII, ĐTBmcn),
	// or Đ/CĐ for a subject assessed by comment only.
	TermI  Mark `json:"hk1"`
	TermII Mark `json:"hk2"`
	Year   Mark `json:"cn"`
	// Retest is the re-test mark (điểm kiểm tra lại / đánh giá lại), if any.
	Retest  Mark   `json:"kiem_tra_lai,omitempty"`
	Teacher string `json:"giao_vien"` // the subject teacher, who signs the row
}

// TermResult is the learning and conduct result of a term or the year.
type TermResult struct {
	Learning Rating `json:"hoc_tap"`   // kết quả học tập
	Conduct  Rating `json:"ren_luyen"` // kết quả rèn luyện
}

// Limits on học bạ.
const (
	// MaxTranscriptSubjects is the most subject rows a học bạ year holds
	// (the 2018 programme has at most 15 subjects and activities a year).
	MaxTranscriptSubjects = 15
	// MaxAwards is the most awards listed.
	MaxAwards = 4
	// MaxDaysAbsent bounds Transcript.DaysAbsent (two sessions a day).
	MaxDaysAbsent = 400
	// MaxCorrections bounds Transcript.Corrections.
	MaxCorrections = 99
	// maxCorrectedList bounds the corrected subjects as printed, joined
	// by ", ", in characters.
	maxCorrectedList = 300
)

// Normalize cleans every text field, mark and value in place, as
// Gradebook.Normalize does. It is idempotent and does not validate.
func (t *Transcript) Normalize() {
	st := &t.Student
	for _, p := range []*string{&t.Department, &t.School, &t.Place, &t.Class, &t.HomeroomComment, &t.HomeroomTeacher,
		&t.Principal, &st.ID, &st.FullName, &st.Gender, &st.Ethnicity, &st.PlaceOfBirth, &st.Address} {
		*p = cleanText(*p)
	}
	if g, ok := normalizeGender(st.Gender); ok {
		st.Gender = g
	}
	if y, _, ok := normalizeSchoolYear(t.SchoolYear); ok {
		t.SchoolYear = y
	} else {
		t.SchoolYear = cleanText(t.SchoolYear)
	}
	for i := range t.Subjects {
		s := &t.Subjects[i]
		s.Name = cleanText(s.Name)
		s.Teacher = cleanText(s.Teacher)
		s.Kind = normalizeEnum(s.Kind, parseSubjectKind)
		for _, m := range []*Mark{&s.TermI, &s.TermII, &s.Year, &s.Retest} {
			*m = normalizeMark(*m)
		}
	}
	for _, r := range []*TermResult{&t.TermI, &t.TermII, &t.Year} {
		r.Learning = normalizeEnum(r.Learning, parseRating)
		r.Conduct = normalizeEnum(r.Conduct, parseRating)
	}
	t.LearningAfterRetest = normalizeEnum(t.LearningAfterRetest, parseRating)
	t.ConductAfterSummer = normalizeEnum(t.ConductAfterSummer, parseRating)
	t.Promotion = normalizeEnum(t.Promotion, parsePromotion)
	t.PromotionAfter = normalizeEnum(t.PromotionAfter, parsePromotion)
	t.Title = cleanText(t.Title)
	if v, ok := parseTitle(t.Title); ok {
		t.Title = v
	}
	for i := range t.Awards {
		t.Awards[i] = cleanText(t.Awards[i])
	}
	for i := range t.CorrectedSubjects {
		t.CorrectedSubjects[i] = cleanText(t.CorrectedSubjects[i])
	}
}

// Validate reports every problem with t as a ValidationErrors, or nil. It
// expects t to have been normalised (see Normalize). Fields are named by
// their JSON path: "hoc_sinh.ngay_sinh", "mon_hoc[3].hk1", "ca_nam.hoc_tap".
//
// Besides the form of each field it checks that subject names are distinct,
// that each subject's marks suit its kind, that the after-retest result goes
// with re-test marks, that PromotionAfter follows a retest or summer
// decision, and that the corrected subjects are rows of the table and agree
// with the number of corrections.
func (t *Transcript) Validate() error {
	c := &checker{}
	c.text("so_gddt", t.Department, maxOrgName, plainText, true)
	c.text("truong", t.School, maxOrgName, plainText, true)
	c.text("dia_danh", t.Place, maxPlaceName, plainText, true)
	if c.text("lop", t.Class, 20, plainText, true) && !validClass(t.Class) {
		c.add("lop", t.Class, ReasonBadFormat, "want a grade from 6 to 12 and the class, e.g. 10A1")
	}
	y1 := c.schoolYear("nam_hoc", t.SchoolYear)
	dateOK := c.date("ngay_duyet", t.ApprovalDate)
	if dateOK && y1 > 0 {
		c.withinSchoolYear("ngay_duyet", t.ApprovalDate, y1, "nam_hoc")
	}

	st := &t.Student
	if c.text("hoc_sinh.ma_hs", st.ID, 20, plainText, true) && !validStudentID(st.ID) {
		c.add("hoc_sinh.ma_hs", st.ID, ReasonBadFormat, "want 6–20 letters and digits")
	}
	c.text("hoc_sinh.ho_ten", st.FullName, maxPersonName, personName, true)
	c.birthDate("hoc_sinh.ngay_sinh", st.DateOfBirth, y1, t.ApprovalDate, dateOK)
	if c.text("hoc_sinh.gioi_tinh", st.Gender, 10, plainText, true) {
		if g, ok := normalizeGender(st.Gender); !ok || g != st.Gender {
			c.add("hoc_sinh.gioi_tinh", st.Gender, ReasonBadValue, "want Nam or Nữ")
		}
	}
	c.text("hoc_sinh.dan_toc", st.Ethnicity, maxEthnicity, plainText, true)
	c.text("hoc_sinh.noi_sinh", st.PlaceOfBirth, maxOrgName, plainText, true)
	c.text("hoc_sinh.cho_o", st.Address, maxAddress, plainText, true)

	t.checkSubjects(c)

	for _, r := range []struct {
		name string
		r    *TermResult
	}{{"hk1", &t.TermI}, {"hk2", &t.TermII}, {"ca_nam", &t.Year}} {
		enum(c, r.name+".hoc_tap", r.r.Learning, parseRating, "Tốt, Khá, Đạt or Chưa đạt", true)
		enum(c, r.name+".ren_luyen", r.r.Conduct, parseRating, "Tốt, Khá, Đạt or Chưa đạt", true)
	}
	enum(c, "hoc_tap_sau_kiem_tra_lai", t.LearningAfterRetest, parseRating, "Tốt, Khá, Đạt or Chưa đạt", false)
	enum(c, "ren_luyen_sau_he", t.ConductAfterSummer, parseRating, "Tốt, Khá, Đạt or Chưa đạt", false)
	retests := false
	for _, s := range t.Subjects {
		retests = retests || s.Retest != ""
	}
	switch {
	case retests && t.LearningAfterRetest == "":
		c.add("hoc_tap_sau_kiem_tra_lai", "", ReasonRequired, "some subjects have a re-test mark")
	case !retests && t.LearningAfterRetest != "":
		c.add("hoc_tap_sau_kiem_tra_lai", string(t.LearningAfterRetest), ReasonInconsistent, "no subject has a re-test mark")
	}

	if t.DaysAbsent < 0 || t.DaysAbsent > MaxDaysAbsent {
		c.add("so_buoi_nghi", strconv.Itoa(t.DaysAbsent), ReasonOutOfRange, fmt.Sprintf("want 0–%d", MaxDaysAbsent))
	}
	const promotions = "Được lên lớp, Ở lại lớp, Rèn luyện trong hè or Kiểm tra lại"
	promoOK := enum(c, "xet_len_lop", t.Promotion, parsePromotion, promotions, true)
	if enum(c, "xet_len_lop_sau", t.PromotionAfter, parsePromotion, promotions, false) && t.PromotionAfter != "" {
		switch {
		case t.PromotionAfter != PromotionUp && t.PromotionAfter != PromotionRepeat:
			c.add("xet_len_lop_sau", string(t.PromotionAfter), ReasonBadValue, "want Được lên lớp or Ở lại lớp")
		case promoOK && t.Promotion != PromotionRetest && t.Promotion != PromotionSummer:
			c.add("xet_len_lop_sau", string(t.PromotionAfter), ReasonInconsistent,
				"only after a Kiểm tra lại or Rèn luyện trong hè decision")
		}
	}

	if t.Title != "" {
		if v, ok := parseTitle(t.Title); !ok {
			c.add("danh_hieu", t.Title, ReasonBadValue, "want "+TitleExcellent+" or "+TitleGood)
		} else if v != t.Title {
			c.add("danh_hieu", t.Title, ReasonBadFormat, "want the canonical form "+v)
		}
	}
	if len(t.Awards) > MaxAwards {
		c.add("khen_thuong", strconv.Itoa(len(t.Awards)), ReasonOutOfRange, fmt.Sprintf("%d awards, want at most %d", len(t.Awards), MaxAwards))
	} else {
		for i, a := range t.Awards {
			c.text(fmt.Sprintf("khen_thuong[%d]", i+1), a, maxAward, proseText, true)
		}
	}

	c.text("nhan_xet_gvcn", t.HomeroomComment, maxComment, proseText, true)
	c.text("gvcn", t.HomeroomTeacher, maxPersonName, personName, true)
	c.text("hieu_truong", t.Principal, maxPersonName, personName, true)
	t.checkCorrections(c)
	return c.err()
}

func (t *Transcript) checkSubjects(c *checker) {
	switch n := len(t.Subjects); {
	case n == 0:
		c.add("mon_hoc", "", ReasonRequired, "want at least one subject")
		return
	case n > MaxTranscriptSubjects:
		c.add("mon_hoc", strconv.Itoa(n), ReasonOutOfRange, fmt.Sprintf("%d subjects, want at most %d", n, MaxTranscriptSubjects))
		return
	}
	roles := map[string]int{}
	for i := range t.Subjects {
		s := &t.Subjects[i]
		p := fmt.Sprintf("mon_hoc[%d].", i+1)
		if c.text(p+"ten", s.Name, maxSubjectName, plainText, true) {
			// Subjects must differ in their signature role, which ignores
			// case and diacritics.
			role := SubjectTeacherRole(s.Name)
			if first, dup := roles[role]; dup {
				c.add(p+"ten", s.Name, ReasonDuplicate, fmt.Sprintf("also subject %d", first))
			} else {
				roles[role] = i + 1
			}
		}
		c.text(p+"giao_vien", s.Teacher, maxPersonName, personName, true)
		if enum(c, p+"loai", s.Kind, parseSubjectKind, "diem or nhan_xet", true) {
			c.mark(p+"hk1", s.TermI, s.Kind, true)
			c.mark(p+"hk2", s.TermII, s.Kind, true)
			c.mark(p+"cn", s.Year, s.Kind, true)
			c.mark(p+"kiem_tra_lai", s.Retest, s.Kind, false)
		}
	}
}

func (t *Transcript) checkCorrections(c *checker) {
	n := t.Corrections
	if n < 0 || n > MaxCorrections {
		c.add("so_cho_sua", strconv.Itoa(n), ReasonOutOfRange, fmt.Sprintf("want 0–%d", MaxCorrections))
		return
	}
	switch {
	case n == 0 && len(t.CorrectedSubjects) > 0:
		c.add("mon_sua_chua", t.CorrectedSubjects[0], ReasonInconsistent, "so_cho_sua is 0")
		return
	case n > 0 && len(t.CorrectedSubjects) == 0:
		c.add("mon_sua_chua", "", ReasonRequired, fmt.Sprintf("so_cho_sua is %d", n))
		return
	case len(t.CorrectedSubjects) > n:
		c.add("mon_sua_chua", strconv.Itoa(len(t.CorrectedSubjects)), ReasonInconsistent,
			fmt.Sprintf("%d subjects corrected in %d places", len(t.CorrectedSubjects), n))
		return
	}
	if n := utf8.RuneCountInString(strings.Join(t.CorrectedSubjects, ", ")); n > maxCorrectedList {
		c.add("mon_sua_chua", strconv.Itoa(len(t.CorrectedSubjects)), ReasonTooLong,
			fmt.Sprintf("%d characters listed, want at most %d", n, maxCorrectedList))
		return
	}
	names := map[string]bool{}
	for _, s := range t.Subjects {
		names[s.Name] = true
	}
	seen := map[string]bool{}
	for i, s := range t.CorrectedSubjects {
		f := fmt.Sprintf("mon_sua_chua[%d]", i+1)
		switch {
		case !c.text(f, s, maxSubjectName, plainText, true):
		case !names[s]:
			c.add(f, s, ReasonInconsistent, "not a subject of mon_hoc")
		case seen[s]:
			c.add(f, s, ReasonDuplicate, "")
		}
		seen[s] = true
	}
}

// schoolLevel returns the level printed under the title, from the class's
// grade: "TRUNG HỌC CƠ SỞ" for grades 6–9, "TRUNG HỌC PHỔ THÔNG" for 10–12.
func schoolLevel(class string) string {
	if g, ok := classGrade(class); ok && g <= 9 {
		return "TRUNG HỌC CƠ SỞ"
	}
	return "TRUNG HỌC PHỔ THÔNG"
}
