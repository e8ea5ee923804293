package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/kyso-vn/kyso/internal/atomicfile"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/translog"
	"github.com/kyso-vn/kyso/verify"
)

// The transparency log's key files in a data directory.
const (
	logKeyFile = "log.key"
	logPubFile = "log.pub"
	// demoLogOrigin names the demo's log.
	demoLogOrigin = "kyso.local/log"
)

func cmdLog(e *env, args []string) error {
	if len(args) == 0 || (args[0] != "init" && args[0] != "--help" && args[0] != "-h") {
		return usagef("expected 'kyso log init'")
	}
	if args[0] != "init" {
		args = []string{"--help"}
	} else {
		args = args[1:]
	}
	fs := newFlags(e, "log init", "--origin NAME [--dir DIR]", `
Create the transparency log's Ed25519 key pair: DIR/log.key (the private key,
readable by its owner only) and DIR/log.pub (the public key, to give to
verifiers and to 'kyso serve --log-pub'). NAME is the log's name, printed in
every checkpoint, such as "xacthuc.example.vn/log". An existing key is never
overwritten.

'kyso issue', 'kyso revoke' and 'kyso supersede' then append every change to
the log in the registry's database, in the same transaction, and sign a new
checkpoint at the end of each run (--log-key, by default log.key beside a
SQLite registry or in the data folder).

Example:
  kyso log init --dir kyso-data --origin xacthuc.example.vn/log`)
	dir := fs.String("dir", defaultDataDir(e), "folder for log.key and log.pub")
	origin := fs.String("origin", "", "the log's name, e.g. xacthuc.example.vn/log (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *origin == "" {
		return usagef("--origin is required: it names the log in every checkpoint")
	}
	if _, err := os.Stat(filepath.Join(*dir, logKeyFile)); err == nil {
		return fmt.Errorf("%s already exists; a log keeps its key for life", filepath.Join(*dir, logKeyFile))
	}
	pub, err := initLogKey(e, *dir, *origin)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s\n", pub)
	return nil
}

// initLogKey creates DIR/log.key (0600) and DIR/log.pub unless log.key
// exists, and returns the public key.
func initLogKey(e *env, dir, origin string) (string, error) {
	keyPath := filepath.Join(dir, logKeyFile)
	if _, err := os.Stat(keyPath); err == nil {
		return readLogPub(filepath.Join(dir, logPubFile))
	}
	priv, pub, err := translog.GenerateKey(e.rand, origin)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	// The public key first: a run killed in between leaves no private key
	// without its public one.
	if err := atomicfile.Write(filepath.Join(dir, logPubFile), []byte(pub+"\n"), 0o644); err != nil {
		return "", err
	}
	if err := atomicfile.Write(keyPath, []byte(priv+"\n"), 0o600); err != nil {
		return "", err
	}
	e.log.Info("created the transparency log's key", "origin", origin, "public_key", filepath.Join(dir, logPubFile))
	return pub, nil
}

// readLogPub reads a public key file.
func readLogPub(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("log public key: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// logPublicKey derives the public key text from a private key text
// ("PRIVATE+KEY+<origin>+<hash>+<base64(0x01 || seed)>").
func logPublicKey(priv string) (string, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(priv), "PRIVATE+KEY+")
	parts := strings.SplitN(rest, "+", 3)
	if !ok || len(parts) != 3 {
		return "", fmt.Errorf("%w: not a private key", translog.ErrInvalidKey)
	}
	b, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(b) != 1+ed25519.SeedSize || b[0] != 1 {
		return "", fmt.Errorf("%w: not an Ed25519 private key", translog.ErrInvalidKey)
	}
	pub := ed25519.NewKeyFromSeed(b[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(parts[0], pub)
	if err != nil {
		return "", fmt.Errorf("%w: %v", translog.ErrInvalidKey, err)
	}
	return vkey, nil
}

// addLogKeyFlag adds --log-key to a command that writes to the registry.
func addLogKeyFlag(fs *flag.FlagSet) *string {
	return fs.String("log-key", "", "the transparency log's private key file (default: log.key beside a SQLite --db, or in the data folder, when it exists)")
}

// defaultLogKey is log.key in the folder of a SQLite registry, or in the
// data folder for a PostgreSQL one.
func defaultLogKey(e *env, dsn string) string {
	if registry.IsPostgresURL(dsn) {
		return filepath.Join(defaultDataDir(e), logKeyFile)
	}
	return filepath.Join(filepath.Dir(dsn), logKeyFile)
}

// writeLogKeys reads the log's keys for a command that writes to the
// registry: from --log-key when given, else from the default file when it
// exists. Without a key the registry keeps no log (and refuses a database
// that has one: registry.ErrLogRequired).
func writeLogKeys(e *env, flagValue, dsn string) (*registry.LogKeys, error) {
	path := flagValue
	if path == "" {
		path = defaultLogKey(e, dsn)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--log-key: %w", err)
	}
	pub, err := logPublicKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("--log-key %s: %w", path, err)
	}
	return &registry.LogKeys{PublicKey: pub, PrivateKey: strings.TrimSpace(string(b))}, nil
}

// signLog signs a checkpoint of the store's log, when it has one, at the
// end of a run that may have changed it.
func signLog(e *env, s registryStore) error {
	if s.Log() == nil {
		return nil
	}
	// Sign even when the run was interrupted: what was committed is
	// logged and should be covered.
	cp, err := s.SignCheckpoint(context.WithoutCancel(e.ctx))
	if err != nil {
		return fmt.Errorf("sign the transparency log's checkpoint: %w", err)
	}
	e.log.Info("signed transparency log checkpoint", "origin", cp.Origin, "size", cp.Size)
	return nil
}

// logSource is where kyso verify reads a transparency log: the registry's
// own database or a server's /api/v1/log/.
type logSource interface {
	checkpoint(ctx context.Context) ([]byte, error)
	// inclusion returns the index and the inclusion proof of the first
	// leaf with the given hash in the tree of size leaves, or an error
	// matching translog.ErrNotFound.
	inclusion(ctx context.Context, leaf [32]byte, size uint64) (uint64, [][]byte, error)
}

// localLog reads a log opened from the registry's database.
type localLog struct{ l *translog.Log }

func (s localLog) checkpoint(ctx context.Context) ([]byte, error) {
	cp, err := s.l.LatestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	return cp.Note, nil
}

func (s localLog) inclusion(ctx context.Context, leaf [32]byte, size uint64) (uint64, [][]byte, error) {
	i, err := s.l.Find(ctx, leaf, size)
	if err != nil {
		return 0, nil, err
	}
	p, err := s.l.InclusionProof(ctx, i, size)
	return i, p, err
}

// remoteLog reads a log served by translog.Handler at base.
type remoteLog struct {
	base   string
	client *http.Client
}

// maxLogResponse bounds what is read from a log server.
const maxLogResponse = 1 << 20

func (s remoteLog) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(s.base, "/")+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxLogResponse))
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound && strings.HasPrefix(path, "/proof/"):
		return nil, fmt.Errorf("%w (HTTP 404)", translog.ErrNotFound)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	return b, nil
}

func (s remoteLog) checkpoint(ctx context.Context) ([]byte, error) {
	return s.get(ctx, "/checkpoint")
}

func (s remoteLog) inclusion(ctx context.Context, leaf [32]byte, size uint64) (uint64, [][]byte, error) {
	q := url.Values{"leaf_hash": {hex.EncodeToString(leaf[:])}, "size": {strconv.FormatUint(size, 10)}}
	b, err := s.get(ctx, "/proof/inclusion?"+q.Encode())
	if err != nil {
		return 0, nil, err
	}
	var p translog.InclusionProofResponse
	if err := json.Unmarshal(b, &p); err != nil {
		return 0, nil, fmt.Errorf("inclusion proof: %w", err)
	}
	if p.TreeSize != size {
		return 0, nil, fmt.Errorf("inclusion proof for size %d, asked for %d", p.TreeSize, size)
	}
	return p.Index, p.Hashes, nil
}

// credentialGetter is what checkTransparency needs of the registry.
type credentialGetter interface {
	Get(ctx context.Context, id registry.ID) (*registry.Credential, error)
}

// checkTransparency checks that the registered credential rep found has
// its issue entry in the log, under a checkpoint signed by pub.
func checkTransparency(ctx context.Context, rep *verify.Report, reg credentialGetter, src logSource, pub string) *verify.Transparency {
	tr := &verify.Transparency{Status: verify.TransparencyUnavailable}
	if rep.Credential == nil {
		tr.Detail = "the document is not registered, so there is no issue entry to look for"
		return tr
	}
	id, err := registry.ParseID(rep.Credential.ID)
	if err != nil {
		tr.Detail = "the registry returned a malformed credential ID"
		return tr
	}
	c, err := reg.Get(ctx, id)
	if err != nil {
		tr.Detail = "cannot read the credential's registry record: " + err.Error()
		return tr
	}
	entry := registry.IssueEntry(c)
	leaf, err := entry.LeafHash()
	if err != nil {
		tr.Detail = "cannot build the credential's issue entry: " + err.Error()
		return tr
	}
	note, err := src.checkpoint(ctx)
	if err != nil {
		tr.Detail = "cannot read the log's checkpoint: " + err.Error()
		return tr
	}
	cp, err := translog.VerifyCheckpoint(note, pub)
	if err != nil {
		tr.Status = verify.TransparencyFailed
		tr.Detail = "the log's checkpoint does not verify with the given public key: " + err.Error()
		return tr
	}
	tr.Origin, tr.TreeSize, tr.RootHash = cp.Origin, cp.Size, hex.EncodeToString(cp.Root[:])
	index, proof, err := src.inclusion(ctx, leaf, cp.Size)
	switch {
	case errors.Is(err, translog.ErrNotFound):
		tr.Status = verify.TransparencyFailed
		tr.Detail = "the log's signed checkpoint holds no issue entry for this credential"
		return tr
	case err != nil:
		tr.Detail = "cannot read the inclusion proof: " + err.Error()
		return tr
	}
	tr.LeafIndex = &index
	if err := translog.VerifyInclusion(entry, index, proof, cp); err != nil {
		tr.Status = verify.TransparencyFailed
		tr.Detail = "the inclusion proof does not verify: " + err.Error()
		return tr
	}
	tr.Status = verify.TransparencyIncluded
	tr.Detail = fmt.Sprintf("issue entry %d is in the log's signed checkpoint of %d entries", index, cp.Size)
	return tr
}

// logHTTPTimeout bounds one request to a log server.
const logHTTPTimeout = 30 * time.Second
