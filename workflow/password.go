package workflow

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// PasswordParams are the argon2id parameters of a password hash.
type PasswordParams struct {
	// Time is the number of passes over the memory.
	Time uint32
	// MemoryKiB is the memory used, in KiB.
	MemoryKiB uint32
	// Threads is the parallelism (lanes).
	Threads uint8
	// KeyLen is the length of the derived hash in bytes.
	KeyLen uint32
	// SaltLen is the length of the random salt in bytes.
	SaltLen uint32
}

// DefaultPasswordParams are the parameters new passwords are hashed with:
// argon2id, 64 MiB, 3 passes, 1 lane, a 16-byte salt and a 32-byte hash.
// This is RFC 9106's second recommended option with one lane instead of
// four, and well above OWASP's minimum (19 MiB, 2 passes). One hash took
// about 110 ms on the 2-core development machine (Go 1.26, amd64); Auth
// runs at most two at once, so logins need at most 128 MiB for hashing.
var DefaultPasswordParams = PasswordParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16}

// Bounds on parameters, both those asked for and those read from a stored
// hash, so that a tampered row cannot make a login allocate gigabytes or
// run for minutes.
const (
	maxPasswordTime      = 16
	maxPasswordMemoryKiB = 256 * 1024
	maxPasswordThreads   = 16
	minPasswordKeyLen    = 16
	maxPasswordKeyLen    = 128
	minPasswordSaltLen   = 8
	maxPasswordSaltLen   = 64
	// maxEncodedHash bounds the PHC string read; real ones are ~100 bytes.
	maxEncodedHash = 512
)

// Password policy bounds.
const (
	minPasswordRunes = 10
	maxPasswordBytes = 256
)

// check reports parameters outside the bounds above.
func (p PasswordParams) check() error {
	switch {
	case p.Time < 1 || p.Time > maxPasswordTime:
		return fmt.Errorf("%w: argon2 time %d not in 1..%d", ErrInvalid, p.Time, maxPasswordTime)
	case p.Threads < 1 || p.Threads > maxPasswordThreads:
		return fmt.Errorf("%w: argon2 threads %d not in 1..%d", ErrInvalid, p.Threads, maxPasswordThreads)
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxPasswordMemoryKiB:
		return fmt.Errorf("%w: argon2 memory %d KiB not in %d..%d", ErrInvalid, p.MemoryKiB, 8*uint32(p.Threads), maxPasswordMemoryKiB)
	case p.KeyLen < minPasswordKeyLen || p.KeyLen > maxPasswordKeyLen:
		return fmt.Errorf("%w: argon2 key length %d not in %d..%d", ErrInvalid, p.KeyLen, minPasswordKeyLen, maxPasswordKeyLen)
	case p.SaltLen < minPasswordSaltLen || p.SaltLen > maxPasswordSaltLen:
		return fmt.Errorf("%w: argon2 salt length %d not in %d..%d", ErrInvalid, p.SaltLen, minPasswordSaltLen, maxPasswordSaltLen)
	}
	return nil
}

// b64 is the PHC string format's base64: standard alphabet, no padding.
var b64 = base64.RawStdEncoding

// HashPassword hashes password with argon2id and a salt read from rand,
// and returns it in the PHC string format:
//
//	$argon2id$v=19$m=65536,t=3,p=1$<base64 salt>$<base64 hash>
//
// The password is normalised to Unicode NFC first, so that the same
// Vietnamese password typed on systems that compose letters differently
// gives the same hash; CheckPassword does the same. HashPassword does not
// apply the password policy (see CheckPasswordPolicy and Auth.HashPassword).
func HashPassword(password []byte, rand io.Reader, p PasswordParams) (string, error) {
	if err := p.check(); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return "", fmt.Errorf("hash password: salt: %w", err)
	}
	key := argon2.IDKey(norm.NFC.Bytes(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return encodePHC(p, salt, key), nil
}

// encodePHC writes an argon2id PHC string.
func encodePHC(p PasswordParams, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decodePHC parses an argon2id PHC string made by HashPassword. It
// refuses other algorithms and versions, parameters in another order or
// form, and parameters outside the bounds above. Errors wrap ErrInvalid.
func decodePHC(encoded string) (PasswordParams, []byte, []byte, error) {
	var p PasswordParams
	bad := func(what string) (PasswordParams, []byte, []byte, error) {
		return p, nil, nil, fmt.Errorf("%w: password hash: %s", ErrInvalid, what)
	}
	if len(encoded) > maxEncodedHash {
		return bad("too long")
	}
	// Go's base64 decoders skip \r and \n: refuse them, and anything else
	// outside the PHC alphabet, so that one hash has one spelling.
	if strings.IndexFunc(encoded, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("$=,+/", r))
	}) >= 0 {
		return bad("a character outside the PHC alphabet")
	}
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	f := strings.Split(encoded, "$")
	if len(f) != 6 || f[0] != "" {
		return bad("not a PHC string")
	}
	if f[1] != "argon2id" {
		return bad("not argon2id")
	}
	if f[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("unsupported argon2 version")
	}
	params := strings.Split(f[3], ",")
	if len(params) != 3 {
		return bad("want parameters m, t and p")
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(params[i], name+"=")
		if !ok || v == "" || len(v) > 10 || (len(v) > 1 && v[0] == '0') {
			return bad("malformed parameter " + name)
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return bad("malformed parameter " + name)
		}
		vals[i] = n
	}
	if vals[2] > maxPasswordThreads {
		return bad("parameter p out of bounds")
	}
	p.MemoryKiB, p.Time, p.Threads = uint32(vals[0]), uint32(vals[1]), uint8(vals[2])
	salt, err := b64.Strict().DecodeString(f[4])
	if err != nil {
		return bad("malformed salt")
	}
	key, err := b64.Strict().DecodeString(f[5])
	if err != nil {
		return bad("malformed hash")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.check(); err != nil {
		return p, nil, nil, fmt.Errorf("password hash: %w", err)
	}
	return p, salt, key, nil
}

// CheckPassword reports whether password matches the PHC string encoded,
// comparing in constant time. A malformed string, or one whose parameters
// are out of bounds (at most 256 MiB, 16 passes, 16 lanes), is an error
// wrapping ErrInvalid and no hashing is done.
func CheckPassword(encoded string, password []byte) (bool, error) {
	p, salt, want, err := decodePHC(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey(norm.NFC.Bytes(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// checkPasswordHash reports a hash CheckPassword would refuse.
func checkPasswordHash(encoded string) error {
	_, _, _, err := decodePHC(encoded)
	return err
}

// CheckPasswordPolicy reports a password the service refuses to set: not
// valid UTF-8, fewer than 10 characters (runes, after NFC), more than 256
// bytes, or one character repeated. Errors wrap ErrInvalid and never quote
// the password.
func CheckPasswordPolicy(password []byte) error {
	if len(password) > maxPasswordBytes {
		return fmt.Errorf("%w: password: longer than %d bytes", ErrInvalid, maxPasswordBytes)
	}
	if !utf8.Valid(password) {
		return fmt.Errorf("%w: password: not valid UTF-8", ErrInvalid)
	}
	pw := norm.NFC.Bytes(password)
	if n := utf8.RuneCount(pw); n < minPasswordRunes {
		return fmt.Errorf("%w: password: fewer than %d characters", ErrInvalid, minPasswordRunes)
	}
	first, _ := utf8.DecodeRune(pw)
	same := true
	for _, r := range string(pw) {
		if r != first {
			same = false
			break
		}
	}
	if same {
		return fmt.Errorf("%w: password: one character repeated", ErrInvalid)
	}
	return nil
}
