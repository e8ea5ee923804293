package assessment

import (
	"errors"
	"fmt"
)

// Sentinel errors for callers that branch on the kind of failure. Every error
// this package returns matches exactly one of them under errors.Is.
var (
	// ErrInvalidScore: a score that is not a number from 0 to 10 with at most
	// one decimal (returned as *ScoreError).
	ErrInvalidScore = errors.New("invalid score")
	// ErrInvalidInput: input the rules cannot be applied to, such as the wrong
	// number of regular scores or two subjects with the same name (returned as
	// *InputError).
	ErrInvalidInput = errors.New("invalid assessment input")
	// ErrMismatch: a value carried by the input differs from the value the
	// rules give (returned as *MismatchError).
	ErrMismatch = errors.New("recorded value differs from the computed one")
)

// ScoreReason says why a score was refused.
type ScoreReason int

// Reasons for a ScoreError.
const (
	ScoreEmpty      ScoreReason = iota + 1 // nothing but white space
	ScoreMalformed                         // not digits with an optional decimal comma or point ("8,5a", "1e1", ",5")
	ScoreNegative                          // below 0
	ScoreAboveMax                          // above 10
	ScoreTooPrecise                        // more than one decimal ("8,55", "8,50")
)

// String returns a short English phrase for the reason.
func (r ScoreReason) String() string {
	switch r {
	case ScoreEmpty:
		return "empty"
	case ScoreMalformed:
		return "not a number with at most one decimal"
	case ScoreNegative:
		return "below 0"
	case ScoreAboveMax:
		return "above 10"
	case ScoreTooPrecise:
		return "more than one decimal"
	}
	return fmt.Sprintf("ScoreReason(%d)", int(r))
}

// ScoreError reports a refused score. Input is the text as given (for a
// Score value that is out of range, its formatted value).
type ScoreError struct {
	Input  string
	Reason ScoreReason
}

// maxQuoted bounds how much of a refused input an error message repeats.
const maxQuoted = 40

func (e *ScoreError) Error() string {
	in := e.Input
	if len(in) > maxQuoted {
		in = in[:maxQuoted] + "…"
	}
	return fmt.Sprintf("score %q: %s", in, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidScore) true.
func (e *ScoreError) Is(target error) bool { return target == ErrInvalidScore }

// InputReason says why input was refused.
type InputReason int

// Reasons for an InputError.
const (
	ReasonPeriods          InputReason = iota + 1 // periods per year not positive
	ReasonTooFewRegular                           // fewer regular scores (ĐĐGtx) than Điều 6 khoản 2 requires
	ReasonTooManyRegular                          // more regular scores than Điều 6 khoản 2 requires
	ReasonLevel                                   // not one of Tốt, Khá, Đạt, Chưa đạt (or not Đạt/Chưa đạt where only those apply)
	ReasonKind                                    // unknown subject kind, or a value that does not belong to the kind
	ReasonNoSubjects                              // an empty list of subjects
	ReasonSubjectName                             // a subject without a name
	ReasonDuplicateSubject                        // two subjects, or two re-tests, with the same name
	ReasonAbsences                                // a negative number of absences
	ReasonRetestNotAllowed                        // a re-test for a student whose year learning result is not Chưa đạt
	ReasonRetestSubject                           // a re-test of a subject that is unknown or not eligible (Điều 13)
	ReasonTitle                                   // text that is not a title
)

// String returns a short English phrase for the reason.
func (r InputReason) String() string {
	switch r {
	case ReasonPeriods:
		return "periods per year must be positive"
	case ReasonTooFewRegular:
		return "too few regular scores (ĐĐGtx)"
	case ReasonTooManyRegular:
		return "too many regular scores (ĐĐGtx)"
	case ReasonLevel:
		return "not a valid result level"
	case ReasonKind:
		return "subject kind and value do not match"
	case ReasonNoSubjects:
		return "no subjects"
	case ReasonSubjectName:
		return "subject without a name"
	case ReasonDuplicateSubject:
		return "subject given twice"
	case ReasonAbsences:
		return "absences cannot be negative"
	case ReasonRetestNotAllowed:
		return "re-test only follows a year learning result of Chưa đạt"
	case ReasonRetestSubject:
		return "subject not eligible for re-test"
	case ReasonTitle:
		return "not a title"
	}
	return fmt.Sprintf("InputReason(%d)", int(r))
}

// InputError reports input the rules cannot be applied to. Subject is empty
// when the problem is not about one subject; Detail adds numbers or the
// offending text.
type InputError struct {
	Subject string
	Reason  InputReason
	Detail  string
}

func (e *InputError) Error() string {
	msg := e.Reason.String()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Subject != "" {
		return fmt.Sprintf("subject %s: %s", e.Subject, msg)
	}
	return msg
}

// Is makes errors.Is(err, ErrInvalidInput) true.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }
