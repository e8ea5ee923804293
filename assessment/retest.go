package assessment

import "fmt"

// Retest is the result of a re-test (kiểm tra, đánh giá lại, Điều 13) of one
// subject: a score for a scored subject, Đạt or Chưa đạt for a comment-graded
// one.
type Retest struct {
	Subject string
	Score   Score // scored subjects
	Comment Level // comment-graded subjects: LevelDat or LevelChuaDat
}

// RetestSubjects lists, in input order, the subjects a student whose year
// learning result is Chưa đạt may re-test (Điều 13 khoản 1): scored subjects
// with ĐTBmcn below 5,0 and comment-graded subjects at Chưa đạt. It returns
// nil when the year learning result (after Điều 9 khoản 3) is not Chưa đạt.
func RetestSubjects(year []SubjectResult) ([]string, error) {
	level, _, err := LearningResult(year)
	if err != nil || level != LevelChuaDat {
		return nil, err
	}
	var out []string
	for _, s := range year {
		if retestEligible(s) {
			out = append(out, s.Subject)
		}
	}
	return out, nil
}

func retestEligible(s SubjectResult) bool {
	return (s.Kind == Scored && s.Average < 50) || (s.Kind == Commented && s.Comment == LevelChuaDat)
}

// LearningAfterRetest recomputes the year learning result after re-tests: each re-test
// result takes the place of the subject's year result, and LearningResult
// (Điều 9 khoản 2 and 3) is applied again. The year learning result must be
// Chưa đạt and every re-tested subject eligible (see RetestSubjects);
// otherwise an *InputError with ReasonRetestNotAllowed or ReasonRetestSubject.
// The student need not re-test every eligible subject.
func LearningAfterRetest(year []SubjectResult, retests []Retest) (Level, Explanation, error) {
	level, _, err := LearningResult(year)
	if err != nil {
		return 0, Explanation{}, err
	}
	if level != LevelChuaDat {
		return 0, Explanation{}, &InputError{Reason: ReasonRetestNotAllowed, Detail: "year learning result is " + level.String()}
	}
	index := make(map[string]int, len(year))
	for i, s := range year {
		index[s.Subject] = i
	}
	after := append([]SubjectResult(nil), year...)
	done := make(map[string]bool, len(retests))
	for _, r := range retests {
		i, ok := index[r.Subject]
		if !ok {
			return 0, Explanation{}, &InputError{Subject: r.Subject, Reason: ReasonRetestSubject, Detail: "no such subject"}
		}
		if done[r.Subject] {
			return 0, Explanation{}, &InputError{Subject: r.Subject, Reason: ReasonDuplicateSubject, Detail: "re-tested twice"}
		}
		done[r.Subject] = true
		s := year[i]
		if !retestEligible(s) {
			return 0, Explanation{}, &InputError{Subject: r.Subject, Reason: ReasonRetestSubject,
				Detail: fmt.Sprintf("year result %s does not allow a re-test", yearValue(s))}
		}
		switch s.Kind {
		case Scored:
			if r.Comment != 0 {
				return 0, Explanation{}, &InputError{Subject: r.Subject, Reason: ReasonKind, Detail: "a comment result for a scored subject"}
			}
			after[i].Average = r.Score
		case Commented:
			if r.Score != 0 {
				return 0, Explanation{}, &InputError{Subject: r.Subject, Reason: ReasonKind, Detail: "a score for a comment-graded subject"}
			}
			after[i].Comment = r.Comment
		}
	}
	return LearningResult(after)
}

// yearValue formats a subject's result: its average or its comment level.
func yearValue(s SubjectResult) string {
	if s.Kind == Commented {
		return s.Comment.String()
	}
	return s.Average.String()
}
