package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a civil date with no time of day and no time zone, as printed on
// school records.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Years outside [MinYear, MaxYear] are rejected by ParseDate as typing
// mistakes.
const (
	MinYear = 1900
	MaxYear = 2100
)

// ErrNotDate is returned (wrapped) by ParseDate.
var ErrNotDate = errors.New("not a date")

// ParseDate reads a date written the Vietnamese way, day first: "15/03/2007"
// or "5/3/2007" (also with "-" or "." between the parts), or in ISO 8601 form
// "2007-03-15". Surrounding spaces are ignored. Impossible dates (31/02/2007)
// and years outside [MinYear, MaxYear] are rejected.
func ParseDate(s string) (Date, error) {
	d, why := parseDate(s)
	if why != "" {
		return Date{}, fmt.Errorf("%w: %q: %s", ErrNotDate, strings.TrimSpace(s), why)
	}
	return d, nil
}

// parseDate is ParseDate returning, instead of an error, why s is not a date
// ("" when it is one).
func parseDate(s string) (Date, string) {
	s = strings.TrimSpace(s)
	fail := func(why string) (Date, string) {
		return Date{}, why
	}
	if s == "" {
		return fail("empty")
	}
	var sep rune
	for _, c := range s {
		if c == '/' || c == '-' || c == '.' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return fail("want dd/mm/yyyy or yyyy-mm-dd")
	}
	parts := strings.Split(s, string(sep))
	if len(parts) != 3 {
		return fail("want dd/mm/yyyy or yyyy-mm-dd")
	}
	var y, m, d string
	switch {
	case len(parts[0]) == 4 && sep == '-':
		y, m, d = parts[0], parts[1], parts[2]
		if len(m) != 2 || len(d) != 2 {
			return fail("want yyyy-mm-dd")
		}
	case len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		d, m, y = parts[0], parts[1], parts[2]
	default:
		return fail("want dd/mm/yyyy or yyyy-mm-dd")
	}
	yi, ok1 := digits(y)
	mi, ok2 := digits(m)
	di, ok3 := digits(d)
	if !ok1 || !ok2 || !ok3 {
		return fail("want digits")
	}
	if yi < MinYear || yi > MaxYear {
		return fail(fmt.Sprintf("year outside %d–%d", MinYear, MaxYear))
	}
	if mi < 1 || mi > 12 {
		return fail("no such month")
	}
	if di < 1 || di > daysIn(time.Month(mi), yi) {
		return fail("no such day in that month")
	}
	return Date{Year: yi, Month: time.Month(mi), Day: di}, ""
}

// digits parses a non-empty string of ASCII digits.
func digits(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// IsZero reports whether d is the zero Date (no date).
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d is a real calendar date within [MinYear, MaxYear].
func (d Date) Valid() bool {
	return d.Year >= MinYear && d.Year <= MaxYear && d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= daysIn(d.Month, d.Year)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	}
	return cmpInt(d.Day, e.Day)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// String returns the date as dd/mm/yyyy, the Vietnamese form.
func (d Date) String() string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

// ISO returns the date as yyyy-mm-dd.
func (d Date) ISO() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalJSON writes the date as an ISO 8601 string, "2007-03-15". The zero
// Date is written as null.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	if !d.Valid() {
		return nil, fmt.Errorf("%w: %04d-%02d-%02d", ErrNotDate, d.Year, int(d.Month), d.Day)
	}
	return []byte(`"` + d.ISO() + `"`), nil
}

// UnmarshalJSON reads a date string in any form ParseDate accepts; null leaves
// the date unchanged.
func (d *Date) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%w: want a string such as \"2007-03-15\"", ErrNotDate)
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
