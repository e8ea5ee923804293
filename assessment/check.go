package assessment

import "fmt"

// Field names the value a MismatchError is about, in the words of the forms.
type Field string

// The checked fields.
const (
	FieldTermAverage Field = "ĐTBmhk"            // scored subject, term average
	FieldYearAverage Field = "ĐTBmcn"            // scored subject, year average
	FieldCommentYear Field = "kết quả cả năm"    // comment-graded subject, year result
	FieldLearning    Field = "kết quả học tập"   // learning result, term or year
	FieldConduct     Field = "kết quả rèn luyện" // conduct result, year
	FieldTitle       Field = "danh hiệu"         // year title
	FieldPromotion   Field = "lên lớp"           // promotion outcome
)

// MismatchError reports a value carried by the input that differs from the
// value the rules give. Student and Subject are the labels the caller passed
// (Subject is empty for a student's overall results); Got and Want are
// formatted as on the forms ("7,4", "Khá").
//
// Student is whatever the caller uses to name the student, often the full
// name: the message is meant for the person fixing the input, and a caller
// that logs should log an identifier instead.
type MismatchError struct {
	Student string
	Subject string
	Field   Field
	Got     string
	Want    string
}

// Error reads, e.g., "student Nguyễn Văn A, subject Toán: ĐTBmhk is 7,4, expected 7,5".
func (e *MismatchError) Error() string {
	where := ""
	switch {
	case e.Student != "" && e.Subject != "":
		where = fmt.Sprintf("student %s, subject %s: ", e.Student, e.Subject)
	case e.Student != "":
		where = fmt.Sprintf("student %s: ", e.Student)
	case e.Subject != "":
		where = fmt.Sprintf("subject %s: ", e.Subject)
	}
	got := e.Got
	if got == "" {
		got = "empty"
	}
	want := e.Want
	if want == "" {
		want = "empty"
	}
	return fmt.Sprintf("%s%s is %s, expected %s", where, e.Field, got, want)
}

// Is makes errors.Is(err, ErrMismatch) true.
func (e *MismatchError) Is(target error) bool { return target == ErrMismatch }

func mismatch(student, subject string, f Field, got, want fmt.Stringer) error {
	if got.String() == want.String() {
		return nil
	}
	return &MismatchError{Student: student, Subject: subject, Field: f, Got: got.String(), Want: want.String()}
}

// CheckTermAverage computes ĐTBmhk as TermAverage does and compares it with
// got, the term average the input carries. It returns nil when they agree, a
// *MismatchError when they differ, and the input error when the scores
// cannot be averaged or got is off the scale.
func CheckTermAverage(student, subject string, regular []Score, midterm, final Score, periodsPerYear int, got Score) error {
	want, err := TermAverage(regular, midterm, final, periodsPerYear)
	if err != nil {
		return fmt.Errorf("subject %s: %w", subject, err)
	}
	if err := checkScore(got); err != nil {
		return fmt.Errorf("subject %s: ĐTBmhk: %w", subject, err)
	}
	return mismatch(student, subject, FieldTermAverage, got, want)
}

// CheckYearAverage computes ĐTBmcn as YearAverage does and compares it with
// got, as CheckTermAverage does.
func CheckYearAverage(student, subject string, hk1, hk2, got Score) error {
	want, err := YearAverage(hk1, hk2)
	if err != nil {
		return fmt.Errorf("subject %s: %w", subject, err)
	}
	if err := checkScore(got); err != nil {
		return fmt.Errorf("subject %s: ĐTBmcn: %w", subject, err)
	}
	return mismatch(student, subject, FieldYearAverage, got, want)
}

// CheckCommentYear checks a comment-graded subject's year result against
// CommentYear.
func CheckCommentYear(student, subject string, hk1, hk2, got Level) error {
	want, err := CommentYear(hk1, hk2)
	if err == nil {
		_, err = CommentYear(got, got)
	}
	if err != nil {
		return fmt.Errorf("subject %s: %w", subject, err)
	}
	return mismatch(student, subject, FieldCommentYear, got, want)
}

// CheckLearningResult checks a term or year learning result against
// LearningResult, adjustment included.
func CheckLearningResult(student string, subjects []SubjectResult, got Level) error {
	want, _, err := LearningResult(subjects)
	if err != nil {
		return err
	}
	if err := checkLevel("learning", got); err != nil {
		return err
	}
	return mismatch(student, "", FieldLearning, got, want)
}

// CheckConductYear checks a year conduct result against ConductYear.
func CheckConductYear(student string, hk1, hk2, got Level) error {
	want, err := ConductYear(hk1, hk2)
	if err != nil {
		return err
	}
	if err := checkLevel("conduct", got); err != nil {
		return err
	}
	return mismatch(student, "", FieldConduct, got, want)
}

// CheckTitle checks a year title against YearTitle; NoTitle is a value like
// any other, so a title given where none is earned is a mismatch.
func CheckTitle(student string, conduct Level, year []SubjectResult, got Title) error {
	want, err := YearTitle(conduct, year)
	if err != nil {
		return err
	}
	if got < NoTitle || got > TitleXuatSac {
		return &InputError{Reason: ReasonTitle, Detail: got.String()}
	}
	return mismatch(student, "", FieldTitle, titleText(got), titleText(want))
}

// titleText shows NoTitle as "none" in messages.
type titleText Title

func (t titleText) String() string {
	if Title(t) == NoTitle {
		return "none"
	}
	return Title(t).String()
}

// CheckPromotion checks an end-of-year promotion outcome against Promotion;
// an invalid got is reported as a mismatch.
func CheckPromotion(student string, learning, conduct Level, sessionsAbsent int, got Outcome) error {
	d, err := Promotion(learning, conduct, sessionsAbsent)
	if err != nil {
		return err
	}
	return mismatch(student, "", FieldPromotion, got, d.Outcome)
}
