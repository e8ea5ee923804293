package templates

import (
	"errors"
	"fmt"

	"github.com/kyso-vn/kyso/assessment"
)

// Arithmetic checks of the school documents against the assessment engine
// (Thông tư 22/2021/TT-BGDĐT, package assessment). A signed record with a
// wrong average makes the mistake official: when the input carries its own
// averages and results, they must be exactly what the regulation computes.
// Each mismatch is a FieldError (ReasonInconsistent) naming the field, whose
// Detail says the student, the subject and the expected value.

// periodsFor is a number of periods per year that gives n regular
// assessments per term (Điều 6 khoản 2 điểm b): 2 up to 35 periods, 3 up to
// 70, 4 above.
func periodsFor(n int) int {
	switch n {
	case 2:
		return 35
	case 3:
		return 70
	default:
		return 105
	}
}

func engineScore(m Mark) (assessment.Score, bool) {
	s, ok := m.Score()
	if !ok {
		return 0, false
	}
	t, ok := s.Tenths()
	return assessment.Score(t), ok
}

func engineVerdict(m Mark) (assessment.Level, bool) {
	v, ok := m.Verdict()
	if !ok {
		return 0, false
	}
	if v == VerdictPass {
		return assessment.LevelDat, true
	}
	return assessment.LevelChuaDat, true
}

func engineLevel(r Rating) (assessment.Level, bool) {
	l, err := assessment.ParseLevel(string(r))
	return l, err == nil
}

// checks collects mismatches as FieldErrors.
type checks struct{ errs ValidationErrors }

func (c *checks) add(field string, err error) {
	if err == nil {
		return
	}
	var mm *assessment.MismatchError
	detail := err.Error()
	value := ""
	if errors.As(err, &mm) {
		value = mm.Got
	}
	c.errs = append(c.errs, &FieldError{Field: field, Value: value, Reason: ReasonInconsistent, Detail: detail, Err: err})
}

func (c *checks) result() error {
	if len(c.errs) == 0 {
		return nil
	}
	return c.errs
}

// CheckArithmetic recomputes every average of a validated gradebook: a
// term's ĐTBmhk from its ĐĐGtx, ĐĐGgk and ĐĐGck (Điều 9 khoản 1), a year's
// ĐTBmcn from the two terms, and a comment-graded year result from the
// terms. Students are named by their ID, not their name.
func (g *Gradebook) CheckArithmetic() error {
	var c checks
	for i, s := range g.Students {
		// Students and subjects are counted from 1, as Validate does.
		field := func(name string) string { return fmt.Sprintf("hoc_sinh[%d].%s", i+1, name) }
		who := s.ID
		switch {
		case g.Term != TermYear && g.SubjectKind == SubjectScored:
			var regular []assessment.Score
			ok := true
			for _, m := range s.Regular {
				v, good := engineScore(m)
				ok = ok && good
				regular = append(regular, v)
			}
			mid, ok1 := engineScore(s.MidTerm)
			fin, ok2 := engineScore(s.Final)
			got, ok3 := engineScore(s.TermAverage)
			if ok && ok1 && ok2 && ok3 {
				c.add(field("dtbmhk"), assessment.CheckTermAverage(who, g.Subject, regular, mid, fin, periodsFor(g.RegularCount), got))
			}
		case g.Term == TermYear && g.SubjectKind == SubjectScored:
			h1, ok1 := engineScore(s.TermI)
			h2, ok2 := engineScore(s.TermII)
			got, ok3 := engineScore(s.Year)
			if ok1 && ok2 && ok3 {
				c.add(field("cn"), assessment.CheckYearAverage(who, g.Subject, h1, h2, got))
			}
		case g.Term == TermYear:
			h1, ok1 := engineVerdict(s.TermI)
			h2, ok2 := engineVerdict(s.TermII)
			got, ok3 := engineVerdict(s.Year)
			if ok1 && ok2 && ok3 {
				c.add(field("cn"), assessment.CheckCommentYear(who, g.Subject, h1, h2, got))
			}
		}
	}
	return c.result()
}

// subjectResults are the subjects of one column (term I, term II or the
// year) for the learning-result rules; ok is false when a mark is missing.
func (t *Transcript) subjectResults(col func(TranscriptSubject) Mark) ([]assessment.SubjectResult, bool) {
	var out []assessment.SubjectResult
	for _, s := range t.Subjects {
		r := assessment.SubjectResult{Subject: s.Name}
		var ok bool
		if s.Kind == SubjectScored {
			r.Kind = assessment.Scored
			r.Average, ok = engineScore(col(s))
		} else {
			r.Kind = assessment.Commented
			r.Comment, ok = engineVerdict(col(s))
		}
		if !ok {
			return nil, false
		}
		out = append(out, r)
	}
	return out, true
}

// CheckArithmetic recomputes what a validated học bạ year derives: each
// subject's year average or result (Điều 9 khoản 1), the learning result of
// each term and of the year with the lift rule (Điều 9 khoản 2–3), the
// conduct result of the year (Điều 8), the title (Điều 15) and the
// promotion decision (Điều 12).
func (t *Transcript) CheckArithmetic() error {
	var c checks
	who := t.Student.ID
	for i, s := range t.Subjects {
		field := fmt.Sprintf("mon_hoc[%d].cn", i+1)
		if s.Kind == SubjectScored {
			h1, ok1 := engineScore(s.TermI)
			h2, ok2 := engineScore(s.TermII)
			got, ok3 := engineScore(s.Year)
			if ok1 && ok2 && ok3 {
				c.add(field, assessment.CheckYearAverage(who, s.Name, h1, h2, got))
			}
			continue
		}
		h1, ok1 := engineVerdict(s.TermI)
		h2, ok2 := engineVerdict(s.TermII)
		got, ok3 := engineVerdict(s.Year)
		if ok1 && ok2 && ok3 {
			c.add(field, assessment.CheckCommentYear(who, s.Name, h1, h2, got))
		}
	}
	cols := []struct {
		field string
		col   func(TranscriptSubject) Mark
		res   TermResult
	}{
		{"hk1.hoc_tap", func(s TranscriptSubject) Mark { return s.TermI }, t.TermI},
		{"hk2.hoc_tap", func(s TranscriptSubject) Mark { return s.TermII }, t.TermII},
		{"ca_nam.hoc_tap", func(s TranscriptSubject) Mark { return s.Year }, t.Year},
	}
	var year []assessment.SubjectResult
	for _, col := range cols {
		subjects, ok := t.subjectResults(col.col)
		got, okLevel := engineLevel(col.res.Learning)
		if !ok || !okLevel {
			continue
		}
		if col.field == "ca_nam.hoc_tap" {
			year = subjects
		}
		c.add(col.field, assessment.CheckLearningResult(who, subjects, got))
	}
	c1, ok1 := engineLevel(t.TermI.Conduct)
	c2, ok2 := engineLevel(t.TermII.Conduct)
	cy, ok3 := engineLevel(t.Year.Conduct)
	if ok1 && ok2 && ok3 {
		c.add("ca_nam.ren_luyen", assessment.CheckConductYear(who, c1, c2, cy))
	}
	if year != nil && ok3 {
		if title, err := assessment.ParseTitle(t.Title); err == nil {
			c.add("danh_hieu", assessment.CheckTitle(who, cy, year, title))
		}
		learning, okL := engineLevel(t.Year.Learning)
		if outcome, okP := engineOutcome(t.Promotion); okL && okP {
			c.add("xet_len_lop", assessment.CheckPromotion(who, learning, cy, t.DaysAbsent, outcome))
		}
	}
	return c.result()
}

// engineOutcome maps the printed end-of-year decision to the engine's.
func engineOutcome(p Promotion) (assessment.Outcome, bool) {
	switch p {
	case PromotionUp:
		return assessment.Promoted, true
	case PromotionRepeat:
		return assessment.Retained, true
	case PromotionRetest, PromotionSummer:
		return assessment.Reassess, true
	}
	return 0, false
}
