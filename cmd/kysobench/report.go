package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

// renderReport formats the measurements as Markdown.
func renderReport(c config, rows []row, loadTimes []string, startLoad string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "wrk -t%d -c%d -d%v --latency after a %v warm-up; %d CPUs; load average (1/5/15 min) at start: %s\n\n",
		c.threads, c.conns, c.duration, c.warmup, runtime.NumCPU(), startLoad)
	b.WriteString("| run | records | requests/s | p50 | p99 | requests | errors | load avg after |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d | %.0f | %v | %v | %d | %d | %s |\n", r.name, r.records, r.res.RequestsSec,
			roundMs(r.res.P50), roundMs(r.res.P99), r.res.Requests, r.res.Errors, r.load)
	}
	b.WriteString("\n")
	var small, large *row
	for i := range rows {
		if rows[i].name != "GET /v/{id}" {
			continue
		}
		if small == nil {
			small = &rows[i]
		} else {
			large = &rows[i]
		}
	}
	if small != nil && large != nil && small.res.P50 > 0 && small.res.P99 > 0 {
		fmt.Fprintf(&b, "Lookup at %d vs %d records: p50 ratio %.2f, p99 ratio %.2f, throughput ratio %.2f\n\n",
			large.records, small.records,
			float64(large.res.P50)/float64(small.res.P50), float64(large.res.P99)/float64(small.res.P99),
			small.res.RequestsSec/large.res.RequestsSec)
	}
	for _, l := range loadTimes {
		fmt.Fprintf(&b, "- %s\n", l)
	}
	return b.String()
}

func roundMs(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
