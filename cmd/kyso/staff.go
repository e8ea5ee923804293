package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/server"
	"github.com/kyso-vn/kyso/staffweb"
	"github.com/kyso-vn/kyso/tsa"
	"github.com/kyso-vn/kyso/verify"
	"github.com/kyso-vn/kyso/workflow"
)

func cmdStaff(e *env, args []string) error {
	sub := map[string]func(*env, []string) error{
		"serve":  cmdStaffServe,
		"org":    cmdStaffOrg,
		"user":   cmdStaffUser,
		"assign": cmdStaffAssign,
		"token":  cmdStaffToken,
	}
	if len(args) == 0 || sub[args[0]] == nil {
		return usagef(`kyso staff: want one of:
  serve   --config FILE                     run the staff signing service with the public site
  org     add --id ID --kind school|department --name NAME [--parent ID]
  user    add --username U --name NAME --org ID --roles R1,R2 [--hsm-uri URI --cert PEM | --usb-cert PEM]
  user    key --username U (--hsm-uri URI --cert PEM | --usb-cert PEM)
  user    password|disable|enable --username U
  assign  --username U --role subject_teacher|homeroom_teacher --year 2024-2025 --class 10A1 [--subject S]
  token   new --username U --name NAME --scopes import,read [--expires 2160h] | revoke ID
Every command but serve also takes --config FILE (the service's configuration, for its database).`)
	}
	return sub[args[0]](e, args[1:])
}

// staffEnv is the configuration and the open workflow store of a staff
// command.
type staffEnv struct {
	cfg   *StaffConfig
	store *workflow.Store
}

func openStaff(e *env, configPath string) (*staffEnv, error) {
	if configPath == "" {
		return nil, usagef("--config is required")
	}
	cfg, err := loadStaffConfig(configPath, e.getenv, os.ReadFile)
	if err != nil {
		return nil, err
	}
	store, err := workflow.Open(e.ctx, cfg.WorkflowDSN(), e.now)
	if err != nil {
		return nil, err
	}
	return &staffEnv{cfg: cfg, store: store}, nil
}

// cliActor is the audit actor of staff commands run by school IT at the
// console.
const cliActor = "cli:staff"

func cmdStaffServe(e *env, args []string) error {
	fs := newFlags(e, "staff serve", "--config FILE", `
Run the staff signing service under /staff/ together with the public
verification site: accounts and sessions, imports, queues, batch signing with
HSM keys (the PIN typed per batch), USB-token downloads and uploads,
progress, corrections. See docs/CONFIG.md for the configuration file.`)
	config := fs.String("config", "", "the configuration file (TOML; see docs/CONFIG.md)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *config == "" {
		return usagef("--config is required")
	}
	cfg, err := loadStaffConfig(*config, e.getenv, os.ReadFile)
	if err != nil {
		return err
	}
	log, err := newStaffLogger(e.stderr, cfg.Log.Format, cfg.Log.Level)
	if err != nil {
		return fmt.Errorf("config %s: log: %w", *config, err)
	}
	roots, err := readCerts(cfg.Trust.Roots)
	if err != nil {
		return fmt.Errorf("trust.roots: %w", err)
	}
	var tsRoots []*x509.Certificate
	if cfg.Trust.TimestampRoots != "" {
		if tsRoots, err = readCerts(cfg.Trust.TimestampRoots); err != nil {
			return fmt.Errorf("trust.timestamp_roots: %w", err)
		}
	}
	logKeys, err := writeLogKeys(e, cfg.TransparencyLog.PrivateKey, cfg.RegistryDSN())
	if err != nil {
		return err
	}
	reg, err := openStore(e.ctx, cfg.RegistryDSN(), false, logKeys)
	if err != nil {
		return err
	}
	defer reg.Close()
	store, err := workflow.Open(e.ctx, cfg.WorkflowDSN(), e.now)
	if err != nil {
		return err
	}
	defer store.Close()
	fonts, err := pdf.NewRenderer()
	if err != nil {
		return err
	}
	svc := &workflow.Service{
		Store: store, Registry: reg, Fonts: fonts, Roots: roots, TimestampRoots: tsRoots,
		OpenKey: workflow.HSMKeys(cfg.HSM.Module, cfg.HSM.AllowFileKeys), BaseURL: cfg.BaseURL,
		MaxBatch: cfg.Limits.MaxBatch, Rand: e.rand, Now: e.now,
	}
	if cfg.Timestamp.URL != "" {
		pool := x509.NewCertPool()
		for _, c := range tsRoots {
			pool.AddCert(c)
		}
		svc.Timestamper = &tsa.Client{URL: cfg.Timestamp.URL, Timeout: cfg.Timestamp.Timeout.Duration, Roots: pool}
	}
	if err := svc.Check(); err != nil {
		return err
	}
	if n, err := svc.PublishPending(e.ctx); n > 0 || err != nil {
		log.Info("pending registrations", "published", n, "error", errString(err))
	}
	policy := workflow.DefaultPolicy
	policy.MaxFailures, policy.LockFor = cfg.Login.MaxFailures, cfg.Login.LockFor.Duration
	policy.SessionIdle, policy.SessionMax = cfg.Sessions.Idle.Duration, cfg.Sessions.Max.Duration
	auth := workflow.NewAuth(store, policy, workflow.DefaultPasswordParams, e.rand)
	// stopping ends when the grace period after a stop signal is over:
	// batches stop between two documents. aborting ends 10 s later, when
	// the server closes: a document still being signed is abandoned (its
	// signature is stored whole or not at all).
	stopping, stop := context.WithCancel(context.Background())
	defer stop()
	svc.Stopping = stopping.Done()
	aborting, abort := context.WithCancel(context.Background())
	defer abort()
	staff, err := staffweb.New(staffweb.Config{
		Auth: auth, Service: svc, Logger: log, CookieSecure: *cfg.Sessions.CookieSecure,
		LoginPerMinute: cfg.Login.PerMinute, MaxImport: cfg.Limits.MaxImportBytes, MaxUpload: cfg.Limits.MaxUploadBytes,
		Now: e.now, Stopping: aborting, TrustedProxies: cfg.TrustedProxies,
	})
	if err != nil {
		return err
	}
	lookup := server.RegistryLookup{Store: reg}
	site, err := server.New(server.Config{
		Credentials: reg,
		Verify: func(ctx context.Context, data []byte) (*verify.Report, error) {
			return verify.PDFContext(ctx, data, verify.Options{Roots: roots, TimestampRoots: tsRoots, Now: e.now, Credentials: lookup})
		},
		Logger: log, BaseURL: cfg.BaseURL, Log: reg.Log(), Staff: staff, TrustedProxies: cfg.TrustedProxies,
	})
	if err != nil {
		return err
	}
	signs := reg.Log() != nil && logKeys != nil && logKeys.PrivateKey != ""
	go housekeeping(e.ctx, reg, signs, auth, log, time.Minute)
	if signs {
		defer func() {
			if err := signLog(e, reg); err != nil {
				log.Warn("transparency log", "err", err)
			}
		}()
	}
	hs, err := cfg.HTTPServer(site, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	return runStaff(e, hs, ln, log, cfg.Shutdown.Grace.Duration, stop, abort)
}

// runStaff serves until the context ends, then shuts down: no new
// connections, requests in flight (signing batches among them) get grace
// to finish; after it, batches are told to stop between two documents
// (stop), and 10 s later what still runs is abandoned (abort) and the
// server closes.
func runStaff(e *env, hs *http.Server, ln net.Listener, log interface {
	Info(string, ...any)
	Warn(string, ...any)
}, grace time.Duration, stop, abort context.CancelFunc) error {
	errc := make(chan error, 1)
	go func() {
		if hs.TLSConfig != nil {
			errc <- hs.ServeTLS(ln, "", "") // HTTP/2 and HTTP/1.1
			return
		}
		errc <- hs.Serve(ln)
	}()
	scheme := "http"
	if hs.TLSConfig != nil {
		scheme = "https"
	}
	log.Info("serving", "addr", ln.Addr().String(), "staff_url", scheme+"://"+ln.Addr().String()+"/staff/")
	select {
	case err := <-errc:
		return err
	case <-e.ctx.Done():
	}
	log.Info("stopping", "grace_ms", grace.Milliseconds())
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := hs.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		log.Warn("grace period over: abandoning batches between documents")
		stop()
		ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel2()
		if err = hs.Shutdown(ctx2); err != nil {
			abort()
			_ = hs.Close()
		}
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// splitList splits "a,b c" into its items.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// readCertsPEM reads a PEM chain file and returns it as PEM text.
func readCertsPEM(path string) (string, error) {
	certs, err := readCerts(path)
	if err != nil {
		return "", err
	}
	return string(devca.CertsPEM(certs...)), nil
}

// housekeeping runs every period until ctx ends: it signs a checkpoint of
// the registry's transparency log when sign is set (credentials are
// published all day long; a minute with nothing new keeps the last
// checkpoint), and deletes ended sessions.
func housekeeping(ctx context.Context, reg registryStore, sign bool, auth *workflow.Auth, log interface{ Warn(string, ...any) }, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if sign {
			if _, err := reg.SignCheckpoint(ctx); err != nil && ctx.Err() == nil {
				log.Warn("sign the transparency log's checkpoint", "err", err)
			}
		}
		if _, err := auth.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			log.Warn("delete ended sessions", "err", err)
		}
	}
}
