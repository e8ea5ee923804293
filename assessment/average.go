package assessment

import "fmt"

// RegularScoreCount returns how many regular scores (ĐĐGtx) a scored subject
// records per term, from its periods per school year (Điều 6 khoản 2 điểm b):
// up to 35 periods, 2; more than 35 up to 70, 3; more than 70, 4.
//
// The regulation words the first band as "35 tiết/năm học"; subjects with
// fewer periods are put in the same band here.
func RegularScoreCount(periodsPerYear int) (int, error) {
	switch {
	case periodsPerYear <= 0:
		return 0, &InputError{Reason: ReasonPeriods, Detail: fmt.Sprintf("got %d", periodsPerYear)}
	case periodsPerYear <= 35:
		return 2, nil
	case periodsPerYear <= 70:
		return 3, nil
	}
	return 4, nil
}

// TermAverage computes a scored subject's term average (ĐTBmhk, Điều 9
// khoản 1 điểm b):
//
//	ĐTBmhk = (ΣĐĐGtx + 2 × ĐĐGgk + 3 × ĐĐGck) / (number of ĐĐGtx + 5)
//
// rounded to one decimal, halves upwards, in exact integer arithmetic.
//
// regular must hold exactly RegularScoreCount(periodsPerYear) scores: Điều 6
// khoản 2 fixes how many regular scores are chosen for the record, and any
// other count would change the weight of the mid-term (ĐĐGgk, Điều 7) and
// final (ĐĐGck) scores. Too few or too many give an *InputError with
// ReasonTooFewRegular or ReasonTooManyRegular; a score off the scale gives a
// *ScoreError naming its position.
func TermAverage(regular []Score, midterm, final Score, periodsPerYear int) (Score, error) {
	want, err := RegularScoreCount(periodsPerYear)
	if err != nil {
		return 0, err
	}
	if n := len(regular); n != want {
		reason := ReasonTooFewRegular
		if n > want {
			reason = ReasonTooManyRegular
		}
		return 0, &InputError{Reason: reason,
			Detail: fmt.Sprintf("got %d, want %d for %d periods per year", n, want, periodsPerYear)}
	}
	sum := 0
	for i, s := range regular {
		if err := checkScore(s); err != nil {
			return 0, fmt.Errorf("ĐĐGtx %d: %w", i+1, err)
		}
		sum += int(s)
	}
	if err := checkScore(midterm); err != nil {
		return 0, fmt.Errorf("ĐĐGgk: %w", err)
	}
	if err := checkScore(final); err != nil {
		return 0, fmt.Errorf("ĐĐGck: %w", err)
	}
	num := sum + 2*int(midterm) + 3*int(final)
	return Score(roundHalfUp(num, len(regular)+5)), nil
}

// YearAverage computes a scored subject's year average (ĐTBmcn, Điều 9
// khoản 1 điểm b) from the recorded, already rounded term averages:
//
//	ĐTBmcn = (ĐTBmhkI + 2 × ĐTBmhkII) / 3
//
// rounded to one decimal, halves upwards (a third never ends in exactly a
// half, so the direction of halves never matters here).
func YearAverage(hk1, hk2 Score) (Score, error) {
	if err := checkScore(hk1); err != nil {
		return 0, fmt.Errorf("ĐTBmhkI: %w", err)
	}
	if err := checkScore(hk2); err != nil {
		return 0, fmt.Errorf("ĐTBmhkII: %w", err)
	}
	return Score(roundHalfUp(int(hk1)+2*int(hk2), 3)), nil
}

// CommentYear gives a comment-graded subject's year result from its two term
// results: the year result is the term II result (Điều 9 khoản 1 điểm a).
// Both must be LevelDat or LevelChuaDat.
func CommentYear(hk1, hk2 Level) (Level, error) {
	for _, l := range []Level{hk1, hk2} {
		if l != LevelDat && l != LevelChuaDat {
			return 0, &InputError{Reason: ReasonLevel, Detail: fmt.Sprintf("comment-graded result %s, want Đạt or Chưa đạt", l)}
		}
	}
	return hk2, nil
}
