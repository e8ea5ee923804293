// Package spool holds large untrusted inputs (uploaded PDFs, files given to
// kyso verify) outside the Go heap: the bytes are written to an unlinked
// temporary file, or taken from the named file, and mapped read-only into
// memory. The verifier then reads them like any []byte while the kernel
// pages them in and out of its page cache, so a 100 MB upload costs the
// process almost nothing of its own memory.
//
// The mapping is valid until the release function returns; nothing may keep
// a slice of it after that (package verify's reports hold copies only).
package spool

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// ErrTooLarge is returned for an input over the limit.
var ErrTooLarge = errors.New("input over the size limit")

// Map copies r, at most limit bytes, to an unlinked temporary file in dir
// (os.TempDir when empty) and maps it read-only. It returns the bytes and
// the function that unmaps them and closes the file. An input of more than
// limit bytes fails with ErrTooLarge; an empty one maps to an empty slice.
func Map(r io.Reader, limit int64, dir string) (data []byte, release func(), err error) {
	f, err := os.CreateTemp(dir, "kyso-spool-*")
	if err != nil {
		return nil, nil, err
	}
	// Unlinked at once: the file lives as long as the descriptor, and
	// nothing is left behind if the process dies.
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, nil, err
	}
	n, err := io.Copy(f, io.LimitReader(r, limit+1))
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if n > limit {
		f.Close()
		return nil, nil, fmt.Errorf("more than %d bytes: %w", limit, ErrTooLarge)
	}
	return mapFile(f, n)
}

// MapFile maps the file at path read-only, refusing one of more than limit
// bytes.
func MapFile(path string, limit int64) (data []byte, release func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s: not a regular file", path)
	}
	if st.Size() > limit {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %d bytes, limit %d: %w", path, st.Size(), limit, ErrTooLarge)
	}
	return mapFile(f, st.Size())
}

func mapFile(f *os.File, n int64) ([]byte, func(), error) {
	if n == 0 {
		f.Close()
		return []byte{}, func() {}, nil
	}
	if int64(int(n)) != n {
		f.Close()
		return nil, nil, fmt.Errorf("%d bytes: %w", n, ErrTooLarge)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(n), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("map %s: %w", f.Name(), err)
	}
	released := false
	return data, func() {
		if released {
			return
		}
		released = true
		_ = syscall.Munmap(data)
		f.Close()
	}, nil
}
