package assessment

import (
	"errors"
	"testing"
)

// Scores have one decimal (Điều 5 khoản 3); imports write them with a comma
// or a point.
func TestParseScore(t *testing.T) {
	tests := []struct {
		in     string
		want   Score
		reason ScoreReason // zero: no error
	}{
		{"0", 0, 0},
		{"10", 100, 0},
		{"10,0", 100, 0},
		{"10.0", 100, 0},
		{"8,5", 85, 0},
		{"8.5", 85, 0},
		{"7", 70, 0},
		{"08,5", 85, 0},
		{" 8,5 ", 85, 0},
		{"\u00a08,5\t", 85, 0}, // no-break space left by spreadsheets
		{"0,1", 1, 0},
		{"9,9", 99, 0},

		{"", 0, ScoreEmpty},
		{"   ", 0, ScoreEmpty},
		{"8,5a", 0, ScoreMalformed},
		{"a", 0, ScoreMalformed},
		{"8,", 0, ScoreMalformed},
		{",5", 0, ScoreMalformed},
		{"8,5,0", 0, ScoreMalformed},
		{"8.5.0", 0, ScoreMalformed},
		{"+8", 0, ScoreMalformed},
		{"1e1", 0, ScoreMalformed},
		{"8 ,5", 0, ScoreMalformed},
		{"８", 0, ScoreMalformed}, // fullwidth digit
		{"-", 0, ScoreMalformed},
		{"--1", 0, ScoreMalformed},
		{"-1", 0, ScoreNegative},
		{"-0,5", 0, ScoreNegative},
		{"11", 0, ScoreAboveMax},
		{"10,1", 0, ScoreAboveMax},
		{"10,05", 0, ScoreAboveMax},
		{"100", 0, ScoreAboveMax},
		{"99999999999999999999999999", 0, ScoreAboveMax},
		{"8,55", 0, ScoreTooPrecise},
		{"8,50", 0, ScoreTooPrecise},
		{"10,00", 0, ScoreTooPrecise},
		{"6.45", 0, ScoreTooPrecise},
	}
	for _, tt := range tests {
		got, err := ParseScore(tt.in)
		if tt.reason == 0 {
			if err != nil {
				t.Errorf("ParseScore(%q): unexpected error %v", tt.in, err)
			} else if got != tt.want {
				t.Errorf("ParseScore(%q) = %d, want %d", tt.in, got, tt.want)
			}
			continue
		}
		var se *ScoreError
		if !errors.As(err, &se) {
			t.Errorf("ParseScore(%q): got error %v, want *ScoreError", tt.in, err)
			continue
		}
		if se.Reason != tt.reason {
			t.Errorf("ParseScore(%q): got reason %v, want %v", tt.in, se.Reason, tt.reason)
		}
		if !errors.Is(err, ErrInvalidScore) {
			t.Errorf("ParseScore(%q): error does not match ErrInvalidScore", tt.in)
		}
	}
}

func TestScoreFormat(t *testing.T) {
	tests := []struct {
		s          Score
		comma, dot string
	}{
		{0, "0,0", "0.0"},
		{5, "0,5", "0.5"},
		{70, "7,0", "7.0"},
		{85, "8,5", "8.5"},
		{100, "10,0", "10.0"},
		{-3, "-0,3", "-0.3"},
		{105, "10,5", "10.5"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.comma {
			t.Errorf("Score(%d).String() = %q, want %q", int(tt.s), got, tt.comma)
		}
		if got := tt.s.Dot(); got != tt.dot {
			t.Errorf("Score(%d).Dot() = %q, want %q", int(tt.s), got, tt.dot)
		}
	}
	minScore := Score(-1 << 63)
	if got, want := minScore.String(), "-922337203685477580,8"; got != want {
		t.Errorf("most negative Score: got %q, want %q", got, want)
	}
}

// FuzzParseScore: every accepted score is on the scale and survives a round
// trip through both formats; every refusal is a *ScoreError with a known reason.
func FuzzParseScore(f *testing.F) {
	for _, s := range []string{"8,5", "8.5", "10", "0", "8,5a", "11", "-1", "8,55", "", " 7 ", "10,1", "1e1", "٣", "10,00", "0000000000010"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseScore(in)
		if err != nil {
			var se *ScoreError
			if !errors.As(err, &se) || se.Reason < ScoreEmpty || se.Reason > ScoreTooPrecise || se.Input != in {
				t.Fatalf("ParseScore(%q): got error %#v, want *ScoreError with a known reason and the input", in, err)
			}
			_ = err.Error()
			return
		}
		if !s.Valid() {
			t.Fatalf("ParseScore(%q) = %d, off the scale", in, s)
		}
		for _, txt := range []string{s.String(), s.Dot()} {
			back, err := ParseScore(txt)
			if err != nil || back != s {
				t.Fatalf("ParseScore(%q) = %d; round trip through %q gave %d, %v", in, s, txt, back, err)
			}
		}
	})
}
