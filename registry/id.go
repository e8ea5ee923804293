package registry

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// crockford is the Crockford base32 alphabet: digits and upper-case letters
// without I, L, O and U. A symbol's value is its index in this string.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

const (
	idBits       = 100
	idBytes      = 13 // 104 bits; the top 4 bits of the first byte are always zero
	idDataChars  = idBits / 5
	idChars      = idDataChars + 1 // data symbols plus the check symbol
	idGroupLen   = 7
	idPadBits    = idBytes*8 - idBits
	maxIDInput   = 64                // bytes; longer input is rejected before it is scanned
	idFirstByteM = 0xFF >> idPadBits // mask for the first byte
)

// Errors returned by ParseID. Every one of them matches ErrMalformedID with
// errors.Is, so a caller that only needs to know "this is not an ID" (the HTTP
// layer answering 400) checks ErrMalformedID; the finer sentinels say why.
var (
	// ErrMalformedID is the class of every ParseID failure.
	ErrMalformedID = errors.New("malformed credential ID")
	// ErrIDLength means the input does not hold exactly 21 symbols.
	ErrIDLength = fmt.Errorf("%w: wrong length", ErrMalformedID)
	// ErrIDCharacter means the input holds a character outside the
	// Crockford base32 alphabet (after case folding and the I/L/O aliases).
	ErrIDCharacter = fmt.Errorf("%w: invalid character", ErrMalformedID)
	// ErrIDCheck means the check symbol does not match the data symbols:
	// typically a mistyped or swapped character.
	ErrIDCheck = fmt.Errorf("%w: check character mismatch", ErrMalformedID)
)

// ID identifies one issued credential: 100 random bits.
//
// Its text form is 20 Crockford base32 symbols followed by one check symbol
// (a GF(32) check, see checkSymbol), shown as three groups of seven, for
// example 7KQ2M9P-X4R8T1B-HC0WZ3D. The zero ID is never issued; use IsZero to
// detect an unset ID.
type ID struct {
	b [idBytes]byte // big-endian; the top idPadBits bits are zero
}

// NewID returns a new random ID read from r. Callers pass crypto/rand.Reader;
// tests pass a deterministic reader.
func NewID(r io.Reader) (ID, error) {
	var id ID
	if _, err := io.ReadFull(r, id.b[:]); err != nil {
		return ID{}, fmt.Errorf("new credential ID: read randomness: %w", err)
	}
	id.b[0] &= idFirstByteM
	return id, nil
}

// ParseID parses the text form of an ID. It ignores case, hyphens and white
// space, and reads I and L as 1 and O as 0, so a code typed from a printed
// diploma parses as printed. Errors match ErrMalformedID and one of
// ErrIDLength, ErrIDCharacter or ErrIDCheck.
func ParseID(s string) (ID, error) {
	if len(s) > maxIDInput {
		return ID{}, fmt.Errorf("parse credential ID: %w: %d bytes, want at most %d", ErrIDLength, len(s), maxIDInput)
	}
	var sym [idChars]byte
	n := 0
	pos := 0 // rune position, for error messages
	for _, r := range s {
		pos++
		if r == '-' || unicode.IsSpace(r) {
			continue
		}
		v, ok := symbolValue(r)
		if !ok {
			return ID{}, fmt.Errorf("parse credential ID: %w: %q at position %d", ErrIDCharacter, r, pos)
		}
		if n < idChars {
			sym[n] = v
		}
		n++
	}
	if n != idChars {
		return ID{}, fmt.Errorf("parse credential ID: %w: %d symbols, want %d", ErrIDLength, n, idChars)
	}
	if checkSymbol(sym[:idDataChars]) != sym[idDataChars] {
		return ID{}, fmt.Errorf("parse credential ID: %w", ErrIDCheck)
	}
	return idFromSymbols(sym[:idDataChars]), nil
}

// String returns the display form: three hyphen-separated groups of seven
// upper-case symbols, the last of which ends with the check symbol.
func (id ID) String() string {
	c := id.Compact()
	var b strings.Builder
	b.Grow(idChars + 2)
	for i := 0; i < idChars; i += idGroupLen {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(c[i : i+idGroupLen])
	}
	return b.String()
}

// Compact returns the 21 symbols without separators. It is the canonical
// form used as a database key and in URLs.
func (id ID) Compact() string {
	sym := id.symbols()
	var out [idChars]byte
	for i, v := range sym {
		out[i] = crockford[v]
	}
	out[idDataChars] = crockford[checkSymbol(sym[:])]
	return string(out[:])
}

// IsZero reports whether id is the zero ID, which marks an unset value.
func (id ID) IsZero() bool {
	return id == ID{}
}

// MarshalText implements encoding.TextMarshaler with the display form.
func (id ID) MarshalText() ([]byte, error) {
	return []byte(id.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseID.
func (id *ID) UnmarshalText(text []byte) error {
	parsed, err := ParseID(string(text))
	if err != nil {
		return err
	}
	*id = parsed
	return nil
}

// symbols splits the 100 bits into 20 five-bit values, most significant first.
func (id ID) symbols() [idDataChars]byte {
	var sym [idDataChars]byte
	for k := range sym {
		var v byte
		for j := 0; j < 5; j++ {
			bit := idPadBits + 5*k + j
			v = v<<1 | (id.b[bit/8]>>(7-bit%8))&1
		}
		sym[k] = v
	}
	return sym
}

// idFromSymbols is the inverse of ID.symbols. sym holds exactly 20 values
// below 32.
func idFromSymbols(sym []byte) ID {
	var id ID
	for k, v := range sym {
		for j := 0; j < 5; j++ {
			if v>>(4-j)&1 == 1 {
				bit := idPadBits + 5*k + j
				id.b[bit/8] |= 1 << (7 - bit%8)
			}
		}
	}
	return id
}

// symbolValue maps one input character to its Crockford value, folding case
// and reading I and L as 1 and O as 0.
func symbolValue(r rune) (byte, bool) {
	if r >= utf8.RuneSelf {
		return 0, false
	}
	c := byte(unicode.ToUpper(r))
	switch c {
	case 'I', 'L':
		return 1, true
	case 'O':
		return 0, true
	}
	i := strings.IndexByte(crockford, c)
	if i < 0 {
		return 0, false
	}
	return byte(i), true
}

// checkSymbol computes the check value for data symbols given as values.
//
// The values are read as elements of GF(32) (polynomial x⁵ + x² + 1) and
// folded left to right with r ← 2·r + d (addition is XOR); the check value is
// 2·r, so that folding it in too gives 0. Because the operation x∘y = 2x + y
// is a quasigroup with weak total antisymmetry (2 ≠ 1), the check detects
// every single-symbol substitution and every swap of two adjacent different
// symbols, the check symbol included (Damm's construction). Luhn mod 32,
// first considered, misses the swap of 0 and Z.
func checkSymbol(data []byte) byte {
	var r byte
	for _, d := range data {
		r = gf32Double(r) ^ d
	}
	return gf32Double(r)
}

// gf32Double multiplies a GF(32) element by x, reducing by x⁵ + x² + 1.
func gf32Double(v byte) byte {
	v <<= 1
	if v&0x20 != 0 {
		v ^= 0x25
	}
	return v
}
