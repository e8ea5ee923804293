package pdf

import (
	"testing"

	"github.com/kyso-vn/kyso/internal/testenv"
)

// The external-tool helpers live in internal/testenv, shared by every
// package whose tests run poppler, zbarimg or qpdf.

func needTool(t testing.TB, name string) string { return testenv.NeedTool(t, name) }

func writeTemp(t testing.TB, name string, data []byte) string {
	return testenv.WriteTemp(t, name, data)
}

func run(t testing.TB, prog string, args ...string) string { return testenv.Run(t, prog, args...) }
