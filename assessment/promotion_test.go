package assessment

import (
	"reflect"
	"testing"
)

func TestPromotion(t *testing.T) {
	T, K, D, C := LevelTot, LevelKha, LevelDat, LevelChuaDat
	tests := []struct {
		name              string
		learning, conduct Level
		absent            int
		want              Decision
	}{
		{"Điều 12 khoản 1: Tốt/Tốt, no absences", T, T, 0, Decision{Outcome: Promoted}},
		{"Điều 12 khoản 1: Đạt/Đạt, exactly 45 sessions absent → promoted", D, D, 45, Decision{Outcome: Promoted}},
		{"Điều 12 khoản 1: Khá/Đạt, 44 sessions", K, D, 44, Decision{Outcome: Promoted}},
		{"Điều 12: Đạt/Đạt, 46 sessions absent → retained", D, D, 46, Decision{Outcome: Retained, Causes: []Cause{CauseAbsences}}},
		{"Điều 12: Tốt/Tốt, 46 sessions absent → retained", T, T, 46, Decision{Outcome: Retained, Causes: []Cause{CauseAbsences}}},
		{"Điều 12, 13: learning Chưa đạt → re-test", C, T, 10, Decision{Outcome: Reassess, Retest: true, Causes: []Cause{CauseLearning}}},
		{"Điều 12, 14: conduct Chưa đạt → summer training", T, C, 45, Decision{Outcome: Reassess, SummerTraining: true, Causes: []Cause{CauseConduct}}},
		{"Điều 12, 13, 14: both Chưa đạt → re-test and summer training (CHECK in doc.go)", C, C, 0,
			Decision{Outcome: Reassess, Retest: true, SummerTraining: true, Causes: []Cause{CauseLearning, CauseConduct}}},
		{"Điều 12: learning Chưa đạt and 46 sessions → retained, no re-test", C, D, 46,
			Decision{Outcome: Retained, Causes: []Cause{CauseLearning, CauseAbsences}}},
	}
	for _, tt := range tests {
		got, err := Promotion(tt.learning, tt.conduct, tt.absent)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
}

func TestFinalPromotion(t *testing.T) {
	D, C := LevelDat, LevelChuaDat
	tests := []struct {
		name              string
		learning, conduct Level
		absent            int
		want              Decision
	}{
		{"Điều 12 khoản 2, 13: Đạt after re-test → promoted", D, D, 20, Decision{Outcome: Promoted}},
		{"Điều 12 khoản 2, 13: still Chưa đạt after re-test → retained", C, D, 20, Decision{Outcome: Retained, Causes: []Cause{CauseLearning}}},
		{"Điều 12 khoản 2, 14: conduct still Chưa đạt after summer → retained", D, C, 0, Decision{Outcome: Retained, Causes: []Cause{CauseConduct}}},
		{"Điều 12: exactly 45 sessions", D, D, 45, Decision{Outcome: Promoted}},
		{"Điều 12: 46 sessions", D, D, 46, Decision{Outcome: Retained, Causes: []Cause{CauseAbsences}}},
	}
	for _, tt := range tests {
		got, err := FinalPromotion(tt.learning, tt.conduct, tt.absent)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
}

func TestPromotionRefuses(t *testing.T) {
	for _, f := range []func(Level, Level, int) (Decision, error){Promotion, FinalPromotion} {
		_, err := f(0, LevelDat, 0)
		checkReason(t, "learning level unset", err, ReasonLevel, 0)
		_, err = f(LevelDat, 7, 0)
		checkReason(t, "conduct level out of range", err, ReasonLevel, 0)
		_, err = f(LevelDat, LevelDat, -1)
		checkReason(t, "negative absences", err, ReasonAbsences, 0)
	}
}
