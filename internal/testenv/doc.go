// Package testenv gives tests real external parts to run against — SoftHSM2
// tokens, poppler's pdfsig — set up fresh for each test in temporary
// directories. When a tool is missing, helpers fail the test if the
// environment variable CI is "true" and skip it with a message otherwise, so
// a CI run never passes by silently skipping.
package testenv
