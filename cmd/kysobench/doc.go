// Command kysobench measures the public verification server under load, as
// issue 6 ("Load, measured") asks, and prints the figures as a Markdown
// table. It is a development tool, not part of the kyso binary.
//
// It builds the real kyso binary, runs "kyso demo --no-serve" to issue a
// handful of real signed diplomas, creates a registry without a
// transparency log, copies the demo's credentials into it with
// registry.Issue, and then fills it with synthetic credentials through a
// bulk path (see load.go). It then starts the real "kyso serve" on that
// registry, with rate limiting off, and drives it with wrk:
//
//   - GET /v/{id} at the small size (--small, default 10,000 records);
//   - GET /v/{id} and POST /api/v1/verify at the full size (--n, default
//     1,000,000 records).
//
// wrk (Debian package "wrk") and the Go toolchain must be on PATH. Run it
// from the module root:
//
//	go run ./cmd/kysobench --dir /tmp/kysobench
//
// See docs/PERFORMANCE.md for the figures and how to read them.
package main
