package assessment

import (
	"fmt"
	"strings"
)

// SubjectKind says how a subject is assessed (Điều 5).
type SubjectKind int

// The two kinds. The zero SubjectKind is invalid.
const (
	// Scored: "đánh giá bằng nhận xét kết hợp với đánh giá bằng điểm số",
	// with a term or year average on the 10-point scale.
	Scored SubjectKind = iota + 1
	// Commented: "đánh giá bằng nhận xét" (Giáo dục thể chất, Nghệ thuật,
	// Âm nhạc, Mĩ thuật, Nội dung giáo dục của địa phương, Hoạt động trải
	// nghiệm, hướng nghiệp), with a result of Đạt or Chưa đạt.
	Commented
)

// String returns the kind in English.
func (k SubjectKind) String() string {
	switch k {
	case Scored:
		return "scored"
	case Commented:
		return "comment-graded"
	}
	return fmt.Sprintf("SubjectKind(%d)", int(k))
}

// SubjectResult is one subject's result for a term or for the year, the
// input to LearningResult and YearTitle. A subject the student is exempted
// from (miễn học) is left out of the list; the rules apply to the rest.
type SubjectResult struct {
	Subject string      // the subject's name, unique within the list
	Kind    SubjectKind // Scored or Commented
	Average Score       // Scored only: ĐTBmhk for a term, ĐTBmcn for the year
	Comment Level       // Commented only: LevelDat or LevelChuaDat; must be zero for Scored
}

func checkSubjects(subjects []SubjectResult) error {
	if len(subjects) == 0 {
		return &InputError{Reason: ReasonNoSubjects}
	}
	seen := make(map[string]bool, len(subjects))
	for i, s := range subjects {
		if strings.TrimSpace(s.Subject) == "" {
			return &InputError{Reason: ReasonSubjectName, Detail: fmt.Sprintf("subject %d", i+1)}
		}
		if seen[s.Subject] {
			return &InputError{Subject: s.Subject, Reason: ReasonDuplicateSubject}
		}
		seen[s.Subject] = true
		switch s.Kind {
		case Scored:
			if s.Comment != 0 {
				return &InputError{Subject: s.Subject, Reason: ReasonKind, Detail: "a scored subject with a comment result"}
			}
			if err := checkScore(s.Average); err != nil {
				return fmt.Errorf("subject %s: %w", s.Subject, err)
			}
		case Commented:
			if s.Average != 0 {
				return &InputError{Subject: s.Subject, Reason: ReasonKind, Detail: "a comment-graded subject with an average"}
			}
			if s.Comment != LevelDat && s.Comment != LevelChuaDat {
				return &InputError{Subject: s.Subject, Reason: ReasonLevel, Detail: fmt.Sprintf("comment-graded result %s, want Đạt or Chưa đạt", s.Comment)}
			}
		default:
			return &InputError{Subject: s.Subject, Reason: ReasonKind, Detail: s.Kind.String()}
		}
	}
	return nil
}

// Rule names one condition of Điều 9 khoản 2 that a student missed.
type Rule int

// The conditions.
const (
	// RuleNotPassed: a comment-graded subject is Chưa đạt. Tốt and Khá allow
	// none; Đạt allows one, so for Đạt each such subject is listed when there
	// are two or more.
	RuleNotPassed Rule = iota + 1
	// RuleBelowFloor: a scored subject's average is below the level's floor
	// (Tốt 6,5; Khá 5,0; Đạt 3,5).
	RuleBelowFloor
	// RuleTooFewAbove: fewer than 6 scored subjects reach the level's bar
	// (Tốt 8,0; Khá 6,5; Đạt 5,0).
	RuleTooFewAbove
)

// Shortfall is one reason a student did not reach a level.
type Shortfall struct {
	Level     Level  // the level that was missed
	Rule      Rule   // the condition that failed
	Subject   string // RuleNotPassed, RuleBelowFloor: the subject
	Average   Score  // RuleBelowFloor: the subject's average
	Threshold Score  // RuleBelowFloor: the floor; RuleTooFewAbove: the bar
	Count     int    // RuleTooFewAbove: scored subjects at or above the bar
	Need      int    // RuleTooFewAbove: how many are needed (6)
}

// String describes the shortfall, e.g. "Toán 6,4 < 6,5".
func (f Shortfall) String() string {
	switch f.Rule {
	case RuleNotPassed:
		return f.Subject + " Chưa đạt"
	case RuleBelowFloor:
		return fmt.Sprintf("%s %s < %s", f.Subject, f.Average, f.Threshold)
	case RuleTooFewAbove:
		return fmt.Sprintf("%d scored subjects ≥ %s, %d needed", f.Count, f.Threshold, f.Need)
	}
	return fmt.Sprintf("Rule(%d)", int(f.Rule))
}

// criteria are the conditions of one level in Điều 9 khoản 2.
type criteria struct {
	maxNotPassed int   // comment-graded subjects allowed at Chưa đạt
	floor        Score // every scored subject at least this
	bar          Score // at least need scored subjects at or above this
	need         int
}

// minAbove is the "ít nhất 06 môn học" of Điều 9 khoản 2 điểm a, b, c.
const minAbove = 6

// criteriaFor returns the conditions of l, which is Tốt, Khá or Đạt
// (Chưa đạt has none: it is "các trường hợp còn lại").
func criteriaFor(l Level) criteria {
	switch l {
	case LevelTot: // điểm a
		return criteria{maxNotPassed: 0, floor: 65, bar: 80, need: minAbove}
	case LevelKha: // điểm b
		return criteria{maxNotPassed: 0, floor: 50, bar: 65, need: minAbove}
	}
	return criteria{maxNotPassed: 1, floor: 35, bar: 50, need: minAbove} // điểm c, Đạt
}

// shortfalls lists every condition of level l the subjects fail, in input
// order, the count condition last.
func shortfalls(subjects []SubjectResult, l Level) []Shortfall {
	c := criteriaFor(l)
	var out []Shortfall
	notPassed, above := 0, 0
	for _, s := range subjects {
		if s.Kind == Commented && s.Comment == LevelChuaDat {
			notPassed++
		}
	}
	for _, s := range subjects {
		switch s.Kind {
		case Commented:
			if s.Comment == LevelChuaDat && notPassed > c.maxNotPassed {
				out = append(out, Shortfall{Level: l, Rule: RuleNotPassed, Subject: s.Subject})
			}
		case Scored:
			if s.Average < c.floor {
				out = append(out, Shortfall{Level: l, Rule: RuleBelowFloor, Subject: s.Subject, Average: s.Average, Threshold: c.floor})
			}
			if s.Average >= c.bar {
				above++
			}
		}
	}
	if above < c.need {
		out = append(out, Shortfall{Level: l, Rule: RuleTooFewAbove, Threshold: c.bar, Count: above, Need: c.need})
	}
	return out
}

// onlySubject returns the one subject all the shortfalls are about, or ""
// when they concern more than one subject or include the count condition.
func onlySubject(fs []Shortfall) string {
	name := ""
	for _, f := range fs {
		if f.Rule == RuleTooFewAbove || (name != "" && f.Subject != name) {
			return ""
		}
		name = f.Subject
	}
	return name
}

// Explanation says how LearningResult reached its level.
type Explanation struct {
	// Level is the result, after any adjustment.
	Level Level
	// Computed is the level Điều 9 khoản 2 gives before adjustment.
	Computed Level
	// Adjusted reports that Điều 9 khoản 3 raised Computed by one level.
	Adjusted bool
	// WouldBe is, when Adjusted, the level (Tốt or Khá) the student would
	// have had but for AdjustedFor.
	WouldBe Level
	// AdjustedFor is, when Adjusted, the one subject that pulled the result down.
	AdjustedFor string
	// Shortfalls say why Computed is not one level higher: the deciding
	// subjects and counts. Empty when Computed is Tốt.
	Shortfalls []Shortfall
}

// Subjects returns the deciding subjects, each once, in input order: those
// named in Shortfalls and, when adjusted, AdjustedFor.
func (e Explanation) Subjects() []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, f := range e.Shortfalls {
		add(f.Subject)
	}
	add(e.AdjustedFor)
	return out
}

// String summarises the explanation in one line, e.g.
// "Khá (Điều 9 khoản 3: raised from Đạt; Tốt but for Giáo dục thể chất); not Khá: Giáo dục thể chất Chưa đạt".
func (e Explanation) String() string {
	var b strings.Builder
	b.WriteString(e.Level.String())
	if e.Adjusted {
		fmt.Fprintf(&b, " (Điều 9 khoản 3: raised from %s; %s but for %s)", e.Computed, e.WouldBe, e.AdjustedFor)
	}
	if len(e.Shortfalls) > 0 {
		parts := make([]string, len(e.Shortfalls))
		for i, f := range e.Shortfalls {
			parts[i] = f.String()
		}
		fmt.Fprintf(&b, "; not %s: %s", e.Shortfalls[0].Level, strings.Join(parts, ", "))
	}
	return b.String()
}

// LearningResult gives the learning result (kết quả học tập) for a term, from
// the term's subject results (ĐTBmhk and term comments), or for the year,
// from the year's (ĐTBmcn and year comments). It applies Điều 9 khoản 2:
//
//	Tốt:      every comment-graded subject Đạt; every scored subject ≥ 6,5
//	          and at least 6 of them ≥ 8,0.
//	Khá:      every comment-graded subject Đạt; every scored subject ≥ 5,0
//	          and at least 6 of them ≥ 6,5.
//	Đạt:      at most 1 comment-graded subject Chưa đạt; at least 6 scored
//	          subjects ≥ 5,0 and none below 3,5.
//	Chưa đạt: every other case.
//
// and then Điều 9 khoản 3: when the level is two or more levels below the
// one of Tốt or Khá the student would have had, and a single subject alone is
// the cause, the level is raised one level ("điều chỉnh lên mức liền kề").
// "A single subject alone is the cause" is implemented as: every shortfall
// against that level (Tốt tried first, then Khá) concerns the same one
// subject, and the count condition holds without it. Thus Tốt pulled to Đạt
// becomes Khá, Tốt pulled to Chưa đạt becomes Đạt, Khá pulled to Chưa đạt
// becomes Đạt; a drop of one level, or a drop caused by two subjects, stays.
//
// The rules are applied literally: a student with fewer than 6 scored
// subjects cannot reach Đạt. Invalid input (no subjects, an empty or repeated
// name, a value that does not fit the kind) gives an *InputError or
// *ScoreError.
func LearningResult(subjects []SubjectResult) (Level, Explanation, error) {
	if err := checkSubjects(subjects); err != nil {
		return 0, Explanation{}, err
	}
	e := Explanation{Computed: LevelChuaDat}
	for _, l := range []Level{LevelTot, LevelKha, LevelDat} {
		if len(shortfalls(subjects, l)) == 0 {
			e.Computed = l
			break
		}
	}
	if e.Computed < LevelTot {
		e.Shortfalls = shortfalls(subjects, e.Computed+1)
	}
	e.Level = e.Computed
	for _, w := range []Level{LevelTot, LevelKha} {
		name := onlySubject(shortfalls(subjects, w))
		if name == "" {
			continue
		}
		if e.Computed <= w-2 {
			e.Level, e.Adjusted, e.WouldBe, e.AdjustedFor = e.Computed+1, true, w, name
		}
		break
	}
	return e.Level, e, nil
}
