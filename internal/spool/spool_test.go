package spool

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestMapLarge spools 100 MB and checks the bytes, that the Go heap did not
// grow by the input's size, and that nothing is left in the directory.
func TestMapLarge(t *testing.T) {
	dir := t.TempDir()
	src := make([]byte, 100<<20)
	if _, err := rand.Read(src); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	data, release, err := Map(bytes.NewReader(src), 128<<20, dir)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if grown := int64(after.TotalAlloc - before.TotalAlloc); grown > 8<<20 {
		t.Errorf("spooling 100 MB allocated %d MB on the heap", grown>>20)
	}
	if !bytes.Equal(data, src) {
		t.Fatal("the mapped bytes differ from the input")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("%d files left in the spool directory", len(ents))
	}
	release()
	release() // twice is harmless
}

func TestMapLimits(t *testing.T) {
	if _, _, err := Map(bytes.NewReader(make([]byte, 11)), 10, t.TempDir()); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: got %v, want ErrTooLarge", err)
	}
	data, release, err := Map(bytes.NewReader(nil), 10, t.TempDir())
	if err != nil || len(data) != 0 {
		t.Fatalf("empty input: %d bytes, %v", len(data), err)
	}
	release()
	path := filepath.Join(t.TempDir(), "f.pdf")
	if err := os.WriteFile(path, []byte("%PDF-1.7 hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, release, err = MapFile(path, 100)
	if err != nil || string(data) != "%PDF-1.7 hello" {
		t.Fatalf("MapFile: %q, %v", data, err)
	}
	release()
	if _, _, err := MapFile(path, 5); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MapFile over the limit: got %v", err)
	}
	if _, _, err := MapFile(t.TempDir(), 5); err == nil {
		t.Error("MapFile of a directory succeeded")
	}
}
