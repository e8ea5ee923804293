package assessment

import (
	"errors"
	"testing"
)

func TestMismatchMessage(t *testing.T) {
	// The message is the product here: it is what a school sees.
	tests := []struct {
		e    MismatchError
		want string
	}{
		{MismatchError{Student: "Nguyễn Văn A", Subject: "Toán", Field: FieldTermAverage, Got: "7,4", Want: "7,5"},
			"student Nguyễn Văn A, subject Toán: ĐTBmhk is 7,4, expected 7,5"},
		{MismatchError{Student: "Trần Thị Ĩnh", Field: FieldLearning, Got: "Tốt", Want: "Khá"},
			"student Trần Thị Ĩnh: kết quả học tập is Tốt, expected Khá"},
		{MismatchError{Subject: "Toán", Field: FieldYearAverage, Got: "7,4", Want: "7,5"},
			"subject Toán: ĐTBmcn is 7,4, expected 7,5"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// wantMismatch asserts err is a *MismatchError with the given field and values.
func wantMismatch(t *testing.T, name string, err error, f Field, got, want string) {
	t.Helper()
	var me *MismatchError
	if !errors.As(err, &me) || !errors.Is(err, ErrMismatch) {
		t.Errorf("%s: got %v, want *MismatchError", name, err)
		return
	}
	if me.Field != f || me.Got != got || me.Want != want {
		t.Errorf("%s: got %s %s/%s, want %s %s/%s", name, me.Field, me.Got, me.Want, f, got, want)
	}
}

func TestCheckTermAverage(t *testing.T) {
	reg := []Score{80, 80, 80}
	// Điều 9 khoản 1b: 8,25 → 8,3; a gradebook that truncated says 8,2.
	if err := CheckTermAverage("Nguyễn Văn A", "Toán", reg, 90, 80, 70, 83); err != nil {
		t.Errorf("Điều 9 khoản 1b: matching 8,3: got %v, want nil", err)
	}
	err := CheckTermAverage("Nguyễn Văn A", "Toán", reg, 90, 80, 70, 82)
	wantMismatch(t, "Điều 9 khoản 1b: truncated 8,2", err, FieldTermAverage, "8,2", "8,3")
	var me *MismatchError
	if errors.As(err, &me) && (me.Student != "Nguyễn Văn A" || me.Subject != "Toán") {
		t.Errorf("got student %q subject %q, want Nguyễn Văn A, Toán", me.Student, me.Subject)
	}
	err = CheckTermAverage("A", "Toán", reg, 90, 80, 105, 83)
	checkReason(t, "Điều 6 khoản 2b: 3 ĐĐGtx for 105 periods", err, ReasonTooFewRegular, 0)
	err = CheckTermAverage("A", "Toán", reg, 90, 80, 70, 101)
	checkReason(t, "recorded average above 10", err, 0, ScoreAboveMax)
}

func TestCheckYearAverage(t *testing.T) {
	if err := CheckYearAverage("A", "Ngữ văn", 64, 65, 65); err != nil {
		t.Errorf("Điều 9 khoản 1b: (6,4 + 13,0)/3 → 6,5: got %v, want nil", err)
	}
	// A spreadsheet weighting the terms equally says (8,0 + 6,0)/2 = 7,0; the rule says (8,0 + 12,0)/3 = 6,7.
	err := CheckYearAverage("A", "Ngữ văn", 80, 60, 70)
	wantMismatch(t, "Điều 9 khoản 1b: equal weights instead of 1:2", err, FieldYearAverage, "7,0", "6,7")
	err = CheckYearAverage("A", "Ngữ văn", 80, 60, -1)
	checkReason(t, "recorded average negative", err, 0, ScoreNegative)
}

func TestCheckCommentYear(t *testing.T) {
	if err := CheckCommentYear("A", gdtc, LevelChuaDat, LevelDat, LevelDat); err != nil {
		t.Errorf("Điều 9 khoản 1a: got %v, want nil", err)
	}
	err := CheckCommentYear("A", gdtc, LevelDat, LevelChuaDat, LevelDat)
	wantMismatch(t, "Điều 9 khoản 1a: year follows HKII", err, FieldCommentYear, "Đạt", "Chưa đạt")
	err = CheckCommentYear("A", gdtc, LevelDat, LevelDat, LevelKha)
	checkReason(t, "recorded Khá for a comment-graded subject", err, ReasonLevel, 0)
}

func TestCheckLearningResult(t *testing.T) {
	year := results(rep(90, 8), gdtc)
	if err := CheckLearningResult("A", year, LevelKha); err != nil {
		t.Errorf("Điều 9 khoản 3: adjusted Khá: got %v, want nil", err)
	}
	err := CheckLearningResult("A", year, LevelDat)
	wantMismatch(t, "Điều 9 khoản 3: school forgot the adjustment", err, FieldLearning, "Đạt", "Khá")
	err = CheckLearningResult("A", year, LevelTot)
	wantMismatch(t, "Điều 9 khoản 2a: Tốt with a comment-graded Chưa đạt", err, FieldLearning, "Tốt", "Khá")
	err = CheckLearningResult("A", year, 0)
	checkReason(t, "recorded level unset", err, ReasonLevel, 0)
	err = CheckLearningResult("A", nil, LevelTot)
	checkReason(t, "no subjects", err, ReasonNoSubjects, 0)
}

func TestCheckConductYear(t *testing.T) {
	if err := CheckConductYear("A", LevelTot, LevelDat, LevelKha); err != nil {
		t.Errorf("Điều 8 khoản 2b: got %v, want nil", err)
	}
	err := CheckConductYear("A", LevelChuaDat, LevelTot, LevelTot)
	wantMismatch(t, "Điều 8 khoản 2b: HKII Tốt, HKI Chưa đạt", err, FieldConduct, "Tốt", "Khá")
	err = CheckConductYear("A", LevelTot, LevelTot, 9)
	checkReason(t, "recorded level out of range", err, ReasonLevel, 0)
}

func TestCheckTitle(t *testing.T) {
	year := results(rep(90, 5, 89, 80, 80))
	if err := CheckTitle("A", LevelTot, year, TitleGioi); err != nil {
		t.Errorf("Điều 15: got %v, want nil", err)
	}
	err := CheckTitle("A", LevelTot, year, TitleXuatSac)
	wantMismatch(t, "Điều 15: 5 subjects at 9,0", err, FieldTitle, "Học sinh Xuất sắc", "Học sinh Giỏi")
	err = CheckTitle("A", LevelKha, year, TitleGioi)
	wantMismatch(t, "Điều 15: conduct Khá", err, FieldTitle, "Học sinh Giỏi", "none")
	err = CheckTitle("A", LevelTot, year, Title(7))
	checkReason(t, "unknown title", err, ReasonTitle, 0)
}

func TestCheckPromotion(t *testing.T) {
	if err := CheckPromotion("A", LevelDat, LevelDat, 45, Promoted); err != nil {
		t.Errorf("Điều 12: 45 sessions: got %v, want nil", err)
	}
	err := CheckPromotion("A", LevelDat, LevelDat, 46, Promoted)
	wantMismatch(t, "Điều 12: 46 sessions", err, FieldPromotion, "Lên lớp", "Ở lại lớp")
	err = CheckPromotion("A", LevelDat, LevelDat, -2, Promoted)
	checkReason(t, "negative absences", err, ReasonAbsences, 0)
}
