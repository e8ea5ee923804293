// Package signbench holds the signing benchmarks of kyso: a real diploma
// (templates' sample, rendered with its pre-placed signature field) signed
// into its field with a visible appearance, with a software key and with
// keys in a SoftHSM2 token, each beside the raw signing rate of the same key
// measured in the same run; and a batch of 1,000 diplomas signed with one
// P-256 key, PDF in to PDF out, reported in documents per second.
//
// Run them with
//
//	go test ./internal/signbench -run '^$' -bench . -benchtime 2s
//
// The package has no code of its own: benchmarks import hsm, signer and
// templates together, which the packages themselves must not.
package signbench
