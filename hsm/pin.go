package hsm

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// Size limits for files this package reads.
const (
	maxPINFileSize = 4 << 10
	maxKeyFileSize = 1 << 20
)

// hasNonInteractiveSecret reports whether the URI itself says where the PIN
// or passphrase comes from.
func hasNonInteractiveSecret(u *URI) bool {
	return u.PINSource != "" || u.hasPINValue
}

// secret returns the PIN or passphrase for u: from pin-value, from
// pin-source, or else by asking opts.Prompt with prompt. It is called at most
// once per Open, so a wrong PIN is never retried. Errors never contain the
// secret.
func (o *Options) secret(u *URI, prompt string) ([]byte, error) {
	var val []byte
	switch {
	case u.hasPINValue:
		val = []byte(u.pinValue)
	case strings.HasPrefix(u.PINSource, "env:"):
		name := strings.TrimPrefix(u.PINSource, "env:")
		val = []byte(o.getenv(name))
		if len(val) == 0 {
			return nil, fmt.Errorf("pin-source env:%s: variable unset or empty: %w", name, ErrEmptyPIN)
		}
	case strings.HasPrefix(u.PINSource, "file:"):
		path, err := pinFilePath(u.PINSource)
		if err != nil {
			return nil, err
		}
		data, err := o.readFile(path, maxPINFileSize)
		if err != nil {
			return nil, fmt.Errorf("pin-source file %s: %w", path, err)
		}
		val = trimOneNewline(data)
		if len(val) == 0 {
			return nil, fmt.Errorf("pin-source file %s: %w", path, ErrEmptyPIN)
		}
	case u.PINSource != "":
		return nil, uriErr("pin-source", ErrInvalidValue, `want "file:PATH" or "env:NAME"`)
	default:
		if o.Prompt == nil {
			return nil, fmt.Errorf("%w: the URI has no pin-source or pin-value and there is no terminal to ask on", ErrNoPINSource)
		}
		s, err := o.Prompt(prompt)
		if err != nil {
			return nil, fmt.Errorf("read PIN: %w", err)
		}
		val = []byte(s)
	}
	if len(val) == 0 {
		return nil, ErrEmptyPIN
	}
	return val, nil
}

// trimOneNewline removes one trailing "\n" or "\r\n".
func trimOneNewline(b []byte) []byte {
	if bytes.HasSuffix(b, []byte("\r\n")) {
		return b[:len(b)-2]
	}
	return bytes.TrimSuffix(b, []byte("\n"))
}

func (o *Options) getenv(name string) string {
	if o.Getenv != nil {
		return o.Getenv(name)
	}
	return os.Getenv(name)
}

// readFile reads path through Options.ReadFile or, by default, from disk;
// either way at most limit bytes are accepted.
func (o *Options) readFile(path string, limit int64) ([]byte, error) {
	var data []byte
	if o.ReadFile != nil {
		d, err := o.ReadFile(path)
		if err != nil {
			return nil, err
		}
		data = d
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		d, err := io.ReadAll(io.LimitReader(f, limit+1))
		if err != nil {
			return nil, err
		}
		data = d
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("file larger than %d bytes", limit)
	}
	return data, nil
}

// Secret returns the PIN or passphrase u names (pin-value, pin-source, or a
// prompt through opts.Prompt), for callers that create a key file rather
// than open one.
func Secret(u *URI, opts Options, prompt string) ([]byte, error) {
	return opts.secret(u, prompt)
}
