package testenv

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// SoftHSM2 module locations tried in order: Debian's compatibility path,
// the multiarch path, then source and Homebrew installs.
func softHSMModuleCandidates() []string {
	var c []string
	if m := os.Getenv("SOFTHSM2_MODULE"); m != "" {
		c = append(c, m)
	}
	c = append(c, "/usr/lib/softhsm/libsofthsm2.so")
	if triplet := softHSMMultiarch(); triplet != "" {
		c = append(c, "/usr/lib/"+triplet+"/softhsm/libsofthsm2.so")
	}
	return append(c,
		"/usr/local/lib/softhsm/libsofthsm2.so",
		"/opt/homebrew/lib/softhsm/libsofthsm2.so",
	)
}

func softHSMMultiarch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64-linux-gnu"
	case "arm64":
		return "aarch64-linux-gnu"
	case "386":
		return "i386-linux-gnu"
	case "arm":
		return "arm-linux-gnueabihf"
	}
	return ""
}

// unavailable fails the test when CI=true and skips it otherwise,
// so a missing tool never lets a CI run pass silently.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: required)", msg)
	}
	t.Skipf("%s; skipping (set CI=true to make this a failure)", msg)
}

// HSM is a private SoftHSM2 installation for one test: its own
// configuration file and token directory under t.TempDir, selected through
// SOFTHSM2_CONF. Tests using it cannot run in parallel (t.Setenv).
type HSM struct {
	// Module is the path of libsofthsm2.so.
	Module string
	// Conf is the SOFTHSM2_CONF file.
	Conf string
	// TokenDir is the directory holding the tokens.
	TokenDir string

	util string
}

// NewSoftHSM prepares an empty SoftHSM2 installation for t. When
// softhsm2-util or the module is not installed it fails t if CI=true and
// skips t otherwise.
//
// SoftHSM reads SOFTHSM2_CONF when the module is initialised, which crypto11
// does when the first context opens and undoes when the last one closes:
// close every key before the test ends, and initialise all tokens a test
// needs before opening any of them.
func NewSoftHSM(t testing.TB) *HSM {
	t.Helper()
	util, err := exec.LookPath("softhsm2-util")
	if err != nil {
		unavailable(t, "softhsm2-util not found in PATH (Debian: apt-get install softhsm2)")
	}
	module := ""
	for _, c := range softHSMModuleCandidates() {
		if fi, err := os.Stat(c); err == nil && fi.Mode().IsRegular() {
			module = c
			break
		}
	}
	if module == "" {
		unavailable(t, "libsofthsm2.so not found in %s", strings.Join(softHSMModuleCandidates(), ", "))
	}
	dir := t.TempDir()
	tokenDir := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokenDir, 0o700); err != nil {
		t.Fatalf("create SoftHSM token directory: %v", err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	body := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", tokenDir)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatalf("write SoftHSM configuration: %v", err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	return &HSM{Module: module, Conf: conf, TokenDir: tokenDir, util: util}
}

// Token is an initialised SoftHSM2 token.
type Token struct {
	// Module is the path of libsofthsm2.so.
	Module string
	// Label is the token label.
	Label string
	// Serial is the serial number SoftHSM assigned.
	Serial string
	// PIN is the user PIN.
	PIN string
	// SOPIN is the security officer PIN.
	SOPIN string
}

// InitToken initialises a token labelled label in the next free slot. Its
// PINs are derived from the label, so two tokens of one test differ.
func (h *HSM) InitToken(t testing.TB, label string) *Token {
	t.Helper()
	sum := sha256.Sum256([]byte(label))
	tag := hex.EncodeToString(sum[:4])
	tok := &Token{
		Module: h.Module,
		Label:  label,
		PIN:    "user-" + tag,
		SOPIN:  "so-" + tag,
	}
	before := h.serials(t, label)
	out, err := h.run("--init-token", "--free", "--label", label, "--pin", tok.PIN, "--so-pin", tok.SOPIN)
	if err != nil {
		t.Fatalf("softhsm2-util --init-token --label %q: %v\n%s", label, err, out)
	}
	for _, s := range h.serials(t, label) {
		if !slices.Contains(before, s) {
			tok.Serial = s
		}
	}
	if tok.Serial == "" {
		t.Fatalf("softhsm2-util --show-slots lists no new token labelled %q", label)
	}
	return tok
}

// serials lists the serial numbers of the tokens labelled label.
func (h *HSM) serials(t testing.TB, label string) []string {
	t.Helper()
	out, err := h.run("--show-slots")
	if err != nil {
		t.Fatalf("softhsm2-util --show-slots: %v\n%s", err, out)
	}
	return softHSMSerialsOf(out, label)
}

func (h *HSM) run(args ...string) ([]byte, error) {
	cmd := exec.Command(h.util, args...)
	cmd.Env = append(os.Environ(), "SOFTHSM2_CONF="+h.Conf)
	return cmd.CombinedOutput()
}

// softHSMSerialsOf finds the serial numbers of the tokens labelled label in
// softhsm2-util --show-slots output, where each token lists "Serial number:"
// before "Label:".
func softHSMSerialsOf(showSlots []byte, label string) []string {
	var serial string
	var found []string
	sc := bufio.NewScanner(bytes.NewReader(showSlots))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if v, ok := strings.CutPrefix(line, "Serial number:"); ok {
			serial = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "Label:"); ok && strings.TrimSpace(v) == label && serial != "" {
			found = append(found, serial)
		}
	}
	return found
}

// SoftHSM prepares a private SoftHSM2 installation with one token labelled
// "kyso-test" and returns that token.
func SoftHSM(t testing.TB) *Token {
	t.Helper()
	return NewSoftHSM(t).InitToken(t, "kyso-test")
}

// isPKCS11QueryAttr reports the RFC 7512 attributes that go after "?".
func isPKCS11QueryAttr(name string) bool {
	switch name {
	case "module-path", "module-name", "pin-source", "pin-value":
		return true
	}
	return false
}

// URI builds a pkcs11: URI for the token. Each attribute is "name=value"
// with the value unencoded; URI percent-encodes it and puts query attributes
// (pin-*, module-*) after "?". token=LABEL is added unless a token= or
// serial= attribute is given, and module-path=MODULE unless a module-path or
// module-name is given:
//
//	tok.URI("object=signer", "pin-value="+tok.PIN)
func (tok *Token) URI(attrs ...string) string {
	var path, query []string
	hasToken, hasModule := false, false
	for _, a := range attrs {
		name, value, _ := strings.Cut(a, "=")
		enc := name + "=" + pkcs11Encode(value)
		switch {
		case isPKCS11QueryAttr(name):
			query = append(query, enc)
			hasModule = hasModule || strings.HasPrefix(name, "module-")
		default:
			path = append(path, enc)
			hasToken = hasToken || name == "token" || name == "serial"
		}
	}
	if !hasToken {
		path = append([]string{"token=" + pkcs11Encode(tok.Label)}, path...)
	}
	if !hasModule {
		query = append([]string{"module-path=" + pkcs11Encode(tok.Module)}, query...)
	}
	return "pkcs11:" + strings.Join(path, ";") + "?" + strings.Join(query, "&")
}

// pkcs11Encode percent-encodes every byte outside RFC 3986's unreserved set.
func pkcs11Encode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
