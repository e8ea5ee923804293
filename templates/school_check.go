package templates

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// checker collects the problems of a gradebook or a học bạ. Field names are
// paths of JSON members with 1-based positions: "hoc_sinh[3].ddgtx[2]".
type checker struct {
	out []*FieldError
}

func (c *checker) add(field, value string, r Reason, detail string) {
	c.out = append(c.out, &FieldError{Field: field, Value: value, Reason: r, Detail: detail})
}

func (c *checker) err() error {
	if len(c.out) == 0 {
		return nil
	}
	return ValidationErrors(c.out)
}

// textKind says which characters a text field allows.
type textKind int

const (
	plainText  textKind = iota // letters, digits, spaces and common punctuation
	personName                 // letters, spaces and . ' -
	proseText                  // plain text and ! ? % …
)

// text checks a text field that Normalize has cleaned: present when
// required, at most max characters, only allowed characters, normalised. It
// reports whether the field is sound (an absent optional field is).
func (c *checker) text(field, v string, max int, kind textKind, required bool) bool {
	switch {
	case v == "" && !required:
		return true
	case strings.TrimSpace(v) == "":
		c.add(field, "", ReasonRequired, "")
	case !utf8.ValidString(v):
		c.add(field, v, ReasonBadCharacter, "not valid UTF-8")
	case utf8.RuneCountInString(v) > max:
		c.add(field, v, ReasonTooLong, fmt.Sprintf("%d characters, want at most %d", utf8.RuneCountInString(v), max))
	case cleanText(v) != v:
		c.add(field, v, ReasonBadFormat, "not normalised: want NFC with single spaces and no surrounding space")
	case textProblem(v, kind) != "":
		c.add(field, v, ReasonBadCharacter, textProblem(v, kind))
	default:
		return true
	}
	return false
}

func textProblem(s string, kind textKind) string {
	if kind != proseText {
		return textCharProblem(s, kind == personName)
	}
	for _, r := range s {
		if strings.ContainsRune("!?%…", r) {
			continue
		}
		if p := textCharProblem(string(r), false); p != "" {
			return p
		}
	}
	return ""
}

// mark checks one mark of a subject of the given kind.
func (c *checker) mark(field string, m Mark, kind SubjectKind, required bool) {
	if m == "" {
		if required {
			c.add(field, "", ReasonRequired, "")
		}
		return
	}
	v := string(m)
	switch kind {
	case SubjectScored:
		if _, ok := m.Score(); ok {
			return
		}
		if _, ok := ParseVerdict(v); ok {
			c.add(field, v, ReasonBadValue, "a Đ/CĐ mark for a subject assessed with scores")
			return
		}
		t, r, why := parseScoreTenths(v)
		if why != "" {
			c.add(field, v, r, why)
			return
		}
		c.add(field, v, ReasonBadFormat, "want the canonical form "+string(scoreOfTenths(t)))
	case SubjectComment:
		if _, ok := m.Verdict(); ok {
			return
		}
		if vd, ok := ParseVerdict(v); ok {
			c.add(field, v, ReasonBadFormat, "want the canonical form "+string(vd))
			return
		}
		if _, _, why := parseScoreTenths(v); why == "" {
			c.add(field, v, ReasonBadValue, "a score for a subject assessed by comment only; want Đ or CĐ")
			return
		}
		c.add(field, v, ReasonBadValue, "want Đ (Đạt) or CĐ (Chưa đạt)")
	}
}

// absent reports a mark that must not be there.
func (c *checker) absent(field string, m Mark, why string) {
	if m != "" {
		c.add(field, string(m), ReasonInconsistent, why)
	}
}

// date checks a required date and reports whether it is sound.
func (c *checker) date(field string, d Date) bool {
	switch {
	case d.IsZero():
		c.add(field, "", ReasonRequired, "")
		return false
	case !d.Valid():
		c.out = append(c.out, &FieldError{Field: field, Value: fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day),
			Reason: ReasonNotDate, Detail: fmt.Sprintf("want a real date in %d–%d", MinYear, MaxYear), Err: ErrNotDate})
		return false
	}
	return true
}

// schoolYear checks a school year and returns its first calendar year, or 0.
func (c *checker) schoolYear(field, v string) int {
	if v == "" {
		c.add(field, "", ReasonRequired, "")
		return 0
	}
	norm, y1, ok := normalizeSchoolYear(v)
	switch {
	case !ok:
		c.add(field, v, ReasonBadFormat, "want two consecutive years, e.g. 2024-2025")
	case norm != v:
		c.add(field, v, ReasonBadFormat, "want the canonical form "+norm)
	case y1 < MinSchoolYear || y1 >= MaxYear:
		c.add(field, v, ReasonOutOfRange, fmt.Sprintf("Thông tư 22/2021 applies from %d-%d", MinSchoolYear, MinSchoolYear+1))
	default:
		return y1
	}
	return 0
}

// withinSchoolYear checks that a date (of signing or approval) falls between
// 1 August of the school year's first calendar year and 31 December of its
// second.
func (c *checker) withinSchoolYear(field string, d Date, y1 int, yearField string) {
	from := Date{Year: y1, Month: time.August, Day: 1}
	to := Date{Year: y1 + 1, Month: time.December, Day: 31}
	if d.Before(from) || to.Before(d) {
		c.add(field, d.String(), ReasonInconsistent,
			fmt.Sprintf("outside the school year %s %d-%d", yearField, y1, y1+1))
	}
}

// birthDate checks a student's date of birth against the school year and the
// document's date.
func (c *checker) birthDate(field string, dob Date, y1 int, docDate Date, docDateSound bool) {
	if !c.date(field, dob) {
		return
	}
	if docDateSound && !dob.Before(docDate) {
		c.add(field, dob.String(), ReasonInconsistent, "must be before the date of the document "+docDate.String())
		return
	}
	if y1 > 0 && y1-dob.Year < minSchoolAge {
		c.add(field, dob.String(), ReasonInconsistent,
			fmt.Sprintf("the student would be %d when the school year starts, want at least %d", y1-dob.Year, minSchoolAge))
	}
}

// minSchoolAge is the lowest age, in years, at the start of a school year, of
// a student in grade 6 or above.
const minSchoolAge = 10

// normalizeEnum cleans v and, if parse reads it, returns the canonical form.
func normalizeEnum[T ~string](v T, parse func(string) (T, bool)) T {
	s := cleanText(string(v))
	if p, ok := parse(s); ok {
		return p
	}
	return T(s)
}

// enum checks a required value of an enumeration.
func enum[T ~string](c *checker, field string, v T, parse func(string) (T, bool), want string, required bool) bool {
	if v == "" {
		if required {
			c.add(field, "", ReasonRequired, "")
			return false
		}
		return true
	}
	p, ok := parse(string(v))
	switch {
	case !ok:
		c.add(field, string(v), ReasonBadValue, "want "+want)
	case p != v:
		c.add(field, string(v), ReasonBadFormat, "want the canonical form "+string(p))
	default:
		return true
	}
	return false
}
