package tabular

import (
	"errors"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	d := func(y int, m time.Month, day int) Date { return Date{Year: y, Month: m, Day: day} }
	tests := []struct {
		in       string
		date1904 bool
		want     Date
		ok       bool
	}{
		{"12/03/2008", false, d(2008, time.March, 12), true},
		{"5/9/2008", false, d(2008, time.September, 5), true},
		{"05-09-2008", false, d(2008, time.September, 5), true},
		{"05.09.2008", false, d(2008, time.September, 5), true},
		{" 29/02/2008 ", false, d(2008, time.February, 29), true},
		{"2008-09-05", false, d(2008, time.September, 5), true},
		{"2008-09-05T00:00:00", false, d(2008, time.September, 5), true},
		{"05/09/2008 00:00", false, d(2008, time.September, 5), true},
		{"05/09/2008 0:00:00", false, d(2008, time.September, 5), true},
		// Excel serial day numbers, 1900 system: 39519 is 12/03/2008.
		{"39519", false, d(2008, time.March, 12), true},
		{"39519.0", false, d(2008, time.March, 12), true},
		{"1", false, d(1900, time.January, 1), true},
		{"59", false, d(1900, time.February, 28), true},
		{"61", false, d(1900, time.March, 1), true},
		{"2958465", false, d(9999, time.December, 31), true},
		// 1904 system: day 0 is 1 January 1904; 38057 is 12/03/2008.
		{"0", true, d(1904, time.January, 1), true},
		{"38057", true, d(2008, time.March, 12), true},

		{"", false, Date{}, false},
		{"60", false, Date{}, false}, // 29/02/1900 never was
		{"0", false, Date{}, false},
		{"2958466", false, Date{}, false},
		{"39519.5", false, Date{}, false}, // a time of day: not a date of birth
		{"31/02/2008", false, Date{}, false},
		{"29/02/2007", false, Date{}, false},
		{"12/13/2008", false, Date{}, false},
		{"00/01/2008", false, Date{}, false},
		{"12/03/08", false, Date{}, false},
		{"12/03-2008", false, Date{}, false},
		{"12//2008", false, Date{}, false},
		{"12/03/2008 08:30", false, Date{}, false},
		{"ngày 12 tháng 3", false, Date{}, false},
		{"1/2/3/2008", false, Date{}, false},
		{"12/03/0000", false, Date{}, false},
		{"+1/03/2008", false, Date{}, false},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, tt.date1904)
		if tt.ok {
			if err != nil || got != tt.want {
				t.Errorf("ParseDate(%q, %v) = %v, %v; want %v", tt.in, tt.date1904, got, err, tt.want)
			}
			continue
		}
		if !errors.Is(err, ErrNotDate) {
			t.Errorf("ParseDate(%q, %v) = %v, %v; want an error wrapping ErrNotDate", tt.in, tt.date1904, got, err)
		}
	}
}

func TestDateString(t *testing.T) {
	if got := (Date{Year: 2008, Month: time.March, Day: 5}).String(); got != "05/03/2008" {
		t.Errorf("String() = %q, want 05/03/2008", got)
	}
	if !(Date{}).IsZero() || (Date{Year: 1}).IsZero() {
		t.Errorf("IsZero is wrong")
	}
}
