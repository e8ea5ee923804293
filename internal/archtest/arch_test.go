// Package archtest keeps the dependency rules of docs/ARCHITECTURE.md.
package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/kyso-vn/kyso/"

// forbidden lists, per package, what it must not depend on, directly or
// not (docs/ARCHITECTURE.md, "Packages").
var forbidden = map[string][]string{
	"hsm":          {mod + "signer", mod + "pdf", mod + "templates", mod + "verify", mod + "registry", mod + "server", "github.com/gin-gonic/gin"},
	"devca":        {mod + "signer", mod + "pdf", mod + "templates", mod + "verify", mod + "registry", mod + "server", mod + "hsm"},
	"signer":       {mod + "hsm", mod + "registry", mod + "templates", mod + "server", mod + "verify"},
	"pdf":          {mod + "templates", mod + "signer", mod + "verify", mod + "registry", mod + "server"},
	"templates":    {mod + "signer", mod + "hsm", mod + "verify", mod + "registry", mod + "server"},
	"verify":       {mod + "signer", mod + "hsm", mod + "pdf", mod + "templates", mod + "server", mod + "internal/cms", mod + "tsa", mod + "revocation", "github.com/digitorus/pdfsign", "github.com/go-pdf/fpdf"},
	"internal/cms": {mod + "signer", mod + "hsm", mod + "pdf", mod + "templates", mod + "verify", mod + "registry", mod + "server"},
	"tsa":          {mod + "signer", mod + "hsm", mod + "pdf", mod + "templates", mod + "verify", mod + "registry", mod + "server"},
	"revocation":   {mod + "signer", mod + "hsm", mod + "pdf", mod + "templates", mod + "verify", mod + "registry", mod + "server", mod + "devca"},
	"registry":     {mod + "signer", mod + "hsm", mod + "pdf", mod + "templates", mod + "verify", mod + "server"},
	"assessment":   {mod + "templates", mod + "pdf", mod + "signer", mod + "hsm", mod + "verify", mod + "registry", mod + "server"},
	"workflow":     {mod + "server", mod + "staffweb", "github.com/gin-gonic/gin"},
	"staffweb":     {mod + "server", "github.com/digitorus/pdfsign"},
	"server":       {"github.com/ThalesGroup/crypto11", "github.com/miekg/pkcs11", "github.com/go-pdf/fpdf", "github.com/digitorus/pdfsign", mod + "hsm", mod + "signer"},
}

func TestDependencyRules(t *testing.T) {
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", mod+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		deps := strings.Fields(string(out))
		for _, d := range deps {
			for _, b := range bad {
				if d == b || strings.HasPrefix(d, b+"/") {
					t.Errorf("%s depends on %s, which docs/ARCHITECTURE.md forbids", pkg, d)
				}
			}
		}
	}
}
