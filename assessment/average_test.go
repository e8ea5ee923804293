package assessment

import (
	"errors"
	"testing"
)

func TestRegularScoreCount(t *testing.T) {
	// Điều 6 khoản 2 điểm b: 35 periods → 2; >35 to 70 → 3; >70 → 4.
	tests := []struct {
		periods, want int
	}{
		{1, 2}, {35, 2}, {36, 3}, {70, 3}, {71, 4}, {105, 4}, {140, 4},
	}
	for _, tt := range tests {
		got, err := RegularScoreCount(tt.periods)
		if err != nil || got != tt.want {
			t.Errorf("RegularScoreCount(%d) = %d, %v; want %d", tt.periods, got, err, tt.want)
		}
	}
	for _, p := range []int{0, -35} {
		_, err := RegularScoreCount(p)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Reason != ReasonPeriods {
			t.Errorf("RegularScoreCount(%d): got %v, want ReasonPeriods", p, err)
		}
	}
}

func TestTermAverage(t *testing.T) {
	// Điều 9 khoản 1 điểm b: ĐTBmhk = (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck)/(n + 5),
	// one decimal, halves up. Worked sums in tenths.
	tests := []struct {
		name           string
		regular        []Score
		midterm, final Score
		periods        int
		want           Score
	}{
		// (80+75+90+65 + 2·70 + 3·80)/9 = 690/9 = 76,67 tenths → 7,7
		{"Điều 9 khoản 1b: Toán, 105 periods, 4 ĐĐGtx", []Score{80, 75, 90, 65}, 70, 80, 105, 77},
		// (240 + 180 + 240)/8 = 82,5 tenths: 8,25 → 8,3
		{"Điều 9 khoản 1b: 8,25 rounds half up to 8,3", []Score{80, 80, 80}, 90, 80, 70, 83},
		// (180 + 120 + 216)/8 = 64,5 tenths: 6,45 → 6,5
		{"Điều 9 khoản 1b: 6,45 rounds half up to exactly 6,5", []Score{60, 60, 60}, 60, 72, 52, 65},
		// (179 + 120 + 216)/8 = 64,375 tenths → 6,4
		{"Điều 9 khoản 1b: 6,4375 rounds down to 6,4", []Score{60, 60, 59}, 60, 72, 52, 64},
		// (50+60 + 2·40 + 3·55)/7 = 355/7 = 50,71 tenths → 5,1
		{"Điều 9 khoản 1b: 35 periods, 2 ĐĐGtx", []Score{50, 60}, 40, 55, 35, 51},
		// (100·4 + 200 + 300)/9 = 100
		{"Điều 9 khoản 1b: all 10", []Score{100, 100, 100, 100}, 100, 100, 140, 100},
		{"Điều 9 khoản 1b: all 0", []Score{0, 0}, 0, 0, 35, 0},
		// (80+80+80 + 2·80 + 3·79)/8 = 637/8 = 79,625 tenths: 7,9625 → 8,0
		{"Điều 9 khoản 1b: 7,9625 rounds up to exactly 8,0", []Score{80, 80, 80}, 80, 79, 52, 80},
	}
	for _, tt := range tests {
		got, err := TermAverage(tt.regular, tt.midterm, tt.final, tt.periods)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

func TestTermAverageRefuses(t *testing.T) {
	tests := []struct {
		name           string
		regular        []Score
		midterm, final Score
		periods        int
		input          InputReason
		score          ScoreReason
	}{
		{"Điều 6 khoản 2b: 3 ĐĐGtx where 4 are due", []Score{80, 80, 80}, 80, 80, 105, ReasonTooFewRegular, 0},
		{"Điều 6 khoản 2b: 5 ĐĐGtx where 4 are due", []Score{80, 80, 80, 80, 80}, 80, 80, 105, ReasonTooManyRegular, 0},
		{"Điều 6 khoản 2b: no ĐĐGtx", nil, 80, 80, 35, ReasonTooFewRegular, 0},
		{"periods not positive", []Score{80, 80}, 80, 80, 0, ReasonPeriods, 0},
		{"ĐĐGtx above 10", []Score{80, 101}, 80, 80, 35, 0, ScoreAboveMax},
		{"ĐĐGgk negative", []Score{80, 80}, -1, 80, 35, 0, ScoreNegative},
		{"ĐĐGck above 10", []Score{80, 80}, 80, 110, 35, 0, ScoreAboveMax},
	}
	for _, tt := range tests {
		_, err := TermAverage(tt.regular, tt.midterm, tt.final, tt.periods)
		checkReason(t, tt.name, err, tt.input, tt.score)
	}
}

// checkReason asserts err is an *InputError with reason input, or, when
// input is zero, a *ScoreError with reason score.
func checkReason(t *testing.T, name string, err error, input InputReason, score ScoreReason) {
	t.Helper()
	if input != 0 {
		var ie *InputError
		if !errors.As(err, &ie) || ie.Reason != input || !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: got %v, want *InputError %v", name, err, input)
		}
		return
	}
	var se *ScoreError
	if !errors.As(err, &se) || se.Reason != score || !errors.Is(err, ErrInvalidScore) {
		t.Errorf("%s: got %v, want *ScoreError %v", name, err, score)
	}
}

func TestYearAverage(t *testing.T) {
	// Điều 9 khoản 1 điểm b: ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII)/3, one decimal.
	tests := []struct {
		name     string
		hk1, hk2 Score
		want     Score
	}{
		{"Điều 9 khoản 1b: (7,0 + 16,0)/3 = 7,67 → 7,7", 70, 80, 77},
		{"Điều 9 khoản 1b: (8,0 + 16,2)/3 = 8,067 → 8,1", 80, 81, 81},
		{"Điều 9 khoản 1b: (8,1 + 16,0)/3 = 8,033 → 8,0", 81, 80, 80},
		{"Điều 9 khoản 1b: exactly 6,5", 65, 65, 65},
		{"Điều 9 khoản 1b: (6,4 + 13,0)/3 = 6,47 → 6,5", 64, 65, 65},
		{"Điều 9 khoản 1b: (6,6 + 12,8)/3 = 6,47 → 6,5", 66, 64, 65},
		{"Điều 9 khoản 1b: (6,5 + 12,8)/3 = 6,43 → 6,4", 65, 64, 64},
		{"Điều 9 khoản 1b: term II weighs double", 100, 40, 60},
		{"Điều 9 khoản 1b: 10 and 10", 100, 100, 100},
	}
	for _, tt := range tests {
		got, err := YearAverage(tt.hk1, tt.hk2)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	_, err := YearAverage(101, 80)
	checkReason(t, "ĐTBmhkI above 10", err, 0, ScoreAboveMax)
	_, err = YearAverage(80, -1)
	checkReason(t, "ĐTBmhkII negative", err, 0, ScoreNegative)
}

// The year average uses the recorded, rounded term averages, not the
// unrounded ones (Điều 9 khoản 1 điểm b).
func TestYearAverageFromRoundedTerms(t *testing.T) {
	hk1, err := TermAverage([]Score{60, 60, 59}, 60, 72, 52) // 6,4375 → 6,4
	if err != nil {
		t.Fatal(err)
	}
	hk2, err := TermAverage([]Score{60, 60, 60}, 60, 72, 52) // 6,45 → 6,5
	if err != nil {
		t.Fatal(err)
	}
	// Rounded: (6,4 + 13,0)/3 = 6,47 → 6,5. Unrounded: (6,4375 + 12,9)/3 = 6,446 → 6,4.
	if got, _ := YearAverage(hk1, hk2); got != 65 {
		t.Errorf("got %v, want 6,5", got)
	}
}

func TestCommentYear(t *testing.T) {
	// Điều 9 khoản 1 điểm a: the year result is the term II result.
	for _, tt := range []struct{ hk1, hk2, want Level }{
		{LevelDat, LevelDat, LevelDat},
		{LevelChuaDat, LevelDat, LevelDat},
		{LevelDat, LevelChuaDat, LevelChuaDat},
		{LevelChuaDat, LevelChuaDat, LevelChuaDat},
	} {
		got, err := CommentYear(tt.hk1, tt.hk2)
		if err != nil || got != tt.want {
			t.Errorf("CommentYear(%v, %v) = %v, %v; want %v", tt.hk1, tt.hk2, got, err, tt.want)
		}
	}
	for _, bad := range [][2]Level{{LevelTot, LevelDat}, {LevelDat, LevelKha}, {0, LevelDat}} {
		_, err := CommentYear(bad[0], bad[1])
		checkReason(t, "comment-graded result outside Đạt/Chưa đạt", err, ReasonLevel, 0)
	}
}
