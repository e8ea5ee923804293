package templates

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"15/03/2007", Date{2007, time.March, 15}, true},
		{"5/3/2007", Date{2007, time.March, 5}, true},
		{" 05/03/2007 ", Date{2007, time.March, 5}, true},
		{"15-03-2007", Date{2007, time.March, 15}, true},
		{"15.03.2007", Date{2007, time.March, 15}, true},
		{"2007-03-15", Date{2007, time.March, 15}, true},
		{"29/02/2008", Date{2008, time.February, 29}, true},
		{"31/12/2100", Date{2100, time.December, 31}, true},
		{"01/01/1900", Date{1900, time.January, 1}, true},
		{"31/02/2007", Date{}, false},
		{"29/02/2007", Date{}, false},
		{"31/04/2007", Date{}, false},
		{"00/01/2007", Date{}, false},
		{"15/13/2007", Date{}, false},
		{"3/15/2007", Date{}, false}, // US order: no month 15
		{"15/03/1899", Date{}, false},
		{"15/03/2101", Date{}, false},
		{"15/03/07", Date{}, false},
		{"2007-3-15", Date{}, false},
		{"2007/03/15", Date{}, false},
		{"15/03-2007", Date{}, false},
		{"15/03/2007/1", Date{}, false},
		{"", Date{}, false},
		{"ngày 15", Date{}, false},
		{"+5/03/2007", Date{}, false},
		{"１５/03/2007", Date{}, false}, // full-width digits
	}
	for _, tc := range tests {
		got, err := ParseDate(tc.in)
		if tc.ok {
			if err != nil || got != tc.want {
				t.Errorf("ParseDate(%q): got (%v, %v), want (%v, nil)", tc.in, got, err, tc.want)
			}
			continue
		}
		if !errors.Is(err, ErrNotDate) {
			t.Errorf("ParseDate(%q): got (%v, %v), want ErrNotDate", tc.in, got, err)
		}
	}
}

func TestDateFormatting(t *testing.T) {
	d := Date{2007, time.March, 5}
	if got := d.String(); got != "05/03/2007" {
		t.Errorf("String: got %q, want 05/03/2007", got)
	}
	if got := d.ISO(); got != "2007-03-05" {
		t.Errorf("ISO: got %q, want 2007-03-05", got)
	}
	if !d.Before(Date{2007, time.March, 6}) || d.Before(d) || (Date{2008, 1, 1}).Before(d) {
		t.Error("Before gives a wrong order")
	}
	if d.Compare(Date{2007, time.April, 1}) != -1 || d.Compare(d) != 0 || d.Compare(Date{2006, 12, 31}) != 1 {
		t.Error("Compare gives a wrong order")
	}
	if !(Date{}).IsZero() || d.IsZero() {
		t.Error("IsZero is wrong")
	}
}

func TestDateJSON(t *testing.T) {
	type wrap struct {
		D Date `json:"d"`
	}
	b, err := json.Marshal(wrap{Date{2007, time.March, 15}})
	if err != nil || string(b) != `{"d":"2007-03-15"}` {
		t.Fatalf("Marshal: got (%s, %v), want {\"d\":\"2007-03-15\"}", b, err)
	}
	for _, in := range []string{`{"d":"2007-03-15"}`, `{"d":"15/03/2007"}`, `{"d":"15/3/2007"}`} {
		var w wrap
		if err := json.Unmarshal([]byte(in), &w); err != nil || w.D != (Date{2007, time.March, 15}) {
			t.Errorf("Unmarshal(%s): got (%v, %v), want 2007-03-15", in, w.D, err)
		}
	}
	for _, in := range []string{`{"d":"31/02/2007"}`, `{"d":20070315}`, `{"d":"x"}`} {
		var w wrap
		if err := json.Unmarshal([]byte(in), &w); !errors.Is(err, ErrNotDate) {
			t.Errorf("Unmarshal(%s): got %v, want ErrNotDate", in, err)
		}
	}
	var w wrap
	if err := json.Unmarshal([]byte(`{"d":null}`), &w); err != nil || !w.D.IsZero() {
		t.Errorf("Unmarshal(null): got (%v, %v), want zero date", w.D, err)
	}
	if b, err := json.Marshal(wrap{}); err != nil || string(b) != `{"d":null}` {
		t.Errorf("Marshal(zero): got (%s, %v), want {\"d\":null}", b, err)
	}
	if _, err := json.Marshal(wrap{Date{2007, time.February, 31}}); !errors.Is(err, ErrNotDate) {
		t.Errorf("Marshal(31/02): got %v, want ErrNotDate", err)
	}
}
