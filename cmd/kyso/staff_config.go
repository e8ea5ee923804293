package main

import (
	"bytes"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/registry"
)

// StaffConfig is the configuration file of 'kyso staff serve', in TOML.
// docs/CONFIG.md documents every key; testdata/staff/kyso.example.toml is
// a complete example. Relative paths are relative to the folder of the
// configuration file. Secrets (database passwords) are never in the file
// itself: they come from files it names or from the environment.
//
// loadStaffConfig decodes it, applies the defaults, resolves the paths,
// reads the database URLs and validates it.
type StaffConfig struct {
	// Listen is the address the staff service listens on, such as
	// "127.0.0.1:8443". Required.
	Listen string `toml:"listen"`
	// BaseURL is the public address of the verification site, which the
	// QR codes on documents point to, such as
	// "https://xacthuc.example.edu.vn". Required; an absolute http(s) URL
	// without query or fragment; a trailing "/" is removed.
	BaseURL string `toml:"base_url"`
	// DataDir is the folder of the service's files; default "kyso-data".
	DataDir string `toml:"data_dir"`
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For names the client (rate limits, logs); none by
	// default: the client is the TCP peer.
	TrustedProxies []string `toml:"trusted_proxies"`

	Database        staffDatabase        `toml:"database"`
	TLS             staffTLS             `toml:"tls"`
	Trust           staffTrust           `toml:"trust"`
	Timestamp       staffTimestamp       `toml:"timestamp"`
	HSM             staffHSM             `toml:"hsm"`
	Log             staffLog             `toml:"log"`
	Sessions        staffSessions        `toml:"sessions"`
	Login           staffLogin           `toml:"login"`
	Limits          staffLimits          `toml:"limits"`
	Shutdown        staffShutdown        `toml:"shutdown"`
	TransparencyLog staffTransparencyLog `toml:"transparency_log"`

	// registryDSN and workflowDSN are the databases to open: a SQLite
	// path or a postgres:// URL, which may hold a password.
	registryDSN, workflowDSN string
	// readFile reads the files the configuration names.
	readFile func(string) ([]byte, error)
	// tlsCert is the key pair loaded by Validate.
	tlsCert *tls.Certificate
}

// staffDatabase is [database]: for each of the two databases, the registry
// of issued credentials and the staff service's own (accounts, documents,
// signing steps), a SQLite path or a postgres:// URL without password, or
// the name of a file holding a postgres:// URL. $KYSO_REGISTRY_URL and
// $KYSO_WORKFLOW_URL, when set, come before both.
type staffDatabase struct {
	Registry        string `toml:"registry"`
	Workflow        string `toml:"workflow"`
	RegistryURLFile string `toml:"registry_url_file"`
	WorkflowURLFile string `toml:"workflow_url_file"`
}

// staffTLS is [tls]: the PEM certificate chain and private key the
// service answers HTTPS with; both or neither (plain HTTP behind a
// TLS-terminating proxy).
type staffTLS struct {
	Cert string `toml:"cert"`
	Key  string `toml:"key"`
}

// staffTrust is [trust]: the PEM files of the trusted root certificates.
// The verifier and the self-check after signing trust only these.
type staffTrust struct {
	Roots          string `toml:"roots"`
	TimestampRoots string `toml:"timestamp_roots"`
}

// staffTimestamp is [timestamp]: an optional RFC 3161 time-stamping
// authority for the signatures.
type staffTimestamp struct {
	URL     string   `toml:"url"`
	Timeout Duration `toml:"timeout"`
}

// staffHSM is [hsm].
type staffHSM struct {
	// Module is the PKCS#11 module used for accounts' pkcs11: URIs that
	// name none (no module-path attribute); optional.
	Module string `toml:"module"`
	// AllowFileKeys lets accounts' keys be encrypted key files (file:
	// URIs) whose passphrase is typed as the PIN: for development and
	// demos, never production.
	AllowFileKeys bool `toml:"allow_file_keys"`
}

// staffLog is [log].
type staffLog struct {
	Format string `toml:"format"` // "json" (default) or "text"
	Level  string `toml:"level"`  // debug, info (default), warn or error
}

// staffSessions is [sessions]: staff login sessions.
type staffSessions struct {
	Idle Duration `toml:"idle"`
	Max  Duration `toml:"max"`
	// CookieSecure marks the session cookie Secure (sent over HTTPS
	// only); by default true when [tls] is set or base_url is https.
	CookieSecure *bool `toml:"cookie_secure"`
}

// staffLogin is [login]: protection against password guessing.
type staffLogin struct {
	MaxFailures int      `toml:"max_failures"`
	LockFor     Duration `toml:"lock_for"`
	PerMinute   int      `toml:"per_minute"`
}

// staffLimits is [limits].
type staffLimits struct {
	MaxImportBytes int64 `toml:"max_import_bytes"`
	MaxUploadBytes int64 `toml:"max_upload_bytes"`
	MaxBatch       int   `toml:"max_batch"`
}

// staffShutdown is [shutdown].
type staffShutdown struct {
	// Grace is how long in-flight signing batches get to finish after a
	// stop signal; then they are abandoned between two documents.
	Grace Duration `toml:"grace"`
}

// staffTransparencyLog is [transparency_log].
type staffTransparencyLog struct {
	// PrivateKey is the key file that signs the log's checkpoints
	// (kyso log init); optional.
	PrivateKey string `toml:"private_key"`
}

// Duration is a time.Duration written in TOML as a string such as "30s",
// "15m" or "12h".
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration such as \"30s\", \"15m\" or \"12h\"", b)
	}
	d.Duration = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Defaults and bounds of the staff configuration.
const (
	defaultStaffDataDir   = "kyso-data"
	defaultRegistryDB     = "registry.db"
	defaultWorkflowDB     = "staff.db"
	defaultTSATimeout     = 10 * time.Second
	defaultSessionIdle    = 30 * time.Minute
	defaultSessionMax     = 12 * time.Hour
	maxSessionMax         = 7 * 24 * time.Hour
	defaultMaxFailures    = 5
	defaultLockFor        = 15 * time.Minute
	defaultLoginPerMinute = 10
	defaultMaxImportBytes = 32 << 20
	maxMaxImportBytes     = 32 << 20 // the data file readers' own limit (templates.MaxInputSize)
	defaultMaxUploadBytes = 128 << 20
	maxMaxUploadBytes     = 1 << 30
	defaultMaxBatch       = 500
	maxMaxBatch           = 900 // an upload of a whole batch stays under Go's 1,000 multipart parts
	defaultShutdownGrace  = 30 * time.Second
	maxShutdownGrace      = time.Hour
	// maxSecretFile bounds a file holding a database URL.
	maxSecretFile = 4 << 10
	// maxStaffConfig bounds the configuration file and the PEM files it
	// names.
	maxStaffConfig = 1 << 20
)

// The environment variables that hold the database URLs.
const (
	envRegistryURL = "KYSO_REGISTRY_URL"
	envWorkflowURL = "KYSO_WORKFLOW_URL"
)

// What is wrong with a key of the staff configuration; match with
// errors.Is.
var (
	errConfigUnknownKey   = errors.New("unknown key")
	errConfigRequired     = errors.New("required")
	errConfigInvalid      = errors.New("invalid value")
	errConfigOutOfRange   = errors.New("out of range")
	errConfigFile         = errors.New("unusable file")
	errConfigInlineSecret = errors.New("password written in the configuration file")
	errConfigSecretMode   = errors.New("secret file open to group or others")
	errConfigConflict     = errors.New("conflicting keys")
)

// configKeyError is one problem of the staff configuration, with the TOML
// key it is about ("tls.key") or, for the environment, the variable
// ("$KYSO_REGISTRY_URL").
type configKeyError struct {
	Key string
	Err error
}

func (e *configKeyError) Error() string {
	if e.Key == "" {
		return e.Err.Error()
	}
	return e.Key + ": " + e.Err.Error()
}

func (e *configKeyError) Unwrap() error { return e.Err }

// keyErr makes a configKeyError whose message is the format, wrapping kind.
func keyErr(key string, kind error, format string, args ...any) error {
	return &configKeyError{Key: key, Err: fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)}
}

// staffConfigError is every problem of one configuration file.
type staffConfigError struct {
	Path     string
	Problems []error
}

func (e *staffConfigError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return "config " + e.Path + ": " + strings.Join(msgs, "; ")
}

func (e *staffConfigError) Unwrap() []error { return e.Problems }

// loadStaffConfig reads the configuration file at path, applies the
// defaults, resolves relative paths against the file's folder, reads the
// database URLs from the environment (getenv) or the files named (which
// must be at most 4 KiB and readable by their owner only), and validates
// the result. A problem is reported with the key it is about, and all
// problems at once: "config kyso.toml: tls.key: ...; trust.roots: required".
func loadStaffConfig(path string, getenv func(string) string, readFile func(string) ([]byte, error)) (*StaffConfig, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if len(data) > maxStaffConfig {
		return nil, fmt.Errorf("config %s: larger than %d bytes", path, maxStaffConfig)
	}
	c := &StaffConfig{readFile: readFile}
	var problems []error
	err = toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields().Decode(c)
	var strictErr *toml.StrictMissingError
	var decErr *toml.DecodeError
	switch {
	case errors.As(err, &strictErr):
		// The rest was decoded: report the unknown keys with the other
		// problems.
		for _, e := range strictErr.Errors {
			key := strings.Join(e.Key(), ".")
			row, _ := e.Position()
			msg := fmt.Sprintf("line %d", row)
			if s := suggestKey(key); s != "" {
				msg += fmt.Sprintf("; did you mean %s?", s)
			}
			problems = append(problems, keyErr(key, errConfigUnknownKey, "%s", msg))
		}
	case errors.As(err, &decErr):
		row, _ := decErr.Position()
		msg := strings.TrimPrefix(decErr.Error(), "toml: ")
		return nil, &staffConfigError{Path: path, Problems: []error{
			&configKeyError{Key: keyAtLine(data, row), Err: fmt.Errorf("%w: line %d: %s", errConfigInvalid, row, msg)}}}
	case err != nil:
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	c.applyDefaults(dir)
	problems = append(problems, c.resolveDatabases(getenv)...)
	if err := c.Validate(); err != nil {
		problems = append(problems, unjoin(err)...)
	}
	if len(problems) > 0 {
		return nil, &staffConfigError{Path: path, Problems: problems}
	}
	return c, nil
}

// unjoin returns the errors joined in err, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// applyDefaults fills the keys left out and makes every path absolute,
// relative to dir.
func (c *StaffConfig) applyDefaults(dir string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	setDur := func(d *Duration, v time.Duration) {
		if d.Duration == 0 {
			d.Duration = v
		}
	}
	setInt := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	if c.DataDir == "" {
		c.DataDir = defaultStaffDataDir
	}
	abs(&c.DataDir)
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	db := &c.Database
	if db.Registry == "" && db.RegistryURLFile == "" {
		db.Registry = filepath.Join(c.DataDir, defaultRegistryDB)
	}
	if db.Workflow == "" && db.WorkflowURLFile == "" {
		db.Workflow = filepath.Join(c.DataDir, defaultWorkflowDB)
	}
	for _, p := range []*string{&db.Registry, &db.Workflow} {
		if !strings.Contains(*p, "://") {
			abs(p)
		}
	}
	for _, p := range []*string{&db.RegistryURLFile, &db.WorkflowURLFile, &c.TLS.Cert, &c.TLS.Key,
		&c.Trust.Roots, &c.Trust.TimestampRoots, &c.HSM.Module, &c.TransparencyLog.PrivateKey} {
		abs(p)
	}
	setDur(&c.Timestamp.Timeout, defaultTSATimeout)
	if c.Log.Format == "" {
		c.Log.Format = "json"
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	setDur(&c.Sessions.Idle, defaultSessionIdle)
	setDur(&c.Sessions.Max, defaultSessionMax)
	if c.Sessions.CookieSecure == nil {
		secure := c.TLS.Cert != "" || strings.HasPrefix(strings.ToLower(c.BaseURL), "https://")
		c.Sessions.CookieSecure = &secure
	}
	setInt(&c.Login.MaxFailures, defaultMaxFailures)
	setDur(&c.Login.LockFor, defaultLockFor)
	setInt(&c.Login.PerMinute, defaultLoginPerMinute)
	if c.Limits.MaxImportBytes == 0 {
		c.Limits.MaxImportBytes = defaultMaxImportBytes
	}
	if c.Limits.MaxUploadBytes == 0 {
		c.Limits.MaxUploadBytes = defaultMaxUploadBytes
	}
	setInt(&c.Limits.MaxBatch, defaultMaxBatch)
	setDur(&c.Shutdown.Grace, defaultShutdownGrace)
}

// resolveDatabases sets the databases to open: the URL in the environment
// variable when set, else the URL in the file named, else the SQLite path
// or password-less URL written in the file.
func (c *StaffConfig) resolveDatabases(getenv func(string) string) []error {
	var problems []error
	for _, d := range []struct {
		inline, file, env string
		key, fileKey      string
		dsn               *string
	}{
		{c.Database.Registry, c.Database.RegistryURLFile, envRegistryURL, "database.registry", "database.registry_url_file", &c.registryDSN},
		{c.Database.Workflow, c.Database.WorkflowURLFile, envWorkflowURL, "database.workflow", "database.workflow_url_file", &c.workflowDSN},
	} {
		switch {
		case getenv(d.env) != "":
			u := strings.TrimSpace(getenv(d.env))
			if err := checkPostgresURL(u); err != nil {
				problems = append(problems, &configKeyError{Key: "$" + d.env, Err: err})
				continue
			}
			*d.dsn = u
		case d.file != "":
			u, err := c.readSecret(d.file)
			if err == nil {
				err = checkPostgresURL(u)
			}
			if err != nil {
				problems = append(problems, &configKeyError{Key: d.fileKey, Err: err})
				continue
			}
			*d.dsn = u
		default:
			// Validate checks it.
			*d.dsn = d.inline
		}
	}
	return problems
}

// checkPostgresURL checks that u is a postgres:// URL; the message never
// holds u, which may hold a password.
func checkPostgresURL(u string) error {
	if !registry.IsPostgresURL(u) {
		return fmt.Errorf("%w: not a postgres:// or postgresql:// URL", errConfigInvalid)
	}
	if strings.ContainsAny(u, "\r\n") {
		return fmt.Errorf("%w: more than one line", errConfigInvalid)
	}
	if _, err := url.Parse(u); err != nil {
		return fmt.Errorf("%w: the URL does not parse", errConfigInvalid)
	}
	return nil
}

// readSecret reads a small file holding a secret, refusing one that group
// or others may read.
func (c *StaffConfig) readSecret(path string) (string, error) {
	if err := checkSecretMode(path); err != nil {
		return "", err
	}
	b, err := c.read(path)
	if err != nil {
		return "", err
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("%w: %s: larger than %d bytes", errConfigFile, path, maxSecretFile)
	}
	return strings.TrimSpace(string(b)), nil
}

// checkSecretMode refuses a file that group or others may read or write.
// Where the file cannot be looked at (another readFile in tests, Windows)
// the read that follows decides.
func checkSecretMode(path string) error {
	fi, err := os.Stat(path)
	if err != nil || runtime.GOOS == "windows" {
		return nil
	}
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o; a file holding a secret must be readable by its owner only (chmod 600 %s)", errConfigSecretMode, path, m, path)
	}
	return nil
}

// read reads a file the configuration names, with a clear message when
// it is missing.
func (c *StaffConfig) read(path string) ([]byte, error) {
	readFile := c.readFile
	if readFile == nil {
		readFile = os.ReadFile
	}
	b, err := readFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: %s: file not found", errConfigFile, path)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", errConfigFile, err)
	case len(b) > maxStaffConfig:
		return nil, fmt.Errorf("%w: %s: larger than %d bytes", errConfigFile, path, maxStaffConfig)
	}
	return b, nil
}

// RegistryDSN is the registry database to open: a SQLite path or a
// postgres:// URL that may hold a password (log it with dbName).
func (c *StaffConfig) RegistryDSN() string { return c.registryDSN }

// WorkflowDSN is the staff service's database to open: a SQLite path or a
// postgres:// URL that may hold a password (log it with dbName).
func (c *StaffConfig) WorkflowDSN() string { return c.workflowDSN }

// Validate checks the configuration after defaults and returns every
// problem found, each naming its TOML key, joined with errors.Join. It
// reads the files the configuration names: TLS key pair, trust roots,
// transparency log key.
func (c *StaffConfig) Validate() error {
	var p []error
	add := func(err error) {
		if err != nil {
			p = append(p, err)
		}
	}
	add(checkListen(c.Listen))
	add(checkHTTPURL("base_url", c.BaseURL, true))
	if c.DataDir == "" {
		add(keyErr("data_dir", errConfigRequired, "a folder"))
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				add(keyErr("trusted_proxies", errConfigInvalid, "%q is not an IP address or CIDR range", p))
			}
		}
	}
	add(c.checkDatabase("database.registry", c.Database.Registry, "database.registry_url_file", c.Database.RegistryURLFile, envRegistryURL))
	add(c.checkDatabase("database.workflow", c.Database.Workflow, "database.workflow_url_file", c.Database.WorkflowURLFile, envWorkflowURL))
	for _, err := range c.checkTLS() {
		add(err)
	}
	if c.Trust.Roots == "" {
		add(keyErr("trust.roots", errConfigRequired, "a PEM file of the root certificates that signatures must chain to"))
	} else {
		add(c.checkCerts("trust.roots", c.Trust.Roots))
	}
	if c.Trust.TimestampRoots != "" {
		add(c.checkCerts("trust.timestamp_roots", c.Trust.TimestampRoots))
	}
	add(checkHTTPURL("timestamp.url", c.Timestamp.URL, false))
	add(checkDuration("timestamp.timeout", c.Timestamp.Timeout, time.Second, 5*time.Minute))
	if c.HSM.Module != "" {
		if fi, err := os.Stat(c.HSM.Module); err != nil {
			add(keyErr("hsm.module", errConfigFile, "%s: file not found", c.HSM.Module))
		} else if !fi.Mode().IsRegular() {
			add(keyErr("hsm.module", errConfigFile, "%s: not a file", c.HSM.Module))
		}
	}
	if _, err := newStaffLogger(io.Discard, c.Log.Format, "info"); err != nil {
		add(&configKeyError{Key: "log.format", Err: err})
	}
	if _, err := newStaffLogger(io.Discard, "json", c.Log.Level); err != nil {
		add(&configKeyError{Key: "log.level", Err: err})
	}
	add(checkDuration("sessions.idle", c.Sessions.Idle, time.Minute, maxSessionMax))
	add(checkDuration("sessions.max", c.Sessions.Max, time.Minute, maxSessionMax))
	if c.Sessions.Idle.Duration > c.Sessions.Max.Duration {
		add(keyErr("sessions.idle", errConfigOutOfRange, "%v is longer than sessions.max (%v)", c.Sessions.Idle.Duration, c.Sessions.Max.Duration))
	}
	add(checkInt("login.max_failures", int64(c.Login.MaxFailures), 1, 100))
	add(checkDuration("login.lock_for", c.Login.LockFor, time.Second, 24*time.Hour))
	add(checkInt("login.per_minute", int64(c.Login.PerMinute), 1, 10000))
	add(checkInt("limits.max_import_bytes", c.Limits.MaxImportBytes, 1, maxMaxImportBytes))
	add(checkInt("limits.max_upload_bytes", c.Limits.MaxUploadBytes, 1, maxMaxUploadBytes))
	add(checkInt("limits.max_batch", int64(c.Limits.MaxBatch), 1, maxMaxBatch))
	add(checkDuration("shutdown.grace", c.Shutdown.Grace, time.Second, maxShutdownGrace))
	if k := c.TransparencyLog.PrivateKey; k != "" {
		b, err := c.readSecret(k)
		if err == nil {
			_, err = logPublicKey(b)
		}
		if err != nil {
			add(&configKeyError{Key: "transparency_log.private_key", Err: err})
		}
	}
	return errors.Join(p...)
}

func checkListen(addr string) error {
	if addr == "" {
		return keyErr("listen", errConfigRequired, "an address such as \"127.0.0.1:8443\"")
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return keyErr("listen", errConfigInvalid, "%q: want HOST:PORT, such as \"127.0.0.1:8443\"", addr)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || (n == 0 && port != "0") {
		return keyErr("listen", errConfigInvalid, "%q: the port is not a number from 0 to 65535", addr)
	}
	return nil
}

// checkHTTPURL checks an absolute http(s) URL without user, query or
// fragment.
func checkHTTPURL(key, s string, required bool) error {
	if s == "" {
		if required {
			return keyErr(key, errConfigRequired, "an absolute URL such as \"https://xacthuc.example.edu.vn\"")
		}
		return nil
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return keyErr(key, errConfigInvalid, "%q does not parse as a URL", s)
	case u.Scheme != "http" && u.Scheme != "https":
		return keyErr(key, errConfigInvalid, "%q: want an absolute http:// or https:// URL", s)
	case u.Host == "" || u.Hostname() == "":
		return keyErr(key, errConfigInvalid, "%q: no host", s)
	case u.User != nil:
		return keyErr(key, errConfigInvalid, "%q: a user name or password does not belong in this URL", s)
	case u.RawQuery != "" || u.ForceQuery:
		return keyErr(key, errConfigInvalid, "%q: a query does not belong in this URL", s)
	case u.Fragment != "":
		return keyErr(key, errConfigInvalid, "%q: a fragment does not belong in this URL", s)
	}
	return nil
}

func checkDuration(key string, d Duration, lo, hi time.Duration) error {
	if d.Duration < lo || d.Duration > hi {
		return keyErr(key, errConfigOutOfRange, "%v: want from %v to %v", d.Duration, lo, hi)
	}
	return nil
}

func checkInt(key string, n, lo, hi int64) error {
	if n < lo || n > hi {
		return keyErr(key, errConfigOutOfRange, "%d: want from %d to %d", n, lo, hi)
	}
	return nil
}

// checkDatabase checks the SQLite path or URL written in the file: no
// password in it, and not together with the URL file.
func (c *StaffConfig) checkDatabase(key, inline, fileKey, file, env string) error {
	if inline != "" && file != "" {
		return keyErr(fileKey, errConfigConflict, "set %s or %s, not both", key, fileKey)
	}
	if !strings.Contains(inline, "://") {
		return nil
	}
	if !registry.IsPostgresURL(inline) {
		return keyErr(key, errConfigInvalid, "unsupported database URL %s; give a postgres:// URL or the path of a SQLite file", registry.RedactURL(inline))
	}
	u, err := url.Parse(inline)
	if err != nil {
		return keyErr(key, errConfigInvalid, "the URL does not parse")
	}
	_, hasPassword := u.User.Password()
	if q := u.Query(); hasPassword || q.Has("password") || q.Has("sslpassword") {
		return keyErr(key, errConfigInlineSecret,
			"%s; put the URL in a file readable by the service only and name it in %s, or set $%s",
			registry.RedactURL(inline), fileKey, env)
	}
	return nil
}

// checkTLS checks [tls] and loads its key pair.
func (c *StaffConfig) checkTLS() []error {
	c.tlsCert = nil
	switch {
	case c.TLS.Cert == "" && c.TLS.Key == "":
		return nil
	case c.TLS.Key == "":
		return []error{keyErr("tls.key", errConfigRequired, "tls.cert is set: give its private key too (or neither, for plain HTTP)")}
	case c.TLS.Cert == "":
		return []error{keyErr("tls.cert", errConfigRequired, "tls.key is set: give its certificate too (or neither, for plain HTTP)")}
	}
	cert, err := c.loadKeyPair()
	if err != nil {
		return unjoin(err)
	}
	c.tlsCert = cert
	return nil
}

// loadKeyPair reads [tls] and checks that the key belongs to the first
// certificate.
func (c *StaffConfig) loadKeyPair() (*tls.Certificate, error) {
	certPEM, certErr := c.read(c.TLS.Cert)
	keyPEM, kErr := c.read(c.TLS.Key)
	var p []error
	if certErr != nil {
		p = append(p, &configKeyError{Key: "tls.cert", Err: certErr})
	} else if _, err := devca.ParseCertsPEM(certPEM); err != nil {
		p = append(p, &configKeyError{Key: "tls.cert", Err: fmt.Errorf("%w: %s: %v", errConfigFile, c.TLS.Cert, err)})
	}
	if kErr != nil {
		p = append(p, &configKeyError{Key: "tls.key", Err: kErr})
	}
	if len(p) > 0 {
		return nil, errors.Join(p...)
	}
	if b, _ := pem.Decode(keyPEM); b == nil || !strings.HasSuffix(b.Type, "PRIVATE KEY") {
		return nil, &configKeyError{Key: "tls.key", Err: fmt.Errorf("%w: %s: no PEM private key", errConfigFile, c.TLS.Key)}
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// The certificate parsed, so the key is at fault: unreadable or
		// not the certificate's.
		return nil, &configKeyError{Key: "tls.key", Err: fmt.Errorf("%w: %s does not go with the certificate in tls.cert (%v)", errConfigFile, c.TLS.Key, err)}
	}
	return &cert, nil
}

// checkCerts checks that a PEM file holds at least one certificate.
func (c *StaffConfig) checkCerts(key, path string) error {
	b, err := c.read(path)
	if err != nil {
		return &configKeyError{Key: key, Err: err}
	}
	certs, err := devca.ParseCertsPEM(b)
	if err == nil && len(certs) == 0 {
		err = errors.New("no certificate")
	}
	if err != nil {
		return keyErr(key, errConfigFile, "%s: %v", path, err)
	}
	return nil
}

// TLSConfig returns the TLS configuration of the service, or nil when
// [tls] is not set (plain HTTP behind a proxy): TLS 1.2 or later, the
// X25519MLKEM768, X25519 and P-256 key exchanges, and the key pair, loaded
// by Validate or else now.
func (c *StaffConfig) TLSConfig() (*tls.Config, error) {
	if c.TLS.Cert == "" && c.TLS.Key == "" {
		return nil, nil
	}
	cert := c.tlsCert
	if cert == nil {
		var err error
		if errs := c.checkTLS(); len(errs) > 0 {
			err = errors.Join(errs...)
		}
		if err != nil {
			return nil, err
		}
		cert = c.tlsCert
	}
	return &tls.Config{
		MinVersion:       tls.VersionTLS12,
		CurvePreferences: []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256},
		Certificates:     []tls.Certificate{*cert},
	}, nil
}

// HTTPServer returns the http.Server of the service for handler h:
// timeouts long enough for large uploads and downloads of signing batches
// and short for headers, TLSConfig when [tls] is set (serve with
// ServeTLS(ln, "", "")), and the server's own error lines sent to l.
func (c *StaffConfig) HTTPServer(h http.Handler, l *slog.Logger) (*http.Server, error) {
	tc, err := c.TLSConfig()
	if err != nil {
		return nil, err
	}
	return &http.Server{
		Addr:              c.Listen,
		Handler:           h,
		TLSConfig:         tc,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(httpErrorLog{l.With("component", "http")}, "", 0),
	}, nil
}

// httpErrorLog turns the lines of http.Server.ErrorLog into slog records:
// failed TLS handshakes (scanners, clients that give up) at debug level,
// anything else as a warning.
type httpErrorLog struct{ l *slog.Logger }

func (w httpErrorLog) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(string(p))
	if strings.HasPrefix(msg, "http: TLS handshake error") {
		w.l.Debug(msg)
	} else {
		w.l.Warn(msg)
	}
	return len(p), nil
}

// newStaffLogger returns the logger of 'kyso staff serve': format "json"
// or "text", level "debug", "info", "warn" or "error" (any case). It is
// main's newLogger with the choices checked, since a configuration file
// should say what it means.
func newStaffLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	switch strings.ToLower(level) {
	case "debug", "info", "warn", "error":
	default:
		return nil, fmt.Errorf("%w: %q: want debug, info, warn or error", errConfigInvalid, level)
	}
	switch format {
	case "json", "text":
	default:
		return nil, fmt.Errorf("%w: %q: want json or text", errConfigInvalid, format)
	}
	return newLogger(w, format == "text", level), nil
}

// staffConfigKeys lists every key of the staff configuration, dotted
// ("tls.cert"), in the order of the struct.
func staffConfigKeys() []string {
	var keys []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
			if !f.IsExported() || name == "" || name == "-" {
				continue
			}
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[Duration]() {
				walk(f.Type, prefix+name+".")
				continue
			}
			keys = append(keys, prefix+name)
		}
	}
	walk(reflect.TypeFor[StaffConfig](), "")
	return keys
}

// suggestKey returns the known key or table an unknown one was probably
// meant to be: the same name in another table, or, in the same table, a
// name that begins the other or is at most two edits away; or "".
func suggestKey(unknown string) string {
	parent, name := splitKey(unknown)
	candidates := staffConfigKeys()
	for _, k := range staffConfigKeys() {
		if t, _ := splitKey(k); t != "" && !slices.Contains(candidates, t) {
			candidates = append(candidates, t)
		}
	}
	best, bestDist := "", 3
	for _, k := range candidates {
		kp, kn := splitKey(k)
		if kn == name {
			return k
		}
		if kp != parent {
			continue
		}
		d := editDistance(name, kn)
		if strings.HasPrefix(name, kn) || strings.HasPrefix(kn, name) {
			d = 0
		}
		if d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

func splitKey(k string) (parent, name string) {
	if i := strings.LastIndexByte(k, '.'); i >= 0 {
		return k[:i], k[i+1:]
	}
	return "", k
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// keyAtLine returns the dotted key set on line row (1-based) of a TOML
// document, or on the nearest line above that sets one, for messages about
// values that did not decode; "" when there is none. It understands
// [table] headers and plain or quoted keys, which is what the staff
// configuration uses.
func keyAtLine(doc []byte, row int) string {
	lines := strings.Split(string(doc), "\n")
	if row < 1 || row > len(lines) {
		return ""
	}
	key := ""
	for i := row - 1; i >= 0 && key == ""; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "[") {
			break
		}
		if k, _, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(l, "#") {
			key = strings.Trim(strings.TrimSpace(k), `"'`)
		}
	}
	if key == "" {
		return ""
	}
	for i := row - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "[") && !strings.HasPrefix(l, "[[") {
			if t, _, ok := strings.Cut(strings.TrimPrefix(l, "["), "]"); ok {
				return strings.TrimSpace(t) + "." + key
			}
		}
	}
	return key
}
