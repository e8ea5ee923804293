package tabular

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a civil date, without time of day or time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// IsZero reports whether d is the zero Date (no date).
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as dd/mm/yyyy, the way Vietnamese documents write dates.
func (d Date) String() string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

// Excel serial dates: day numbers from an epoch. In the 1900 system, day 1
// is 1 January 1900 and day 60 is 29 February 1900, a day that never was
// (kept from Lotus 1-2-3); so from day 61 on, day n is n days after
// 30 December 1899. In the 1904 system (old Mac workbooks), day 0 is
// 1 January 1904.
const (
	maxSerial1900 = 2958465 // 31 December 9999
	maxSerial1904 = maxSerial1900 - 1462
)

// ParseDate reads a date as schools write it or spreadsheets deliver it:
//
//   - dd/mm/yyyy, with "/", "-" or "." between the parts and one- or
//     two-digit day and month ("1/2/2007" is 1 February 2007);
//   - yyyy-mm-dd (ISO 8601);
//   - either, followed by a time of exactly midnight (" 00:00",
//     " 00:00:00", "T00:00:00"), as date-time exports write them;
//   - an Excel serial day number ("39114", "39114.0"), which is what a date
//     cell holds when read raw or formatted as a number; date1904 selects
//     the workbook's 1904 date system (Row.Date passes it on).
//
// Two-digit years are refused: "01/02/07" could be 1907 or 2007. The
// error wraps ErrNotDate and says what was wrong. A date that is valid but
// out of the range a field allows is for the caller to refuse.
func ParseDate(s string, date1904 bool) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, fmt.Errorf("%w (empty)", ErrNotDate)
	}
	if isSerial(s) {
		return serialDate(s, date1904)
	}
	s = stripMidnight(s)
	i := strings.IndexAny(s, "/-.")
	if i < 0 {
		return Date{}, fmt.Errorf("%w (want dd/mm/yyyy)", ErrNotDate)
	}
	parts := strings.Split(s, s[i:i+1]) // the same separator both times
	if len(parts) != 3 {
		return Date{}, fmt.Errorf("%w (want dd/mm/yyyy)", ErrNotDate)
	}
	var day, month, year string
	if len(parts[0]) == 4 {
		year, month, day = parts[0], parts[1], parts[2]
	} else {
		day, month, year = parts[0], parts[1], parts[2]
	}
	if !allDigits(day) || !allDigits(month) || !allDigits(year) ||
		len(day) > 2 || len(month) > 2 || len(year) != 4 {
		if allDigits(year) && len(year) == 2 {
			return Date{}, fmt.Errorf("%w (want a four-digit year)", ErrNotDate)
		}
		return Date{}, fmt.Errorf("%w (want dd/mm/yyyy)", ErrNotDate)
	}
	d, _ := strconv.Atoi(day)
	m, _ := strconv.Atoi(month)
	y, _ := strconv.Atoi(year)
	if y < 1 {
		return Date{}, fmt.Errorf("%w (no year 0)", ErrNotDate)
	}
	if m < 1 || m > 12 {
		return Date{}, fmt.Errorf("%w (no month %d)", ErrNotDate, m)
	}
	if d < 1 || d > daysIn(y, time.Month(m)) {
		return Date{}, fmt.Errorf("%w (no day %d in %s %d)", ErrNotDate, d, time.Month(m), y)
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, nil
}

// stripMidnight removes a midnight time after a date.
func stripMidnight(s string) string {
	for _, suffix := range []string{" 00:00:00", "T00:00:00", " 00:00", "T00:00", " 0:00:00", " 0:00"} {
		if strings.HasSuffix(s, suffix) {
			return strings.TrimSpace(strings.TrimSuffix(s, suffix))
		}
	}
	return s
}

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

// isSerial reports whether s is a day number: digits, optionally followed
// by a decimal point and zeros.
func isSerial(s string) bool {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if !allDigits(whole) || len(whole) > 7 {
		return false
	}
	if hasFrac {
		return strings.Trim(frac, "0") == "" && frac != ""
	}
	return true
}

func serialDate(s string, date1904 bool) (Date, error) {
	whole, _, _ := strings.Cut(s, ".")
	n, err := strconv.Atoi(whole)
	if err != nil {
		return Date{}, fmt.Errorf("%w (want dd/mm/yyyy)", ErrNotDate)
	}
	var t time.Time
	switch {
	case date1904:
		if n > maxSerial1904 {
			return Date{}, fmt.Errorf("%w (day number %d is after 9999)", ErrNotDate, n)
		}
		t = time.Date(1904, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
	case n < 1:
		return Date{}, fmt.Errorf("%w (day number %d is before 1900)", ErrNotDate, n)
	case n == 60:
		return Date{}, fmt.Errorf("%w (day number 60 is 29/02/1900, a day that does not exist)", ErrNotDate)
	case n < 60:
		t = time.Date(1899, time.December, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
	case n > maxSerial1900:
		return Date{}, fmt.Errorf("%w (day number %d is after 9999)", ErrNotDate, n)
	default:
		t = time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
	}
	return Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}, nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
