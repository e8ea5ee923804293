package main

import (
	"errors"
	"testing"
	"time"
)

const wrkSample = `Running 30s test @ http://127.0.0.1:40123
  4 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.12ms    4.01ms  80.11ms   75.00%
    Req/Sec     1.77k   210.33     2.30k    70.00%
  Latency Distribution
     50%    8.51ms
     75%   11.02ms
     90%   14.30ms
     99%  253.80ms
  211735 requests in 30.02s, 1.31GB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   7053.18
Transfer/sec:     44.74MB
`

func TestParseWrk(t *testing.T) {
	got, err := parseWrk(wrkSample)
	if err != nil {
		t.Fatalf("parseWrk: %v", err)
	}
	want := wrkResult{Requests: 211735, RequestsSec: 7053.18, P50: 8510 * time.Microsecond, P99: 253800 * time.Microsecond, Errors: 12}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestParseWrkIncomplete(t *testing.T) {
	for _, tc := range []struct{ name, out string }{
		{"empty", ""},
		{"no latency distribution", "Requests/sec:   7053.18\n"},
		{"no rate", "     99%  253.80ms\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parseWrk(tc.out); !errors.Is(err, errNoWrkSummary) {
				t.Errorf("got error %v, want errNoWrkSummary", err)
			}
		})
	}
}

func TestParseWrkDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"812.00us", 812 * time.Microsecond, true},
		{"3.45ms", 3450 * time.Microsecond, true},
		{"1.02s", 1020 * time.Millisecond, true},
		{"2.00m", 2 * time.Minute, true},
		{"12", 0, false},
		{"x.yms", 0, false},
	} {
		got, err := parseWrkDuration(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("parseWrkDuration(%q): got error %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if got != tc.want {
			t.Errorf("parseWrkDuration(%q): got %v, want %v", tc.in, got, tc.want)
		}
	}
}
