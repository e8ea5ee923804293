package assessment

import "fmt"

// MaxAbsences is the most sessions (buổi) a student may miss in a school
// year, excused or not, in one stretch or added up, and still be promoted
// (Điều 12 khoản 1 điểm b).
const MaxAbsences = 45

// Outcome is the promotion decision for a school year.
type Outcome int

// The outcomes. The zero Outcome is invalid.
const (
	// Promoted: lên lớp.
	Promoted Outcome = iota + 1
	// Reassess: not yet decided; the student re-tests (Điều 13) and/or does
	// conduct training over the summer (Điều 14), after which
	// FinalPromotion decides.
	Reassess
	// Retained: ở lại lớp.
	Retained
)

// String returns the outcome in Vietnamese.
func (o Outcome) String() string {
	switch o {
	case Promoted:
		return "Lên lớp"
	case Reassess:
		return "Kiểm tra lại / rèn luyện trong hè"
	case Retained:
		return "Ở lại lớp"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Cause is one reason a student was not promoted outright.
type Cause int

// The causes.
const (
	CauseLearning Cause = iota + 1 // year learning result Chưa đạt
	CauseConduct                   // year conduct result Chưa đạt
	CauseAbsences                  // more than MaxAbsences sessions absent
)

// String returns the cause in English.
func (c Cause) String() string {
	switch c {
	case CauseLearning:
		return "learning result Chưa đạt"
	case CauseConduct:
		return "conduct result Chưa đạt"
	case CauseAbsences:
		return fmt.Sprintf("more than %d sessions absent", MaxAbsences)
	}
	return fmt.Sprintf("Cause(%d)", int(c))
}

// Decision is a promotion decision with its causes.
type Decision struct {
	Outcome Outcome
	// Retest: the student must re-test subjects (Điều 13); set only with Reassess.
	Retest bool
	// SummerTraining: the student must do conduct training in the summer
	// holidays (Điều 14); set only with Reassess.
	SummerTraining bool
	// Causes lists every condition of Điều 12 khoản 1 the student missed.
	Causes []Cause
}

// Promotion decides at the end of the school year (Điều 12): a student is
// promoted when the year learning and conduct results are both Đạt or better
// and they missed no more than MaxAbsences sessions. More absences mean
// Retained whatever the results. Otherwise a learning result of Chưa đạt
// sends the student to re-test (Điều 13) and a conduct result of Chưa đạt to
// summer conduct training (Điều 14), possibly both: the outcome is Reassess.
func Promotion(learning, conduct Level, sessionsAbsent int) (Decision, error) {
	d, err := decide(learning, conduct, sessionsAbsent)
	if err != nil || d.Outcome != Reassess {
		return d, err
	}
	for _, c := range d.Causes {
		switch c {
		case CauseLearning:
			d.Retest = true
		case CauseConduct:
			d.SummerTraining = true
		}
	}
	return d, nil
}

// FinalPromotion decides after re-tests and summer training (Điều 12 khoản 2,
// Điều 13, Điều 14), from the learning result after re-tests (see LearningAfterRetest)
// and the conduct result after summer training: Promoted when both are Đạt
// or better and absences are within MaxAbsences, otherwise Retained.
func FinalPromotion(learning, conduct Level, sessionsAbsent int) (Decision, error) {
	d, err := decide(learning, conduct, sessionsAbsent)
	if err == nil && d.Outcome == Reassess {
		d.Outcome = Retained
	}
	return d, err
}

func decide(learning, conduct Level, sessionsAbsent int) (Decision, error) {
	if err := checkLevel("learning", learning); err != nil {
		return Decision{}, err
	}
	if err := checkLevel("conduct", conduct); err != nil {
		return Decision{}, err
	}
	if sessionsAbsent < 0 {
		return Decision{}, &InputError{Reason: ReasonAbsences, Detail: fmt.Sprintf("got %d", sessionsAbsent)}
	}
	var d Decision
	if learning == LevelChuaDat {
		d.Causes = append(d.Causes, CauseLearning)
	}
	if conduct == LevelChuaDat {
		d.Causes = append(d.Causes, CauseConduct)
	}
	switch {
	case sessionsAbsent > MaxAbsences:
		d.Causes = append(d.Causes, CauseAbsences)
		d.Outcome = Retained
	case len(d.Causes) > 0:
		d.Outcome = Reassess
	default:
		d.Outcome = Promoted
	}
	return d, nil
}
