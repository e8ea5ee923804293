package templates

import (
	"errors"
	"strings"
	"testing"

	"github.com/kyso-vn/kyso/assessment"
)

// TestSamplesAddUp: every sample gradebook (each term, each subject) and
// the học bạ of every student of the sample class agree with the
// assessment engine.
func TestSamplesAddUp(t *testing.T) {
	for _, term := range []Term{TermI, TermII, TermYear} {
		for _, subject := range SampleSubjects() {
			g, err := SampleGradebook(SampleClassSize, term, subject)
			if err != nil {
				t.Fatal(err)
			}
			if err := g.CheckArithmetic(); err != nil {
				t.Errorf("%s %s: %v", term, subject, err)
			}
		}
	}
	for i := range SampleClassSize {
		tr, err := SampleTranscript(i)
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.CheckArithmetic(); err != nil {
			t.Errorf("học bạ %d: %v", i, err)
		}
	}
}

func firstScored(t *testing.T) Gradebook {
	t.Helper()
	g, err := SampleGradebook(SampleClassSize, TermI, "Toán")
	if err != nil {
		t.Fatal(err)
	}
	if g.SubjectKind != SubjectScored {
		t.Fatal("Toán is not scored in the samples")
	}
	return g
}

// TestGradebookWrongAverage (Điều 9 khoản 1): an ĐTBmhk one tenth off is
// refused, naming the student, the subject and the expected value.
func TestGradebookWrongAverage(t *testing.T) {
	g := firstScored(t)
	s := &g.Students[4]
	want := s.TermAverage
	tenths, _ := mustScore(t, want).Tenths()
	off, _ := ScoreFromTenths(tenths - 1)
	if tenths == 0 {
		off, _ = ScoreFromTenths(1)
	}
	s.TermAverage = Mark(off)
	err := g.CheckArithmetic()
	var verrs ValidationErrors
	if !errors.As(err, &verrs) || len(verrs) != 1 {
		t.Fatalf("got %v, want one mismatch", err)
	}
	fe := verrs[0]
	if fe.Field != "hoc_sinh[5].dtbmhk" || fe.Reason != ReasonInconsistent || !errors.Is(fe, assessment.ErrMismatch) {
		t.Errorf("got field %q reason %v, want hoc_sinh[5].dtbmhk inconsistent", fe.Field, fe.Reason)
	}
	for _, w := range []string{s.ID, "Toán", mustScore(t, want).Vietnamese()} {
		if !strings.Contains(fe.Error(), w) {
			t.Errorf("error %q does not name %q", fe.Error(), w)
		}
	}
}

func TestTranscriptWrongResults(t *testing.T) {
	base, err := SampleTranscript(0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		edit  func(*Transcript)
		field string
	}{
		{"year average (Điều 9 khoản 1)", func(tr *Transcript) {
			for i, s := range tr.Subjects {
				if s.Kind == SubjectScored {
					tn, _ := mustScore(t, s.Year).Tenths()
					v, _ := ScoreFromTenths(tn - 1)
					tr.Subjects[i].Year = Mark(v)
					return
				}
			}
		}, "mon_hoc[1].cn"},
		{"learning result (Điều 9 khoản 2)", func(tr *Transcript) { tr.TermI.Learning = RatingPass }, "hk1.hoc_tap"},
		{"conduct year (Điều 8)", func(tr *Transcript) { tr.Year.Conduct = RatingFail }, "ca_nam.ren_luyen"},
		{"title (Điều 15)", func(tr *Transcript) { tr.Title = "" }, "danh_hieu"},
		{"promotion with 46 sessions absent (Điều 12)", func(tr *Transcript) { tr.DaysAbsent = 46 }, "xet_len_lop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := base
			tr.Subjects = append([]TranscriptSubject(nil), base.Subjects...)
			tt.edit(&tr)
			err := tr.CheckArithmetic()
			var verrs ValidationErrors
			if !errors.As(err, &verrs) {
				t.Fatalf("got %v, want mismatches", err)
			}
			found := false
			for _, fe := range verrs {
				found = found || fe.Field == tt.field
			}
			if !found {
				t.Errorf("mismatches %v do not include field %s", err, tt.field)
			}
		})
	}
}

func mustScore(t *testing.T, m Mark) Score {
	t.Helper()
	s, ok := m.Score()
	if !ok {
		t.Fatalf("mark %q is not a score", m)
	}
	return s
}

// TestRenderRefusesWrongArithmetic: the renderers never draw averages that
// do not add up.
func TestRenderRefusesWrongArithmetic(t *testing.T) {
	g := firstScored(t)
	g.Students[0].TermAverage = Mark("0.1")
	r, err := NewGradebookRenderer(newTestRenderer(t).pdf, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Render(&g, IssueMeta{CredentialID: "7KQ2M9P-X4R8T1B-HC0WZ3D", VerifyURL: "https://x.example/v/7KQ2M9P-X4R8T1B-HC0WZ3D"})
	if !errors.Is(err, assessment.ErrMismatch) {
		t.Fatalf("render of a wrong average: %v, want a mismatch", err)
	}
}
