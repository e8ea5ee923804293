package assessment

import (
	"reflect"
	"testing"
)

func TestRetestSubjects(t *testing.T) {
	tests := []struct {
		name string
		year []SubjectResult
		want []string
	}{
		{"Điều 13 khoản 1: ĐTBmcn below 5,0 and comment-graded Chưa đạt",
			results(rep(45, 3, 50, 60, 60, 60, 60), gdtc, gddp), []string{"Toán", "Ngữ văn", "Tiếng Anh", gdtc, gddp}},
		{"Điều 13 khoản 1: 4,9 is eligible, 5,0 is not",
			results(rep(49, 3, 50, 50, 50, 50, 50)), []string{"Toán", "Ngữ văn", "Tiếng Anh"}},
		{"Điều 13 khoản 1: learning Đạt → nothing to re-test", results(rep(60, 7, 40)), nil},
		{"Điều 13 with Điều 9 khoản 3: adjusted to Đạt → nothing to re-test", results(rep(90, 7, 30)), nil},
	}
	for _, tt := range tests {
		got, err := RetestSubjects(tt.year)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestLearningAfterRetest(t *testing.T) {
	// Toán 4,0 and Vật lí 3,0 with the rest at Tốt level: two subjects, no
	// adjustment, Chưa đạt (Điều 9 khoản 2d, 3).
	year := results([]Score{40, 90, 90, 90, 30, 90, 90, 90})
	if l, _, _ := LearningResult(year); l != LevelChuaDat {
		t.Fatalf("setup: got %v, want Chưa đạt", l)
	}
	tests := []struct {
		name     string
		retests  []Retest
		want     Level
		adjusted bool
	}{
		{"Điều 13: both re-tested at 5,0 → Khá", []Retest{{Subject: "Toán", Score: 50}, {Subject: "Vật lí", Score: 50}}, LevelKha, false},
		{"Điều 13 with Điều 9 khoản 3: only Toán re-tested, Vật lí 3,0 alone pulls Tốt down → Đạt",
			[]Retest{{Subject: "Toán", Score: 70}}, LevelDat, true},
		{"Điều 13: re-tests still low → Chưa đạt", []Retest{{Subject: "Toán", Score: 30}, {Subject: "Vật lí", Score: 20}}, LevelChuaDat, false},
		{"Điều 13: no re-test taken → Chưa đạt", nil, LevelChuaDat, false},
	}
	for _, tt := range tests {
		got, e, err := LearningAfterRetest(year, tt.retests)
		if err != nil || got != tt.want || e.Adjusted != tt.adjusted {
			t.Errorf("%s: got %v (adjusted %v), %v; want %v (adjusted %v)", tt.name, got, e.Adjusted, err, tt.want, tt.adjusted)
		}
	}
	// A comment-graded subject re-assessed at Đạt (Điều 13 khoản 1).
	year = results(rep(70, 8), gdtc, hdtn)
	got, _, err := LearningAfterRetest(year, []Retest{{Subject: gdtc, Comment: LevelDat}})
	if err != nil || got != LevelDat {
		t.Errorf("Điều 13: comment-graded re-test: got %v, %v; want Đạt", got, err)
	}
}

func TestLearningAfterRetestRefuses(t *testing.T) {
	failing := results([]Score{40, 90, 90, 90, 30, 90, 90, 90}, gdtc, hdtn)
	tests := []struct {
		name    string
		year    []SubjectResult
		retests []Retest
		reason  InputReason
	}{
		{"Điều 13: learning Đạt may not re-test", results(rep(60, 8)), []Retest{{Subject: "Toán", Score: 80}}, ReasonRetestNotAllowed},
		{"Điều 13: subject at 9,0 is not eligible", failing, []Retest{{Subject: "Ngữ văn", Score: 100}}, ReasonRetestSubject},
		{"Điều 13: unknown subject", failing, []Retest{{Subject: "Địa lí", Score: 80}}, ReasonRetestSubject},
		{"Điều 13: comment-graded Đạt is not eligible", failing, []Retest{{Subject: gddp, Comment: LevelDat}}, ReasonRetestSubject},
		{"same subject re-tested twice", failing, []Retest{{Subject: "Toán", Score: 60}, {Subject: "Toán", Score: 70}}, ReasonDuplicateSubject},
		{"a comment result for a scored subject", failing, []Retest{{Subject: "Toán", Comment: LevelDat}}, ReasonKind},
		{"a score for a comment-graded subject", failing, []Retest{{Subject: gdtc, Score: 80}}, ReasonKind},
		{"a comment re-test without a result", failing, []Retest{{Subject: gdtc}}, ReasonLevel},
	}
	for _, tt := range tests {
		_, _, err := LearningAfterRetest(tt.year, tt.retests)
		checkReason(t, tt.name, err, tt.reason, 0)
	}
	_, _, err := LearningAfterRetest(failing, []Retest{{Subject: "Toán", Score: 110}})
	checkReason(t, "re-test score above 10", err, 0, ScoreAboveMax)
}
