package main

import (
	"context"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/registry"
)

// TestIssueSurvivesSIGKILL kills 'kyso issue' with SIGKILL at many moments
// and runs it again until it completes: every credential ends up issued
// exactly once, every registry record has its PDF (same hash), every PDF
// has its record, and no temporary file is left.
func TestIssueSurvivesSIGKILL(t *testing.T) {
	work := t.TempDir()
	uri, env, _ := fileKey(t, work)
	data := fixture(t, "graduates.csv")
	args := []string{"issue", "--data", data, "--key", uri, "--db", "r.db", "--out", "out"}

	kills := 0
	for i := 0; i < 12; i++ {
		cmd := exec.Command(kysoBin, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), env...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Spread the kills over start-up, signing and registering.
		time.Sleep(time.Duration(20+i*37) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err == nil {
			kills++
		}
		cmd.Wait()
	}
	if kills == 0 {
		t.Fatal("no run was killed; the test proves nothing")
	}
	r := kyso(t, work, env, args...)
	if r.code != 0 {
		t.Fatalf("final run: exit %d\n%s", r.code, r.stderr)
	}
	// Once more: nothing new.
	if r := kyso(t, work, env, args...); r.code != 0 || !strings.Contains(r.stderr, "issued 0,") {
		t.Fatalf("run after completion: exit %d %q, want issued 0", r.code, r.stderr)
	}

	store, err := registry.OpenSQLite(context.Background(), filepath.Join(work, "r.db"), registry.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	n, err := store.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pdfs := pdfFiles(t, filepath.Join(work, "out"))
	if n != 24 || len(pdfs) != 24 {
		t.Fatalf("%d records and %d PDFs after %d kills, want 24 of each", n, len(pdfs), kills)
	}
	for _, p := range pdfs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		c, err := store.FindByDocumentHash(context.Background(), sha256.Sum256(b))
		if err != nil {
			t.Errorf("%s has no registry record: %v", filepath.Base(p), err)
			continue
		}
		if want := strings.ReplaceAll(c.Public.Serial, " ", "_") + ".pdf"; filepath.Base(p) != want {
			t.Errorf("%s holds the record of %s", filepath.Base(p), want)
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(work, "out", ".*")); len(tmp) > 1 { // the lock file stays
		t.Errorf("temporary files left: %v", tmp)
	}
}
