package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// NeedTool returns the path of an external program a test needs. It fails
// the test when the program is missing and CI=true, and skips it otherwise.
func NeedTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI but not installed (apt-get install poppler-utils zbar-tools qpdf)", name)
		}
		t.Skipf("%s not installed; install poppler-utils, zbar-tools and qpdf to run this test", name)
	}
	return p
}

// WriteTemp writes data to a file in a fresh temporary directory.
func WriteTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Run runs a program and returns its standard output; a failure fails the
// test with the program's standard error.
func Run(t testing.TB, prog string, args ...string) string {
	t.Helper()
	cmd := exec.Command(prog, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", prog, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}
