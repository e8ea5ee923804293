package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// testIDs returns n IDs from a fixed seed, plus crafted ones that hold the
// edge symbols 0 and Z next to each other and at the ends.
func testIDs(t testing.TB, n int) []ID {
	t.Helper()
	r := rand.NewChaCha8([32]byte{1, 2, 3})
	var ids []ID
	for range n {
		id, err := NewID(r)
		if err != nil {
			t.Fatalf("NewID: %v", err)
		}
		ids = append(ids, id)
	}
	for _, s := range []string{
		"0Z0Z0Z0Z0Z0Z0Z0Z0Z0Z",
		"Z0000000000000000000",
		"ZZZZZZZZZZZZZZZZZZZ0",
		"7KQ2M9PX4R8T1BHC0WZ3",
		"00000000000000000001",
	} {
		ids = append(ids, idFromTestSymbols(t, s))
	}
	return ids
}

// idFromTestSymbols builds an ID from 20 data symbols.
func idFromTestSymbols(t testing.TB, s string) ID {
	t.Helper()
	if len(s) != idDataChars {
		t.Fatalf("test symbols %q: got %d symbols, want %d", s, len(s), idDataChars)
	}
	sym := make([]byte, len(s))
	for i := range len(s) {
		sym[i] = byte(strings.IndexByte(crockford, s[i]))
	}
	return idFromSymbols(sym)
}

func TestIDKnownEncodings(t *testing.T) {
	tests := []struct {
		name  string
		bytes []byte // fed to NewID
		want  string
	}{
		{"zero", make([]byte, idBytes), "0000000-0000000-0000000"},
		// Twenty values 31 folded with r ← 2r ⊕ 31 over GF(32); the check
		// 2r is 10, 'A'.
		{"all ones, padding bits cleared", bytes.Repeat([]byte{0xFF}, idBytes), "ZZZZZZZ-ZZZZZZZ-ZZZZZZA"},
		// Only the last data value is 1: r = 1, check 2·1 = 2.
		{"one", append(make([]byte, idBytes-1), 1), "0000000-0000000-0000012"},
		// Value 16 first, then 19 zeros: r = 16·x¹⁹, check 16·x²⁰ = 30, 'Y'.
		{"top bit", append([]byte{0x08}, make([]byte, idBytes-1)...), "G000000-0000000-000000Y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := NewID(bytes.NewReader(tt.bytes))
			if err != nil {
				t.Fatalf("NewID: %v", err)
			}
			if got := id.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if got, want := id.Compact(), strings.ReplaceAll(tt.want, "-", ""); got != want {
				t.Errorf("Compact() = %q, want %q", got, want)
			}
			parsed, err := ParseID(tt.want)
			if err != nil {
				t.Fatalf("ParseID(%q): %v", tt.want, err)
			}
			if parsed != id {
				t.Errorf("ParseID(%q) = %v, want %v", tt.want, parsed, id)
			}
		})
	}
}

func TestNewIDReadFailure(t *testing.T) {
	tests := []struct {
		name string
		r    io.Reader
		want error
	}{
		{"short", bytes.NewReader(make([]byte, idBytes-1)), io.ErrUnexpectedEOF},
		{"empty", bytes.NewReader(nil), io.EOF},
		{"failing", iotestErrReader{}, errBrokenReader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewID(tt.r)
			if !errors.Is(err, tt.want) {
				t.Errorf("NewID error = %v, want %v", err, tt.want)
			}
		})
	}
}

var errBrokenReader = errors.New("broken reader")

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errBrokenReader }

func TestIDRoundTrip(t *testing.T) {
	display := regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{7}-[0-9A-HJKMNP-TV-Z]{7}-[0-9A-HJKMNP-TV-Z]{7}$`)
	aliases := strings.NewReplacer("1", "l", "0", "o")
	for _, id := range testIDs(t, 50) {
		s := id.String()
		if !display.MatchString(s) {
			t.Errorf("String() = %q, want three groups of seven Crockford symbols", s)
		}
		forms := []string{
			s,
			id.Compact(),
			strings.ToLower(s),
			strings.ReplaceAll(s, "-", " "),
			"  " + strings.ToLower(id.Compact()[:10]) + " - " + id.Compact()[10:] + "\t\n",
			aliases.Replace(s),
			strings.NewReplacer("1", "I", "0", "O").Replace(s),
			strings.NewReplacer("1", "L", "0", "o").Replace(strings.ToLower(s)),
		}
		for _, f := range forms {
			got, err := ParseID(f)
			if err != nil {
				t.Errorf("ParseID(%q): %v", f, err)
				continue
			}
			if got != id {
				t.Errorf("ParseID(%q) = %v, want %v", f, got, id)
			}
		}
	}
}

func TestParseIDErrors(t *testing.T) {
	valid := testIDs(t, 1)[0].Compact()
	badCheck := valid[:idDataChars] + string(crockford[(strings.IndexByte(crockford, valid[idDataChars])+1)%32])
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrIDLength},
		{"only separators", "--- -- ", ErrIDLength},
		{"one short", valid[:idChars-1], ErrIDLength},
		{"one long", valid + "0", ErrIDLength},
		{"data only, no check", valid[:idDataChars], ErrIDLength},
		{"oversized input", strings.Repeat("-", maxIDInput) + valid, ErrIDLength},
		{"U is not Crockford", "U" + valid[1:], ErrIDCharacter},
		{"punctuation", valid[:10] + "." + valid[11:], ErrIDCharacter},
		{"underscore separator", valid[:7] + "_" + valid[7:], ErrIDCharacter},
		{"non-ASCII letter", "Đ" + valid[1:], ErrIDCharacter},
		{"fullwidth digit", "１" + valid[1:], ErrIDCharacter},
		{"check symbol wrong", badCheck, ErrIDCheck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := ParseID(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseID(%q) error = %v, want %v", tt.in, err, tt.want)
			}
			if !errors.Is(err, ErrMalformedID) {
				t.Errorf("ParseID(%q) error = %v, want it to match ErrMalformedID", tt.in, err)
			}
			if !id.IsZero() {
				t.Errorf("ParseID(%q) returned %v with an error, want the zero ID", tt.in, id)
			}
		})
	}
}

// TestIDDetectsSubstitutions replaces each of the 21 symbols of several IDs
// with each of the other 31 symbols: every result must be refused.
func TestIDDetectsSubstitutions(t *testing.T) {
	for _, id := range testIDs(t, 20) {
		s := []byte(id.Compact())
		for i := range s {
			orig := s[i]
			for _, c := range []byte(crockford) {
				if c == orig {
					continue
				}
				s[i] = c
				if _, err := ParseID(string(s)); !errors.Is(err, ErrIDCheck) {
					t.Errorf("ParseID(%q) (from %s, position %d) error = %v, want %v", s, id, i, err, ErrIDCheck)
				}
			}
			s[i] = orig
		}
	}
}

// TestIDDetectsAdjacentTranspositions swaps every pair of adjacent different
// symbols, the check symbol included: every swap must be refused.
func TestIDDetectsAdjacentTranspositions(t *testing.T) {
	for _, id := range testIDs(t, 20) {
		s := []byte(id.Compact())
		for i := 0; i+1 < len(s); i++ {
			a, b := s[i], s[i+1]
			if a == b {
				continue
			}
			s[i], s[i+1] = b, a
			if _, err := ParseID(string(s)); !errors.Is(err, ErrIDCheck) {
				t.Errorf("ParseID(%q) (from %s, swap at %d) error = %v, want %v", s, id, i, err, ErrIDCheck)
			}
			s[i], s[i+1] = a, b
		}
	}
}

// TestCheckSymbolHasNoTranspositionBlindSpot checks every pair of symbol
// values at every position parity: no swap leaves the check unchanged (Luhn
// mod 32 misses 0/Z; this check must not miss any).
func TestCheckSymbolHasNoTranspositionBlindSpot(t *testing.T) {
	for a := range byte(32) {
		for b := range byte(32) {
			if a == b {
				continue
			}
			for _, lead := range []int{0, 1, 2} {
				x := append(make([]byte, lead), a, b, 7)
				y := append(make([]byte, lead), b, a, 7)
				if checkSymbol(x) == checkSymbol(y) {
					t.Errorf("swap of values %d and %d (lead %d) is not detected", a, b, lead)
				}
			}
		}
	}
}

func TestIDText(t *testing.T) {
	id := testIDs(t, 1)[0]
	type doc struct {
		ID ID `json:"id"`
	}
	b, err := json.Marshal(doc{ID: id})
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if want := `{"id":"` + id.String() + `"}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	var back doc
	if err := json.Unmarshal([]byte(`{"id":"`+strings.ToLower(id.Compact())+`"}`), &back); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if back.ID != id {
		t.Errorf("Unmarshal = %v, want %v", back.ID, id)
	}
	if err := json.Unmarshal([]byte(`{"id":"not-an-id"}`), &back); !errors.Is(err, ErrMalformedID) {
		t.Errorf("Unmarshal of a bad ID: error = %v, want %v", err, ErrMalformedID)
	}
}

// normalizeIDInput applies ParseID's reading rules without validating.
func normalizeIDInput(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '-' || unicode.IsSpace(r) {
			continue
		}
		if r < 0x80 {
			r = unicode.ToUpper(r)
		}
		switch r {
		case 'I', 'L':
			r = '1'
		case 'O':
			r = '0'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{
		"7KQ2M9P-X4R8T1B-HC0WZ3D",
		"0000000-0000000-0000000",
		"ZZZZZZZ-ZZZZZZZ-ZZZZZZM",
		"zzzzzzz zzzzzzz zzzzzzm",
		"G000000-0000000-000000G",
		"ooooooo-ooooooo-ooooooo",
		"",
		"U",
		"Đ000000-0000000-0000000",
		strings.Repeat("-", 80),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedID) {
				t.Fatalf("ParseID(%q) error = %v, want it to match ErrMalformedID", s, err)
			}
			return
		}
		if got := normalizeIDInput(s); got != id.Compact() {
			t.Fatalf("ParseID(%q) = %s, but the input reads as %q", s, id.Compact(), got)
		}
		again, err := ParseID(id.String())
		if err != nil || again != id {
			t.Fatalf("ParseID(String()) of %q = %v, %v; want %v, nil", s, again, err, id)
		}
	})
}
