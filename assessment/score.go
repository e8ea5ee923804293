package assessment

import (
	"strconv"
	"strings"
)

// Score is a score or an average on the 10-point scale, counted in tenths of
// a point: Score(85) is 8,5. Điều 5 khoản 3 gives scores as whole numbers or
// numbers with one decimal, so tenths hold every score and every rounded
// average exactly, and all arithmetic here is on integers.
type Score int

// MaxScore is 10,0, the top of the scale.
const MaxScore Score = 100

// Valid reports whether s lies on the scale, 0,0 to 10,0.
func (s Score) Valid() bool { return s >= 0 && s <= MaxScore }

// String formats s the Vietnamese way, with a decimal comma and always one
// decimal: "8,5", "7,0", "10,0".
func (s Score) String() string { return s.format(',') }

// Dot formats s with a decimal point: "8.5".
func (s Score) Dot() string { return s.format('.') }

func (s Score) format(sep byte) string {
	var u uint64
	neg := s < 0
	if neg {
		u = uint64(-(s + 1)) + 1 // safe for the most negative int
	} else {
		u = uint64(s)
	}
	b := make([]byte, 0, 24)
	if neg {
		b = append(b, '-')
	}
	b = strconv.AppendUint(b, u/10, 10)
	b = append(b, sep, byte('0'+u%10))
	return string(b)
}

// ParseScore reads a score as schools write it: digits, optionally followed
// by a decimal comma or point and exactly one digit ("8", "8,5", "8.5",
// "10,0"). Surrounding white space (including the no-break space spreadsheets
// leave) is ignored. It refuses signs, exponents, thousands separators, more
// than one decimal (even "8,50": a second decimal means the value was not
// rounded as Điều 5 khoản 3 requires), values above 10 and anything else,
// with a *ScoreError whose Reason says why.
func ParseScore(s string) (Score, error) {
	in := s
	s = strings.TrimSpace(s)
	fail := func(r ScoreReason) (Score, error) { return 0, &ScoreError{Input: in, Reason: r} }
	if s == "" {
		return fail(ScoreEmpty)
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	intPart, frac, hasSep := s, "", false
	if i := strings.IndexAny(s, ",."); i >= 0 {
		intPart, frac, hasSep = s[:i], s[i+1:], true
	}
	if !allDigits(intPart) || (hasSep && !allDigits(frac)) {
		return fail(ScoreMalformed)
	}
	if neg {
		return fail(ScoreNegative)
	}
	// Saturating conversion: any integer part above 10 is out of range, however long.
	whole := 0
	for i := 0; i < len(intPart); i++ {
		whole = whole*10 + int(intPart[i]-'0')
		if whole > 10 {
			return fail(ScoreAboveMax)
		}
	}
	if whole == 10 && strings.Trim(frac, "0") != "" {
		return fail(ScoreAboveMax)
	}
	if len(frac) > 1 {
		return fail(ScoreTooPrecise)
	}
	tenths := 0
	if frac != "" {
		tenths = int(frac[0] - '0')
	}
	return Score(whole*10 + tenths), nil
}

// allDigits reports whether s is one or more ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkScore returns a *ScoreError when s is off the scale.
func checkScore(s Score) error {
	switch {
	case s < 0:
		return &ScoreError{Input: s.String(), Reason: ScoreNegative}
	case s > MaxScore:
		return &ScoreError{Input: s.String(), Reason: ScoreAboveMax}
	}
	return nil
}

// roundHalfUp returns num/den rounded to the nearest integer, halves upwards
// ("làm tròn số" as taught in Vietnamese schools: a dropped digit of 5 or more
// rounds up). num must be ≥ 0 and den > 0.
func roundHalfUp(num, den int) int { return (2*num + den) / (2 * den) }
