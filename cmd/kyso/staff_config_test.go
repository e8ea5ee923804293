package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/translog"
)

// staffCertTime pins the validity of the test certificates.
var staffCertTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// staffTestCert makes a self-signed P-256 certificate for localhost and
// 127.0.0.1, valid for ten years from staffCertTime, and returns its PEM
// and its key's PEM.
func staffTestCert(t *testing.T, cn string, isCA bool) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             staffCertTime,
		NotAfter:              staffCertTime.AddDate(10, 0, 0),
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  isCA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

// writeStaffFile writes a file below dir, making its folder.
func writeStaffFile(t *testing.T, dir, name string, data []byte, mode os.FileMode) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
	// WriteFile keeps the mode of an existing file and obeys the umask.
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

// staffFiles writes, below dir, every file the test configurations and
// the example name, and returns the TLS certificate.
func staffFiles(t *testing.T, dir string) (tlsCert []byte) {
	t.Helper()
	root, _ := staffTestCert(t, "Kyso Test Root", true)
	tsaRoot, _ := staffTestCert(t, "Kyso Test TSA Root", true)
	tlsCert, tlsKey := staffTestCert(t, "localhost", false)
	_, otherKey := staffTestCert(t, "someone else", false)
	logKey, _, err := translog.GenerateKey(rand.Reader, "kyso.test/log")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{"trust/roots.pem", root, 0o644},
		{"trust/tsa-roots.pem", tsaRoot, 0o644},
		{"trust/empty.pem", []byte("no certificates here\n"), 0o644},
		{"tls/cert.pem", tlsCert, 0o644},
		{"tls/key.pem", tlsKey, 0o600},
		{"tls/other-key.pem", otherKey, 0o600},
		{"data/log.key", []byte(logKey + "\n"), 0o600},
		{"data/open-log.key", []byte(logKey + "\n"), 0o640},
		{"secrets/registry.url", []byte("postgres://kyso:s3cret@db.example.vn/registry?sslmode=verify-full\n"), 0o600},
		{"secrets/workflow.url", []byte("postgresql://staff:s3cret@db.example.vn/staff\n"), 0o600},
		{"secrets/open.url", []byte("postgres://kyso:s3cret@db.example.vn/registry\n"), 0o644},
		{"secrets/big.url", []byte("postgres://kyso:s3cret@db.example.vn/registry?application_name=" + strings.Repeat("x", 5000)), 0o600},
		{"secrets/mysql.url", []byte("mysql://kyso:s3cret@db.example.vn/registry\n"), 0o600},
		{"lib/pkcs11.so", []byte("not really a module\n"), 0o644},
	} {
		writeStaffFile(t, dir, f.name, f.data, f.mode)
	}
	return tlsCert
}

// problemKeys lists the keys of the configKeyErrors in err.
func problemKeys(err error) []string {
	var keys []string
	var walk func(error)
	walk = func(err error) {
		if ke, ok := err.(*configKeyError); ok {
			keys = append(keys, ke.Key)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return keys
}

const (
	okTop   = "listen = \"127.0.0.1:8443\"\nbase_url = \"https://xacthuc.example.vn\"\n"
	okTrust = "[trust]\nroots = \"trust/roots.pem\"\n"
)

// loadStaffTestConfig writes text as kyso.toml in dir and loads it.
func loadStaffTestConfig(t *testing.T, dir, text string, env map[string]string) (*StaffConfig, error) {
	t.Helper()
	path := filepath.Join(dir, "kyso.toml")
	writeStaffFile(t, dir, "kyso.toml", []byte(text), 0o644)
	return loadStaffConfig(path, func(k string) string { return env[k] }, os.ReadFile)
}

func TestStaffConfigErrors(t *testing.T) {
	dir := t.TempDir()
	staffFiles(t, dir)
	tests := []struct {
		name string
		toml string
		env  map[string]string
		keys []string // each must be reported, and named in the message
		is   error
		// hint is a further text the message must hold (a suggestion).
		hint string
	}{
		{"unknown top-level key", okTop + "base_ulr = \"https://x.vn\"\n" + okTrust,
			nil, []string{"base_ulr"}, errConfigUnknownKey, "did you mean base_url?"},
		{"unknown key in a table", okTop + okTrust + "[tls]\ncert_file = \"tls/cert.pem\"\n",
			nil, []string{"tls.cert_file"}, errConfigUnknownKey, "did you mean tls.cert?"},
		{"key in the wrong table", okTop + okTrust + "max_batch = 10\n",
			nil, []string{"trust.max_batch"}, errConfigUnknownKey, "did you mean limits.max_batch?"},
		{"misspelt table", okTop + okTrust + "[tsl]\ncert = \"tls/cert.pem\"\n",
			nil, []string{"tsl"}, errConfigUnknownKey, "did you mean tls?"},
		{"missing listen", "base_url = \"https://xacthuc.example.vn\"\n" + okTrust,
			nil, []string{"listen"}, errConfigRequired, ""},
		{"listen without port", "listen = \"localhost\"\nbase_url = \"https://xacthuc.example.vn\"\n" + okTrust,
			nil, []string{"listen"}, errConfigInvalid, ""},
		{"listen port out of range", "listen = \"127.0.0.1:99999\"\nbase_url = \"https://xacthuc.example.vn\"\n" + okTrust,
			nil, []string{"listen"}, errConfigInvalid, ""},
		{"listen not a string", "listen = 8443\nbase_url = \"https://xacthuc.example.vn\"\n" + okTrust,
			nil, []string{"listen"}, errConfigInvalid, ""},
		{"TOML syntax error", "listen =\n" + okTrust,
			nil, []string{"listen"}, errConfigInvalid, ""},
		{"missing base_url", "listen = \"127.0.0.1:8443\"\n" + okTrust,
			nil, []string{"base_url"}, errConfigRequired, ""},
		{"base_url without scheme", "listen = \"127.0.0.1:8443\"\nbase_url = \"xacthuc.example.vn\"\n" + okTrust,
			nil, []string{"base_url"}, errConfigInvalid, ""},
		{"base_url ftp", "listen = \"127.0.0.1:8443\"\nbase_url = \"ftp://xacthuc.example.vn\"\n" + okTrust,
			nil, []string{"base_url"}, errConfigInvalid, ""},
		{"base_url with query", "listen = \"127.0.0.1:8443\"\nbase_url = \"https://xacthuc.example.vn/?school=1\"\n" + okTrust,
			nil, []string{"base_url"}, errConfigInvalid, ""},
		{"base_url with user", "listen = \"127.0.0.1:8443\"\nbase_url = \"https://admin@xacthuc.example.vn\"\n" + okTrust,
			nil, []string{"base_url"}, errConfigInvalid, ""},
		{"tls cert without key", okTop + okTrust + "[tls]\ncert = \"tls/cert.pem\"\n",
			nil, []string{"tls.key"}, errConfigRequired, ""},
		{"tls key without cert", okTop + okTrust + "[tls]\nkey = \"tls/key.pem\"\n",
			nil, []string{"tls.cert"}, errConfigRequired, ""},
		{"tls key of another certificate", okTop + okTrust + "[tls]\ncert = \"tls/cert.pem\"\nkey = \"tls/other-key.pem\"\n",
			nil, []string{"tls.key"}, errConfigFile, ""},
		{"tls key file missing", okTop + okTrust + "[tls]\ncert = \"tls/cert.pem\"\nkey = \"tls/nope.pem\"\n",
			nil, []string{"tls.key"}, errConfigFile, "file not found"},
		{"tls cert is a key", okTop + okTrust + "[tls]\ncert = \"tls/key.pem\"\nkey = \"tls/key.pem\"\n",
			nil, []string{"tls.cert"}, errConfigFile, ""},
		{"password inline in the URL", okTop + okTrust + "[database]\nregistry = \"postgres://kyso:s3cret@db.example.vn/registry\"\n",
			nil, []string{"database.registry"}, errConfigInlineSecret, "database.registry_url_file"},
		{"password inline as a parameter", okTop + okTrust + "[database]\nworkflow = \"postgresql://db.example.vn/staff?user=staff&password=s3cret\"\n",
			nil, []string{"database.workflow"}, errConfigInlineSecret, "KYSO_WORKFLOW_URL"},
		{"unsupported database URL", okTop + okTrust + "[database]\nregistry = \"mysql://db.example.vn/registry\"\n",
			nil, []string{"database.registry"}, errConfigInvalid, ""},
		{"path and URL file both", okTop + okTrust + "[database]\nregistry = \"r.db\"\nregistry_url_file = \"secrets/registry.url\"\n",
			nil, []string{"database.registry_url_file"}, errConfigConflict, ""},
		{"URL file readable by others", okTop + okTrust + "[database]\nregistry_url_file = \"secrets/open.url\"\n",
			nil, []string{"database.registry_url_file"}, errConfigSecretMode, "chmod 600"},
		{"URL file too large", okTop + okTrust + "[database]\nregistry_url_file = \"secrets/big.url\"\n",
			nil, []string{"database.registry_url_file"}, errConfigFile, ""},
		{"URL file missing", okTop + okTrust + "[database]\nworkflow_url_file = \"secrets/nope.url\"\n",
			nil, []string{"database.workflow_url_file"}, errConfigFile, "file not found"},
		{"URL file not postgres", okTop + okTrust + "[database]\nregistry_url_file = \"secrets/mysql.url\"\n",
			nil, []string{"database.registry_url_file"}, errConfigInvalid, ""},
		{"environment URL not postgres", okTop + okTrust,
			map[string]string{envRegistryURL: "/var/lib/kyso/registry.db"}, []string{"$KYSO_REGISTRY_URL"}, errConfigInvalid, ""},
		{"negative batch", okTop + okTrust + "[limits]\nmax_batch = -1\n",
			nil, []string{"limits.max_batch"}, errConfigOutOfRange, ""},
		{"import limit over 1 GiB", okTop + okTrust + "[limits]\nmax_import_bytes = 2147483648\n",
			nil, []string{"limits.max_import_bytes"}, errConfigOutOfRange, ""},
		{"negative upload limit", okTop + okTrust + "[limits]\nmax_upload_bytes = -5\n",
			nil, []string{"limits.max_upload_bytes"}, errConfigOutOfRange, ""},
		{"batch not a number", okTop + okTrust + "[limits]\nmax_batch = \"many\"\n",
			nil, []string{"limits.max_batch"}, errConfigInvalid, ""},
		{"negative login failures", okTop + okTrust + "[login]\nmax_failures = -1\n",
			nil, []string{"login.max_failures"}, errConfigOutOfRange, ""},
		{"bad duration", okTop + okTrust + "[sessions]\nidle = \"30 minutes\"\n",
			nil, []string{"sessions.idle"}, errConfigInvalid, ""},
		{"duration without unit", okTop + okTrust + "[sessions]\nmax = 30\n",
			nil, []string{"sessions.max"}, errConfigInvalid, ""},
		{"negative duration", okTop + okTrust + "[timestamp]\nurl = \"http://tsa.example.vn\"\ntimeout = \"-1s\"\n",
			nil, []string{"timestamp.timeout"}, errConfigOutOfRange, ""},
		{"idle longer than max", okTop + okTrust + "[sessions]\nidle = \"2h\"\nmax = \"1h\"\n",
			nil, []string{"sessions.idle"}, errConfigOutOfRange, ""},
		{"grace too long", okTop + okTrust + "[shutdown]\ngrace = \"2h\"\n",
			nil, []string{"shutdown.grace"}, errConfigOutOfRange, ""},
		{"bad log level", okTop + okTrust + "[log]\nlevel = \"verbose\"\n",
			nil, []string{"log.level"}, errConfigInvalid, ""},
		{"bad log format", okTop + okTrust + "[log]\nformat = \"xml\"\n",
			nil, []string{"log.format"}, errConfigInvalid, ""},
		{"missing trust roots", okTop,
			nil, []string{"trust.roots"}, errConfigRequired, ""},
		{"trust roots without certificates", okTop + "[trust]\nroots = \"trust/empty.pem\"\n",
			nil, []string{"trust.roots"}, errConfigFile, ""},
		{"timestamp roots missing", okTop + okTrust + "timestamp_roots = \"trust/nope.pem\"\n",
			nil, []string{"trust.timestamp_roots"}, errConfigFile, "file not found"},
		{"timestamp URL relative", okTop + okTrust + "[timestamp]\nurl = \"tsa.example.vn\"\n",
			nil, []string{"timestamp.url"}, errConfigInvalid, ""},
		{"HSM module missing", okTop + okTrust + "[hsm]\nmodule = \"lib/nope.so\"\n",
			nil, []string{"hsm.module"}, errConfigFile, ""},
		{"log key not a key", okTop + okTrust + "[transparency_log]\nprivate_key = \"tls/key.pem\"\n",
			nil, []string{"transparency_log.private_key"}, translog.ErrInvalidKey, ""},
		{"log key readable by group", okTop + okTrust + "[transparency_log]\nprivate_key = \"data/open-log.key\"\n",
			nil, []string{"transparency_log.private_key"}, errConfigSecretMode, ""},
		{"every problem at once", "base_url = \"https://xacthuc.example.vn\"\n[tls]\ncert = \"tls/cert.pem\"\n[limits]\nmax_batch = 100000\n",
			nil, []string{"listen", "tls.key", "trust.roots", "limits.max_batch"}, errConfigRequired, ""},
	}
	known := staffConfigKeys()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadStaffTestConfig(t, dir, tt.toml, tt.env)
			if err == nil {
				t.Fatalf("loaded %+v, want an error about %v", c, tt.keys)
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.HasPrefix(msg, "config "+filepath.Join(dir, "kyso.toml")+": ") {
				t.Errorf("message %q does not start with the file", msg)
			}
			got := problemKeys(err)
			for _, k := range tt.keys {
				if !slices.Contains(got, k) {
					t.Errorf("problems are about %q, want one about %q\n%s", got, k, msg)
				}
				if !strings.Contains(msg, k+": ") {
					t.Errorf("message does not name %q: %s", k, msg)
				}
			}
			for _, k := range got {
				if !slices.Contains(known, k) && !strings.HasPrefix(k, "$") && !errors.Is(err, errConfigUnknownKey) {
					t.Errorf("problem about %q, which is no key of the configuration", k)
				}
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error %q does not match %v", msg, tt.is)
			}
			if tt.hint != "" && !strings.Contains(msg, tt.hint) {
				t.Errorf("message lacks %q: %s", tt.hint, msg)
			}
			if strings.Contains(msg, "s3cret") {
				t.Errorf("message shows a password: %s", msg)
			}
		})
	}
}

func TestStaffConfigLoads(t *testing.T) {
	dir := t.TempDir()
	staffFiles(t, dir)
	abs := func(p ...string) string { return filepath.Join(append([]string{dir}, p...)...) }
	tests := []struct {
		name  string
		toml  string
		env   map[string]string
		check func(t *testing.T, c *StaffConfig)
	}{
		{"defaults", okTop + okTrust, nil, func(t *testing.T, c *StaffConfig) {
			want := StaffConfig{
				Listen: "127.0.0.1:8443", BaseURL: "https://xacthuc.example.vn", DataDir: abs("kyso-data"),
				Database:  staffDatabase{Registry: abs("kyso-data", "registry.db"), Workflow: abs("kyso-data", "staff.db")},
				Trust:     staffTrust{Roots: abs("trust", "roots.pem")},
				Timestamp: staffTimestamp{Timeout: Duration{10 * time.Second}},
				Log:       staffLog{Format: "json", Level: "info"},
				Sessions:  staffSessions{Idle: Duration{30 * time.Minute}, Max: Duration{12 * time.Hour}, CookieSecure: c.Sessions.CookieSecure},
				Login:     staffLogin{MaxFailures: 5, LockFor: Duration{15 * time.Minute}, PerMinute: 10},
				Limits:    staffLimits{MaxImportBytes: 32 << 20, MaxUploadBytes: 128 << 20, MaxBatch: 500},
				Shutdown:  staffShutdown{Grace: Duration{30 * time.Second}},
			}
			got := *c
			got.registryDSN, got.workflowDSN, got.readFile, got.tlsCert = "", "", nil, nil
			if !staffConfigEqual(got, want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, want)
			}
			if !*c.Sessions.CookieSecure {
				t.Error("cookie_secure = false for an https base_url, want true")
			}
			if c.RegistryDSN() != abs("kyso-data", "registry.db") || c.WorkflowDSN() != abs("kyso-data", "staff.db") {
				t.Errorf("databases %q, %q, want the SQLite defaults in data_dir", c.RegistryDSN(), c.WorkflowDSN())
			}
			if tc, err := c.TLSConfig(); tc != nil || err != nil {
				t.Errorf("TLSConfig without [tls] = %v, %v, want nil, nil", tc, err)
			}
		}},
		{"relative paths", okTop + "data_dir = \"var/kyso\"\n[database]\nregistry = \"db/r.db\"\n" + okTrust + "[hsm]\nmodule = \"lib/pkcs11.so\"\n", nil, func(t *testing.T, c *StaffConfig) {
			for _, p := range []struct{ got, want string }{
				{c.DataDir, abs("var", "kyso")},
				{c.RegistryDSN(), abs("db", "r.db")},
				{c.WorkflowDSN(), abs("var", "kyso", "staff.db")},
				{c.Trust.Roots, abs("trust", "roots.pem")},
				{c.HSM.Module, abs("lib", "pkcs11.so")},
			} {
				if p.got != p.want {
					t.Errorf("path %q, want %q", p.got, p.want)
				}
			}
		}},
		{"absolute paths kept", okTop + "data_dir = \"" + abs("elsewhere") + "\"\n" + "[trust]\nroots = \"" + abs("trust", "roots.pem") + "\"\n", nil, func(t *testing.T, c *StaffConfig) {
			if c.DataDir != abs("elsewhere") || c.WorkflowDSN() != abs("elsewhere", "staff.db") {
				t.Errorf("data_dir %q, workflow %q", c.DataDir, c.WorkflowDSN())
			}
		}},
		{"URL files", okTop + okTrust + "[database]\nregistry_url_file = \"secrets/registry.url\"\nworkflow_url_file = \"secrets/workflow.url\"\n", nil, func(t *testing.T, c *StaffConfig) {
			if want := "postgres://kyso:s3cret@db.example.vn/registry?sslmode=verify-full"; c.RegistryDSN() != want {
				t.Errorf("registry %q, want %q", c.RegistryDSN(), want)
			}
			if want := "postgresql://staff:s3cret@db.example.vn/staff"; c.WorkflowDSN() != want {
				t.Errorf("workflow %q, want %q", c.WorkflowDSN(), want)
			}
		}},
		{"environment before URL file", okTop + okTrust + "[database]\nregistry_url_file = \"secrets/registry.url\"\n",
			map[string]string{envRegistryURL: "postgres://env:pw@db.example.vn/r\n", envWorkflowURL: "postgres://env:pw@db.example.vn/w"}, func(t *testing.T, c *StaffConfig) {
				if c.RegistryDSN() != "postgres://env:pw@db.example.vn/r" || c.WorkflowDSN() != "postgres://env:pw@db.example.vn/w" {
					t.Errorf("databases %q, %q, want the environment's", c.RegistryDSN(), c.WorkflowDSN())
				}
			}},
		{"postgres URL without password inline", okTop + okTrust + "[database]\nregistry = \"postgres://kyso@db.example.vn/registry?sslmode=verify-full\"\n", nil, func(t *testing.T, c *StaffConfig) {
			if c.RegistryDSN() != "postgres://kyso@db.example.vn/registry?sslmode=verify-full" {
				t.Errorf("registry %q", c.RegistryDSN())
			}
		}},
		{"plain HTTP site", "listen = \"127.0.0.1:8080\"\nbase_url = \"http://127.0.0.1:8080/\"\n" + okTrust, nil, func(t *testing.T, c *StaffConfig) {
			if *c.Sessions.CookieSecure {
				t.Error("cookie_secure = true for plain HTTP, want false")
			}
			if c.BaseURL != "http://127.0.0.1:8080" {
				t.Errorf("base_url %q, want the trailing / removed", c.BaseURL)
			}
		}},
		{"cookie_secure behind a proxy", "listen = \"127.0.0.1:8080\"\nbase_url = \"http://xacthuc.example.vn\"\n" + okTrust + "[sessions]\ncookie_secure = true\n", nil, func(t *testing.T, c *StaffConfig) {
			if !*c.Sessions.CookieSecure {
				t.Error("cookie_secure = false, want the configured true")
			}
		}},
		{"TLS", okTop + okTrust + "[tls]\ncert = \"tls/cert.pem\"\nkey = \"tls/key.pem\"\n[log]\nlevel = \"DEBUG\"\n", nil, func(t *testing.T, c *StaffConfig) {
			tc, err := c.TLSConfig()
			if err != nil || tc == nil {
				t.Fatalf("TLSConfig = %v, %v", tc, err)
			}
			if tc.MinVersion != tls.VersionTLS12 || len(tc.Certificates) != 1 {
				t.Errorf("MinVersion %x, %d certificates", tc.MinVersion, len(tc.Certificates))
			}
			if !slices.Contains(tc.CurvePreferences, tls.X25519) || !slices.Contains(tc.CurvePreferences, tls.CurveP256) {
				t.Errorf("curves %v, want X25519 and P-256", tc.CurvePreferences)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadStaffTestConfig(t, dir, tt.toml, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

// staffConfigEqual compares two configurations by their JSON form, which
// follows the pointers.
func staffConfigEqual(a, b StaffConfig) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// TestStaffConfigDocumented checks that docs/CONFIG.md documents every key
// and holds the example file as it is, and that the example shows every
// key, set or commented out.
func TestStaffConfigDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "CONFIG.md"))
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile(filepath.Join("..", "..", "testdata", "staff", "kyso.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	keys := staffConfigKeys()
	if len(keys) < 27 {
		t.Fatalf("found %d keys by reflection, want every key of StaffConfig", len(keys))
	}
	for _, k := range keys {
		if !bytes.Contains(doc, []byte("| `"+k+"` |")) {
			t.Errorf("docs/CONFIG.md has no table row for %s", k)
		}
		table, name := splitKey(k)
		section := string(example)
		if table != "" {
			_, section, _ = strings.Cut(section, "\n["+table+"]\n")
			section, _, _ = strings.Cut(section, "\n[")
		} else {
			section, _, _ = strings.Cut(section, "\n[")
		}
		if !regexp.MustCompile(`(?m)^#? ?` + regexp.QuoteMeta(name) + ` = `).MatchString(section) {
			t.Errorf("the example does not show %s", k)
		}
	}
	if !bytes.Contains(doc, []byte("```toml\n"+string(example)+"```\n")) {
		t.Error("docs/CONFIG.md does not hold testdata/staff/kyso.example.toml as it is")
	}
}

// TestStaffConfigExample loads the example file, copied beside the files
// it names.
func TestStaffConfigExample(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "..", "testdata", "staff", "kyso.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	staffFiles(t, dir)
	writeStaffFile(t, dir, "kyso.toml", example, 0o644)
	c, err := loadStaffConfig(filepath.Join(dir, "kyso.toml"), func(string) string { return "" }, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	if c.RegistryDSN() != filepath.Join(dir, "data", "registry.db") || c.Timestamp.URL == "" || c.TLS.Key != filepath.Join(dir, "tls", "key.pem") {
		t.Errorf("example loaded as %+v", c)
	}
	if tc, err := c.TLSConfig(); err != nil || tc == nil {
		t.Errorf("TLSConfig = %v, %v", tc, err)
	}
}

// staffLogBuffer is a bytes.Buffer for a logger written from the server's
// goroutines.
type staffLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *staffLogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *staffLogBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestStaffConfigHTTPServer serves HTTPS with the configuration's server
// and checks the handshake, the refusal of TLS 1.1 and the error log.
func TestStaffConfigHTTPServer(t *testing.T) {
	dir := t.TempDir()
	certPEM := staffFiles(t, dir)
	c, err := loadStaffTestConfig(t, dir, "listen = \"127.0.0.1:0\"\nbase_url = \"https://localhost\"\n"+okTrust+
		"[tls]\ncert = \"tls/cert.pem\"\nkey = \"tls/key.pem\"\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	var logs staffLogBuffer
	l, err := newStaffLogger(&logs, "json", "debug")
	if err != nil {
		t.Fatal(err)
	}
	hs, err := c.HTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "xin chào")
	}), l)
	if err != nil {
		t.Fatal(err)
	}
	if hs.ReadHeaderTimeout != 10*time.Second || hs.ReadTimeout != 5*time.Minute || hs.WriteTimeout != 5*time.Minute ||
		hs.IdleTimeout != 2*time.Minute || hs.MaxHeaderBytes != 64<<10 || hs.Addr != "127.0.0.1:0" {
		t.Errorf("server limits %+v", hs)
	}
	ln, err := net.Listen("tcp", hs.Addr)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- hs.ServeTLS(ln, "", "") }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("ServeTLS: %v", err)
		}
	})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	url := "https://" + ln.Addr().String() + "/"
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Time: func() time.Time { return staffCertTime.AddDate(1, 0, 0) }}}}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "xin chào" || resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Errorf("GET over TLS: %q, %+v", body, resp.TLS)
	}
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11}}}
	if resp, err := old.Get(url); err == nil {
		resp.Body.Close()
		t.Error("a TLS 1.1 client was served")
	}
	// The failed handshake is logged at debug level by the server's error
	// log, through slog.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "TLS handshake error") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var rec struct{ Level, Msg, Component string }
	for line := range strings.Lines(logs.String()) {
		if strings.Contains(line, "TLS handshake error") {
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	if rec.Level != "DEBUG" || rec.Component != "http" {
		t.Errorf("handshake error logged as %+v, want level DEBUG, component http\n%s", rec, logs.String())
	}
}

func TestNewStaffLogger(t *testing.T) {
	tests := []struct {
		format, level string
		wantErr       bool
		// debug and info report whether such records are written.
		debug, info bool
		json        bool
	}{
		{"json", "info", false, false, true, true},
		{"json", "debug", false, true, true, true},
		{"text", "warn", false, false, false, false},
		{"text", "ERROR", false, false, false, false},
		{"text", "Debug", false, true, true, false},
		{"xml", "info", true, false, false, false},
		{"", "info", true, false, false, false},
		{"json", "verbose", true, false, false, false},
		{"json", "", true, false, false, false},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		l, err := newStaffLogger(&buf, tt.format, tt.level)
		if tt.wantErr {
			if !errors.Is(err, errConfigInvalid) {
				t.Errorf("newStaffLogger(%q, %q) error %v, want errConfigInvalid", tt.format, tt.level, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("newStaffLogger(%q, %q): %v", tt.format, tt.level, err)
		}
		l.Debug("d")
		if got := buf.Len() > 0; got != tt.debug {
			t.Errorf("%s/%s: debug written %v, want %v", tt.format, tt.level, got, tt.debug)
		}
		buf.Reset()
		l.Info("i", "request_id", "r1")
		if got := buf.Len() > 0; got != tt.info {
			t.Errorf("%s/%s: info written %v, want %v", tt.format, tt.level, got, tt.info)
		}
		l.Error("e", "request_id", "r1")
		if got := json.Valid(bytes.TrimSpace(bytes.Split(buf.Bytes(), []byte("\n"))[0])); got != tt.json {
			t.Errorf("%s/%s: JSON output %v, want %v: %q", tt.format, tt.level, got, tt.json, buf.String())
		}
	}
}

func TestStaffConfigKeyAtLine(t *testing.T) {
	doc := []byte("listen = 1\nbase_url = \"x\"\n\n[limits]\n# comment\nmax_batch = \"x\"\n\"max_upload_bytes\" = true\n[sessions]\nidle = 3\n")
	tests := []struct {
		row  int
		want string
	}{
		{1, "listen"}, {2, "base_url"}, {3, "base_url"}, {4, ""}, {6, "limits.max_batch"},
		{7, "limits.max_upload_bytes"}, {9, "sessions.idle"}, {0, ""}, {99, ""},
	}
	for _, tt := range tests {
		if got := keyAtLine(doc, tt.row); got != tt.want {
			t.Errorf("keyAtLine(%d) = %q, want %q", tt.row, got, tt.want)
		}
	}
}
