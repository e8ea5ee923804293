package assessment

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// The subjects of a grade 10 class under the 2018 programme: eight scored,
// three comment-graded.
var scoredNames = []string{"Toán", "Ngữ văn", "Tiếng Anh", "Lịch sử", "Vật lí", "Hóa học", "Sinh học", "Tin học"}

const (
	gdtc = "Giáo dục thể chất"
	hdtn = "Hoạt động trải nghiệm, hướng nghiệp"
	gddp = "Nội dung giáo dục của địa phương"
)

// results builds the subject list: scores (tenths) for the scored subjects in
// scoredNames order, then the three comment-graded subjects at Đạt except
// those named in chuaDat.
func results(scores []Score, chuaDat ...string) []SubjectResult {
	var out []SubjectResult
	for i, s := range scores {
		out = append(out, SubjectResult{Subject: scoredNames[i], Kind: Scored, Average: s})
	}
	for _, n := range []string{gdtc, hdtn, gddp} {
		l := LevelDat
		for _, c := range chuaDat {
			if c == n {
				l = LevelChuaDat
			}
		}
		out = append(out, SubjectResult{Subject: n, Kind: Commented, Comment: l})
	}
	return out
}

func rep(s Score, n int, more ...Score) []Score {
	out := make([]Score, 0, n+len(more))
	for range n {
		out = append(out, s)
	}
	return append(out, more...)
}

func TestLearningResult(t *testing.T) {
	tests := []struct {
		name     string
		subjects []SubjectResult
		level    Level
		computed Level
		wouldBe  Level  // set when adjusted
		culprit  string // AdjustedFor
		deciding []string
	}{
		// Điều 9 khoản 2 điểm a
		{"Điều 9 khoản 2a: Tốt with exactly 6 at 8,0 and the rest at exactly 6,5",
			results(rep(80, 6, 65, 65)), LevelTot, LevelTot, 0, "", nil},
		{"Điều 9 khoản 2a: only 5 subjects ≥ 8,0 (one at 7,9) → Khá",
			results(rep(80, 5, 79, 70, 70)), LevelKha, LevelKha, 0, "", nil},
		{"Điều 9 khoản 2a: one subject 6,4 under Tốt is a one-level drop → Khá",
			results(rep(90, 7, 64)), LevelKha, LevelKha, 0, "", []string{"Tin học"}},
		// Điều 9 khoản 2 điểm b
		{"Điều 9 khoản 2b: Khá with exactly 6 at 6,5 and the rest at exactly 5,0",
			results(rep(65, 6, 50, 50)), LevelKha, LevelKha, 0, "", []string{"Sinh học", "Tin học"}},
		{"Điều 9 khoản 2b: only 5 subjects ≥ 6,5 → Đạt",
			results(rep(65, 5, 64, 50, 50)), LevelDat, LevelDat, 0, "", nil},
		{"Điều 9 khoản 2b: one subject 4,9 under Khá is a one-level drop → Đạt",
			results(rep(70, 7, 49)), LevelDat, LevelDat, 0, "", []string{"Tin học"}},
		{"Điều 9 khoản 2b: one comment-graded Chưa đạt under Khá → Đạt",
			results(rep(70, 8), hdtn), LevelDat, LevelDat, 0, "", []string{hdtn}},
		// Điều 9 khoản 2 điểm c, d
		{"Điều 9 khoản 2c: a subject at exactly 3,5 → Đạt",
			results(rep(55, 7, 35)), LevelDat, LevelDat, 0, "", []string{"Tin học"}},
		{"Điều 9 khoản 2c: exactly 6 subjects ≥ 5,0 → Đạt",
			results(rep(60, 6, 45, 45)), LevelDat, LevelDat, 0, "", []string{"Sinh học", "Tin học"}},
		{"Điều 9 khoản 2d: a subject at 3,4 → Chưa đạt",
			results(rep(55, 7, 34)), LevelChuaDat, LevelChuaDat, 0, "", []string{"Tin học"}},
		{"Điều 9 khoản 2d: only 5 subjects ≥ 5,0 → Chưa đạt",
			results(rep(60, 5, 45, 45, 45)), LevelChuaDat, LevelChuaDat, 0, "", nil},
		{"Điều 9 khoản 2d: two comment-graded Chưa đạt → Chưa đạt, not adjusted (two subjects)",
			results(rep(90, 8), gdtc, gddp), LevelChuaDat, LevelChuaDat, 0, "", []string{gdtc, gddp}},
		{"Điều 9 khoản 2d: fewer than 6 scored subjects can never reach Đạt",
			results(rep(100, 5)), LevelChuaDat, LevelChuaDat, 0, "", nil},
		// Điều 9 khoản 3
		{"Điều 9 khoản 3: Tốt pulled to Đạt by one comment-graded Chưa đạt → Khá",
			results(rep(90, 8), gdtc), LevelKha, LevelDat, LevelTot, gdtc, []string{gdtc}},
		{"Điều 9 khoản 3: Tốt pulled to Đạt by one subject at 4,0 → Khá",
			results(rep(90, 7, 40)), LevelKha, LevelDat, LevelTot, "Tin học", []string{"Tin học"}},
		{"Điều 9 khoản 3: Tốt pulled to Đạt by one subject at 4,9 → Khá",
			results(rep(90, 7, 49)), LevelKha, LevelDat, LevelTot, "Tin học", []string{"Tin học"}},
		{"Điều 9 khoản 3: one subject at 5,0 under Tốt is one level (Khá), not adjusted",
			results(rep(90, 7, 50)), LevelKha, LevelKha, 0, "", []string{"Tin học"}},
		{"Điều 9 khoản 3: Tốt pulled to Chưa đạt by one subject at 3,4 → Đạt",
			results(rep(90, 7, 34)), LevelDat, LevelChuaDat, LevelTot, "Tin học", []string{"Tin học"}},
		{"Điều 9 khoản 3: Tốt pulled to Chưa đạt by one subject at 0,0 → Đạt",
			results(append([]Score{0}, rep(90, 7)...)), LevelDat, LevelChuaDat, LevelTot, "Toán", []string{"Toán"}},
		{"Điều 9 khoản 3: Khá pulled to Chưa đạt by one subject at 3,4 → Đạt",
			results(rep(70, 7, 34)), LevelDat, LevelChuaDat, LevelKha, "Tin học", []string{"Tin học"}},
		{"Điều 9 khoản 3: Tốt with exactly 6 at 8,0 pulled to Chưa đạt by the seventh → Đạt",
			results(rep(80, 6, 30)), LevelDat, LevelChuaDat, LevelTot, "Sinh học", []string{"Sinh học"}},
		{"Điều 9 khoản 3: two subjects (4,0 and 4,5) pull Tốt to Đạt → not adjusted",
			results(rep(90, 6, 40, 45)), LevelDat, LevelDat, 0, "", []string{"Sinh học", "Tin học"}},
		{"Điều 9 khoản 3: a comment-graded Chưa đạt and a 6,0 pull Tốt to Đạt → not adjusted (two subjects; one-level drop from Khá)",
			results(rep(90, 7, 60), gdtc), LevelDat, LevelDat, 0, "", []string{gdtc}},
		{"Điều 9 khoản 3: Khá-level student with a subject at 3,5 is Đạt, one level, not adjusted",
			results(rep(70, 7, 35)), LevelDat, LevelDat, 0, "", []string{"Tin học"}},
		{"Điều 9 khoản 3: the count under Khá fails too, so a 3,4 is not the only cause",
			results(rep(60, 7, 34)), LevelChuaDat, LevelChuaDat, 0, "", []string{"Tin học"}},
	}
	for _, tt := range tests {
		level, e, err := LearningResult(tt.subjects)
		if err != nil {
			t.Errorf("%s: unexpected error %v", tt.name, err)
			continue
		}
		if level != tt.level || e.Level != tt.level {
			t.Errorf("%s: got %v (explanation %v), want %v", tt.name, level, e.Level, tt.level)
		}
		if e.Computed != tt.computed {
			t.Errorf("%s: computed got %v, want %v", tt.name, e.Computed, tt.computed)
		}
		adjusted := tt.wouldBe != 0
		if e.Adjusted != adjusted || e.WouldBe != tt.wouldBe || e.AdjustedFor != tt.culprit {
			t.Errorf("%s: adjustment got (%v, %v, %q), want (%v, %v, %q)", tt.name,
				e.Adjusted, e.WouldBe, e.AdjustedFor, adjusted, tt.wouldBe, tt.culprit)
		}
		if got := e.Subjects(); !reflect.DeepEqual(got, tt.deciding) {
			t.Errorf("%s: deciding subjects got %q, want %q", tt.name, got, tt.deciding)
		}
		if e.Computed == LevelTot && len(e.Shortfalls) != 0 {
			t.Errorf("%s: Tốt with shortfalls %v", tt.name, e.Shortfalls)
		}
		if e.Computed < LevelTot && len(e.Shortfalls) == 0 {
			t.Errorf("%s: %v without a shortfall against %v", tt.name, e.Computed, e.Computed+1)
		}
		for _, f := range e.Shortfalls {
			if f.Level != e.Computed+1 {
				t.Errorf("%s: shortfall %v against %v, want against %v", tt.name, f, f.Level, e.Computed+1)
			}
		}
	}
}

func TestLearningResultShortfalls(t *testing.T) {
	// Điều 9 khoản 2a: Khá because one subject is under 6,5 and only 5 reach 8,0.
	_, e, err := LearningResult(results(rep(80, 5, 79, 64, 70)))
	if err != nil {
		t.Fatal(err)
	}
	want := []Shortfall{
		{Level: LevelTot, Rule: RuleBelowFloor, Subject: "Sinh học", Average: 64, Threshold: 65},
		{Level: LevelTot, Rule: RuleTooFewAbove, Threshold: 80, Count: 5, Need: 6},
	}
	if !reflect.DeepEqual(e.Shortfalls, want) {
		t.Errorf("got %+v, want %+v", e.Shortfalls, want)
	}
	if got, want := e.String(), "Khá; not Tốt: Sinh học 6,4 < 6,5, 5 scored subjects ≥ 8,0, 6 needed"; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
	// Điều 9 khoản 3, as explained to a teacher.
	_, e, err = LearningResult(results(rep(90, 8), gdtc))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.String(), "Khá (Điều 9 khoản 3: raised from Đạt; Tốt but for Giáo dục thể chất); not Khá: Giáo dục thể chất Chưa đạt"; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
}

func TestLearningResultRefuses(t *testing.T) {
	ok := results(rep(80, 8))
	with := func(i int, s SubjectResult) []SubjectResult {
		out := append([]SubjectResult(nil), ok...)
		out[i] = s
		return out
	}
	tests := []struct {
		name     string
		subjects []SubjectResult
		input    InputReason
		score    ScoreReason
	}{
		{"no subjects", nil, ReasonNoSubjects, 0},
		{"empty name", with(0, SubjectResult{Subject: " ", Kind: Scored, Average: 80}), ReasonSubjectName, 0},
		{"same subject twice", with(1, SubjectResult{Subject: "Toán", Kind: Scored, Average: 80}), ReasonDuplicateSubject, 0},
		{"kind not set", with(0, SubjectResult{Subject: "Toán", Average: 80}), ReasonKind, 0},
		{"scored subject with a comment", with(0, SubjectResult{Subject: "Toán", Kind: Scored, Average: 80, Comment: LevelDat}), ReasonKind, 0},
		{"comment-graded subject with an average", with(8, SubjectResult{Subject: gdtc, Kind: Commented, Average: 80, Comment: LevelDat}), ReasonKind, 0},
		{"comment-graded subject without a result", with(8, SubjectResult{Subject: gdtc, Kind: Commented}), ReasonLevel, 0},
		{"comment-graded subject at Tốt (Điều 9 khoản 1a allows only Đạt/Chưa đạt)", with(8, SubjectResult{Subject: gdtc, Kind: Commented, Comment: LevelTot}), ReasonLevel, 0},
		{"average above 10", with(0, SubjectResult{Subject: "Toán", Kind: Scored, Average: 101}), 0, ScoreAboveMax},
		{"negative average", with(0, SubjectResult{Subject: "Toán", Kind: Scored, Average: -5}), 0, ScoreNegative},
	}
	for _, tt := range tests {
		_, _, err := LearningResult(tt.subjects)
		checkReason(t, tt.name, err, tt.input, tt.score)
	}
}

// oracleLevel applies Điều 9 khoản 2 directly, written separately from the
// package's table of criteria.
func oracleLevel(subjects []SubjectResult) Level {
	notPassed, min := 0, Score(100)
	var at80, at65, at50 int
	for _, s := range subjects {
		if s.Kind == Commented {
			if s.Comment == LevelChuaDat {
				notPassed++
			}
			continue
		}
		min = minScore(min, s.Average)
		if s.Average >= 80 {
			at80++
		}
		if s.Average >= 65 {
			at65++
		}
		if s.Average >= 50 {
			at50++
		}
	}
	switch {
	case notPassed == 0 && min >= 65 && at80 >= 6:
		return LevelTot
	case notPassed == 0 && min >= 50 && at65 >= 6:
		return LevelKha
	case notPassed <= 1 && at50 >= 6 && min >= 35:
		return LevelDat
	}
	return LevelChuaDat
}

func minScore(a, b Score) Score {
	if a < b {
		return a
	}
	return b
}

// oracleAdjusted applies Điều 9 khoản 3 by removal: the level the student
// would have without each one subject in turn; if that is Tốt or Khá and the
// real level is two or more below it, raise the real level by one.
func oracleAdjusted(subjects []SubjectResult) Level {
	real := oracleLevel(subjects)
	best := Level(0)
	for i := range subjects {
		rest := append(append([]SubjectResult(nil), subjects[:i]...), subjects[i+1:]...)
		if l := oracleLevel(rest); l >= LevelKha && l > best {
			best = l
		}
	}
	if best != 0 && real <= best-2 {
		return real + 1
	}
	return real
}

// Random subject lists, scores clustered around the thresholds, checked
// against the oracle (Điều 9 khoản 2 and 3).
func TestLearningResultOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 2021))
	near := []Score{0, 30, 34, 35, 36, 45, 49, 50, 51, 60, 64, 65, 66, 75, 79, 80, 81, 89, 90, 100}
	for n := 0; n < 50000; n++ {
		var subjects []SubjectResult
		for i := range 5 + r.IntN(6) {
			subjects = append(subjects, SubjectResult{Subject: "S" + string(rune('A'+i)), Kind: Scored, Average: near[r.IntN(len(near))]})
		}
		for i := range r.IntN(4) {
			l := LevelDat
			if r.IntN(5) == 0 {
				l = LevelChuaDat
			}
			subjects = append(subjects, SubjectResult{Subject: "C" + string(rune('A'+i)), Kind: Commented, Comment: l})
		}
		got, e, err := LearningResult(subjects)
		if err != nil {
			t.Fatalf("%v: %v", subjects, err)
		}
		if want := oracleLevel(subjects); e.Computed != want {
			t.Fatalf("%v: computed %v, oracle %v", subjects, e.Computed, want)
		}
		if want := oracleAdjusted(subjects); got != want {
			t.Fatalf("%v: got %v (%v), oracle %v", subjects, got, e, want)
		}
		if e.Adjusted && (got != e.Computed+1 || got > LevelKha) {
			t.Fatalf("%v: adjusted from %v to %v", subjects, e.Computed, got)
		}
	}
}
