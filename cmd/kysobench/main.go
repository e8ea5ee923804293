package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/kyso-vn/kyso/registry"
)

//go:embed get.lua
var getScript []byte

//go:embed verify.lua
var verifyScript []byte

type config struct {
	n, small, batch, sample int
	dir                     string
	duration, warmup        time.Duration
	threads, conns          int
	seed                    uint64
	out                     string
}

func main() {
	var c config
	flag.IntVar(&c.n, "n", 1_000_000, "credentials in the full-size registry")
	flag.IntVar(&c.small, "small", 10_000, "credentials in the small registry the lookup latency is compared with")
	flag.IntVar(&c.batch, "batch", 50_000, "credentials per transaction when loading")
	flag.IntVar(&c.sample, "sample", 100_000, "IDs, drawn at random from the registry, that wrk requests")
	flag.StringVar(&c.dir, "dir", filepath.Join(os.TempDir(), "kysobench"), "work directory (emptied of earlier bench files)")
	flag.DurationVar(&c.duration, "duration", 30*time.Second, "length of each wrk run")
	flag.DurationVar(&c.warmup, "warmup", 5*time.Second, "discarded wrk run before each measured one (0: none)")
	flag.IntVar(&c.threads, "threads", 4, "wrk threads")
	flag.IntVar(&c.conns, "connections", 64, "wrk connections")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the synthetic IDs and of the ID sample")
	flag.StringVar(&c.out, "out", "", "also write the Markdown report to this file")
	flag.Parse()
	if c.small <= 0 || c.n < c.small || c.batch <= 0 || c.sample <= 0 || c.threads <= 0 || c.conns < c.threads {
		fmt.Fprintln(os.Stderr, "kysobench: need 0 < --small <= --n, positive --batch and --sample, and --connections >= --threads")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "kysobench:", err)
		os.Exit(1)
	}
}

// row is one line of the report.
type row struct {
	name    string
	records int
	res     wrkResult
	load    string // /proc/loadavg after the run
}

func run(ctx context.Context, c config, stdout, stderr io.Writer) error {
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "kysobench: "+format+"\n", a...) }
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is not installed (apt-get install -y wrk)")
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	for _, f := range []string{"bench.db", "bench.db-wal", "bench.db-shm", "demo"} {
		if err := os.RemoveAll(filepath.Join(c.dir, f)); err != nil {
			return err
		}
	}
	started := loadavg()

	// 1. The real binary.
	kyso := filepath.Join(c.dir, "kyso")
	logf("building %s", kyso)
	if err := runCmd(ctx, stderr, "go", "build", "-o", kyso, "github.com/kyso-vn/kyso/cmd/kyso"); err != nil {
		return fmt.Errorf("build kyso: %w", err)
	}

	// 2. Real signed diplomas from the demo.
	demoDir := filepath.Join(c.dir, "demo")
	logf("issuing the demo's diplomas into %s", demoDir)
	var demoOut bytes.Buffer
	cmd := exec.CommandContext(ctx, kyso, "demo", "--data", demoDir, "--no-serve", "--count", "20")
	cmd.Stdout, cmd.Stderr = &demoOut, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("kyso demo: %w", err)
	}
	trust, pdfs, demoIDs, err := parseDemo(demoOut.String())
	if err != nil {
		return err
	}

	// 3. The bench registry: schema by the registry, the demo's credentials
	// by Issue, the fixtures by the bulk path. No transparency log.
	dbPath := filepath.Join(c.dir, "bench.db")
	if err := copyDemoCredentials(ctx, filepath.Join(demoDir, "registry.db"), dbPath, demoIDs); err != nil {
		return err
	}
	var diplomas []string
	for _, p := range pdfs {
		if strings.Contains(p, string(filepath.Separator)+"diplomas"+string(filepath.Separator)) {
			diplomas = append(diplomas, p)
		}
	}
	if len(diplomas) == 0 {
		return errors.New("kyso demo printed no diploma PDFs")
	}
	pdfList := filepath.Join(c.dir, "pdfs.txt")
	if err := os.WriteFile(pdfList, []byte(strings.Join(diplomas, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	src := rand.NewChaCha8(seedBytes(c.seed))
	rng := rand.New(src)
	ld, err := openLoader(dbPath, src, time.Date(2025, 7, 15, 8, 0, 0, 0, time.UTC))
	if err != nil {
		return err
	}
	defer ld.db.Close()

	getLua := filepath.Join(c.dir, "get.lua")
	verifyLua := filepath.Join(c.dir, "verify.lua")
	if err := os.WriteFile(getLua, getScript, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(verifyLua, verifyScript, 0o600); err != nil {
		return err
	}

	var rows []row
	var loadTimes []string
	for _, size := range []int{c.small, c.n} {
		t0 := time.Now()
		logf("loading synthetic credentials up to %d", size)
		if err := ld.loadTo(ctx, size, c.batch); err != nil {
			return err
		}
		if _, err := ld.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		took := time.Since(t0).Round(time.Second)
		loadTimes = append(loadTimes, fmt.Sprintf("%d synthetic credentials loaded in %v (cumulative load up to this size)", size, took))
		logf("loaded %d in %v", size, took)
		records := size + len(demoIDs)

		idList := filepath.Join(c.dir, fmt.Sprintf("ids-%d.txt", size))
		if err := writeSample(idList, ld.ids, c.sample, rng); err != nil {
			return err
		}
		err := withServer(ctx, kyso, dbPath, trust, func(base string) error {
			if err := checkLookup(base, ld.ids[0]); err != nil {
				return err
			}
			r, err := runWrk(ctx, c, base, getLua, idList, stderr)
			if err != nil {
				return err
			}
			rows = append(rows, row{"GET /v/{id}", records, r, loadavg()})
			if size != c.n {
				return nil
			}
			if err := checkVerify(base, diplomas[0]); err != nil {
				return err
			}
			r, err = runWrk(ctx, c, base, verifyLua, pdfList, stderr)
			if err != nil {
				return err
			}
			rows = append(rows, row{fmt.Sprintf("POST /api/v1/verify (%d diplomas)", len(diplomas)), records, r, loadavg()})
			return nil
		})
		if err != nil {
			return err
		}
		if c.n == c.small {
			break
		}
	}
	report := renderReport(c, rows, loadTimes, started)
	if _, err := io.WriteString(stdout, report); err != nil {
		return err
	}
	if c.out != "" {
		return os.WriteFile(c.out, []byte(report), 0o644)
	}
	return nil
}

// parseDemo reads the trust, pdf and url lines "kyso demo" prints.
func parseDemo(out string) (trust string, pdfs []string, ids []registry.ID, err error) {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "trust: "):
			trust = strings.TrimPrefix(line, "trust: ")
		case strings.HasPrefix(line, "pdf: "):
			pdfs = append(pdfs, strings.TrimPrefix(line, "pdf: "))
		case strings.HasPrefix(line, "url: "):
			u := strings.TrimPrefix(line, "url: ")
			id, perr := registry.ParseID(u[strings.LastIndex(u, "/")+1:])
			if perr != nil {
				return "", nil, nil, fmt.Errorf("demo printed %q: %w", line, perr)
			}
			ids = append(ids, id)
		}
	}
	if trust == "" || len(pdfs) == 0 || len(ids) != len(pdfs) {
		return "", nil, nil, fmt.Errorf("kyso demo printed %d PDFs and %d IDs, trust %q", len(pdfs), len(ids), trust)
	}
	return trust, pdfs, ids, nil
}

// copyDemoCredentials creates the bench registry at dst (schema by
// registry.OpenSQLite) and issues the demo's credentials into it with
// registry.Issue, so that verification finds the real PDFs.
func copyDemoCredentials(ctx context.Context, src, dst string, ids []registry.ID) error {
	from, err := registry.OpenSQLite(ctx, src, registry.ReadOnly())
	if err != nil {
		return err
	}
	defer from.Close()
	to, err := registry.OpenSQLite(ctx, dst)
	if err != nil {
		return err
	}
	defer to.Close()
	for _, id := range ids {
		cr, err := from.Get(ctx, id)
		if err != nil {
			return err
		}
		if err := to.Issue(ctx, cr, "kysobench"); err != nil {
			return err
		}
	}
	return to.Close()
}

// writeSample writes up to n of ids, drawn at random with replacement, one
// a line.
func writeSample(path string, ids []string, n int, rng *rand.Rand) error {
	var b strings.Builder
	for range min(n, len(ids)) {
		b.WriteString(ids[rng.IntN(len(ids))])
		b.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// withServer runs "kyso serve" on dbPath, rate limits off, calls f with its
// base URL once /healthz answers, and stops it.
func withServer(ctx context.Context, kyso, dbPath, trust string, f func(base string) error) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.Command(kyso, "serve", "--db", dbPath, "--trust", trust,
		"--rate-limit", "0", "--upload-rate-limit", "0", "--addr", addr)
	// The server logs every request; the log goes to a file beside the
	// database rather than into the report.
	logFile, err := os.Create(dbPath + ".serve.log")
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = io.Discard, logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start kyso serve: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	stopServer := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			stopServer()
			return errors.New("kyso serve did not become healthy")
		}
		time.Sleep(100 * time.Millisecond)
	}
	err = f(base)
	stopServer()
	return err
}

// checkLookup makes sure a loaded ID answers 200 before wrk runs.
func checkLookup(base, id string) error {
	resp, err := http.Get(base + "/v/" + id)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /v/%s: got status %d, want 200", id, resp.StatusCode)
	}
	return nil
}

// checkVerify makes sure a demo diploma verifies before wrk runs.
func checkVerify(base, pdf string) error {
	data, err := os.ReadFile(pdf)
	if err != nil {
		return err
	}
	resp, err := http.Post(base+"/api/v1/verify", "application/pdf", bytes.NewReader(data))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST /api/v1/verify %s: got status %d, want 200: %s", pdf, resp.StatusCode, body)
	}
	return nil
}

// runWrk warms the server up with a discarded run of --warmup, then runs
// wrk for --duration and parses its report.
func runWrk(ctx context.Context, c config, base, script, list string, stderr io.Writer) (wrkResult, error) {
	if c.warmup > 0 {
		warm := exec.CommandContext(ctx, "wrk", "-t", fmt.Sprint(c.threads), "-c", fmt.Sprint(c.conns),
			"-d", fmt.Sprintf("%ds", max(1, int(c.warmup.Seconds()))), "-s", script, base, "--", list)
		warm.Stdout, warm.Stderr = io.Discard, stderr
		if err := warm.Run(); err != nil {
			return wrkResult{}, fmt.Errorf("wrk warm-up: %w", err)
		}
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "wrk", "-t", fmt.Sprint(c.threads), "-c", fmt.Sprint(c.conns),
		"-d", fmt.Sprintf("%ds", int(c.duration.Seconds())), "--latency", "-s", script, base, "--", list)
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&out, stderr), stderr
	if err := cmd.Run(); err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %w", err)
	}
	return parseWrk(out.String())
}

func runCmd(ctx context.Context, stderr io.Writer, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	return cmd.Run()
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func seedBytes(seed uint64) [32]byte {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	return s
}
