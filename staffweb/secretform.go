package staffweb

import (
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"
)

// maxPlainForm bounds a form that carries no file: 500 document IDs and a
// PIN fit many times over.
const maxPlainForm = 1 << 20

// maxFormFields bounds the fields of a form read by parseSecretForm.
const maxFormFields = 20_000

// errBadForm means a form could not be read.
var errBadForm = errors.New("malformed form")

// secretForm is an application/x-www-form-urlencoded form whose secret
// fields (a PIN, a password typed twice) were decoded into bytes of their
// own, never into strings, so that they can be zeroed.
type secretForm struct {
	values url.Values
	// secret is the first secret field's value (nil when absent).
	secret []byte
	// secrets holds every secret field's value by name.
	secrets map[string][]byte
}

// get returns the value of the secret field key (nil when absent).
func (f *secretForm) get(key string) []byte { return f.secrets[key] }

// wipe zeroes the secrets.
func (f *secretForm) wipe() {
	if f != nil {
		clear(f.secret)
		for _, v := range f.secrets {
			clear(v)
		}
	}
}

// parseSecretForm parses an urlencoded body. Each field named in
// secretKeys (which may appear once each) is decoded into bytes of its
// own: the first into f.secret, all into f.secrets; every other field goes
// to f.values. The body is not kept: the caller zeroes it.
func parseSecretForm(body []byte, secretKeys ...string) (*secretForm, error) {
	f := &secretForm{values: url.Values{}, secrets: map[string][]byte{}}
	n := 0
	for len(body) > 0 {
		var pair []byte
		if i := indexByte(body, '&'); i >= 0 {
			pair, body = body[:i], body[i+1:]
		} else {
			pair, body = body, nil
		}
		if len(pair) == 0 {
			continue
		}
		if n++; n > maxFormFields {
			f.wipe()
			return nil, errBadForm
		}
		rawKey, rawValue := pair, []byte(nil)
		if i := indexByte(pair, '='); i >= 0 {
			rawKey, rawValue = pair[:i], pair[i+1:]
		}
		key, err := url.QueryUnescape(string(rawKey))
		if err != nil {
			f.wipe()
			return nil, errBadForm
		}
		if slices.Contains(secretKeys, key) {
			if _, seen := f.secrets[key]; seen {
				f.wipe()
				return nil, errBadForm
			}
			v, err := unescapeBytes(rawValue)
			if err != nil {
				f.wipe()
				return nil, errBadForm
			}
			f.secrets[key] = v
			if key == secretKeys[0] {
				f.secret = v
			}
			continue
		}
		value, err := url.QueryUnescape(string(rawValue))
		if err != nil {
			f.wipe()
			return nil, errBadForm
		}
		f.values.Add(key, value)
	}
	return f, nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// unescapeBytes decodes a form value ('+' is a space, %XX a byte) into a
// new slice, as url.QueryUnescape does into a string.
func unescapeBytes(s []byte) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			out = append(out, ' ')
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				clear(out)
				return nil, errBadForm
			}
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// readBody reads at most limit bytes of r into one buffer. When the buffer
// has to grow, the old one is zeroed, so that no copy of a secret is left
// behind in memory the program no longer holds. tooLarge is true when r
// holds more than limit bytes.
func readBody(r io.Reader, sizeHint, limit int64) (data []byte, tooLarge bool, err error) {
	// The claimed length only sizes the first buffer up to 8 KiB (a PIN
	// form with a few hundred documents ticked): a client cannot make
	// the server hold a large buffer by claiming a length it never sends.
	size := int64(4096)
	if sizeHint > 0 {
		size = min(sizeHint, limit, 8<<10) + 1
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				clear(buf)
				return nil, true, nil
			}
			bigger := make([]byte, len(buf), min(2*int64(cap(buf)), limit+1))
			copy(bigger, buf)
			clear(buf)
			buf = bigger
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			clear(buf)
			return nil, true, nil
		}
		if err == io.EOF {
			return buf, false, nil
		}
		if err != nil {
			clear(buf)
			return nil, false, err
		}
	}
}

// hasPrefixFold reports whether s begins with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
