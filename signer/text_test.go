package signer

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// vietnameseLetters returns every precomposed Vietnamese letter: the twelve
// vowels with each of the six tones, lower and upper case, then đ and Đ.
func vietnameseLetters(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	tones := []string{"", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
	n := 0
	for _, vowel := range "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY" {
		for _, tone := range tones {
			letter := norm.NFC.String(string(vowel) + tone)
			if utf8.RuneCountInString(letter) != 1 {
				t.Fatalf("%q%q has no precomposed form", vowel, tone)
			}
			b.WriteString(letter)
			n++
		}
	}
	b.WriteString("đĐ")
	if n+2 != 146 {
		t.Fatalf("got %d letters, want 146", n+2)
	}
	return b.String()
}

// textCases are strings that pdfsign v0.9.0 writes wrongly without the
// workaround, and a few that exercise each rule of pdfsignText.
func textCases(t testing.TB) []string {
	return []string{
		vietnameseLetters(t),
		"Nguyễn Văn Nghĩa",
		"Vĩnh Long",
		"Thạc sĩ",
		"ĨĨĨ ĩĩĩ",
		"Nghĩa (",
		") Nghĩa",
		"((Nghĩa",
		`Nghĩa \`,
		`\\ Vĩnh \( Long \)`,
		"Nghĩa\r",
		"\rNghĩa\r\nVĩnh Long\n\r",
		"Sở Giáo dục (và) Đào tạo\\Bến Tre\r)",
		"é",          // 00 E9: one code unit, no escape
		"Ĩ",          // 01 28: escaped to an odd length
		"(Ĩ",         // escape, then an odd length fixed on the first raw byte
		"Ü Ø ÛÝÞßÙÚ", // low bytes 0xD8–0xDF
		"中文 Ĩ",
		"😀 Nghĩa 𝔸", // surrogate pairs: bytes 0xD8–0xDF as high bytes
		"\uFFFD\uFFFE\uFFFF",
		"a\u0000ĩ\u0000",
		"\t(\n)Ĩ",
		"7Ĩ7",       // a digit after an octal escape must not be absorbed
		"\u0129777", // 01 29 00 37 00 37 00 37
	}
}

// pdfsignWrites returns the bytes pdfsign v0.9.0's pdfString writes for a
// non-ASCII string: "(", UTF-16BE with a byte order mark, ")", unescaped.
// The end-to-end tests in sign_test.go check the real pdfsign.
func pdfsignWrites(t testing.TB, s string) []byte {
	t.Helper()
	enc := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder()
	res, _, err := transform.String(enc, s)
	if err != nil {
		t.Fatalf("UTF-16 encoder: %v", err)
	}
	return []byte("(" + res + ")")
}

// utf16BE is the text string the signature dictionary must hold for s.
func utf16BE(s string) []byte {
	out := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

// decodeLiteral reads a PDF literal string from the start of b, following
// ISO 32000-1 §7.3.4.2, and returns its bytes and what follows it.
func decodeLiteral(b []byte) (val, rest []byte, err error) {
	if len(b) == 0 || b[0] != '(' {
		return nil, nil, errors.New("literal string does not start with (")
	}
	depth := 1
	i := 1
	for i < len(b) {
		c := b[i]
		i++
		switch c {
		case '(':
			depth++
			val = append(val, c)
		case ')':
			depth--
			if depth == 0 {
				return val, b[i:], nil
			}
			val = append(val, c)
		case '\r':
			// An end-of-line marker (CR, LF or CR LF) reads as one LF.
			if i < len(b) && b[i] == '\n' {
				i++
			}
			val = append(val, '\n')
		case '\\':
			if i == len(b) {
				return nil, nil, errors.New("backslash at end of input")
			}
			e := b[i]
			i++
			switch e {
			case 'n':
				val = append(val, '\n')
			case 'r':
				val = append(val, '\r')
			case 't':
				val = append(val, '\t')
			case 'b':
				val = append(val, '\b')
			case 'f':
				val = append(val, '\f')
			case '(', ')', '\\':
				val = append(val, e)
			case '\r':
				// Backslash and end-of-line: the string continues, no byte.
				if i < len(b) && b[i] == '\n' {
					i++
				}
			case '\n':
			case '0', '1', '2', '3', '4', '5', '6', '7':
				x := int(e - '0')
				for k := 0; k < 2 && i < len(b) && b[i] >= '0' && b[i] <= '7'; k++ {
					x = x*8 + int(b[i]-'0')
					i++
				}
				val = append(val, byte(x)) // high-order overflow is ignored
			default:
				// A backslash before any other character is ignored.
				val = append(val, e)
			}
		default:
			val = append(val, c)
		}
	}
	return nil, nil, errors.New("unterminated literal string")
}

// checkRoundTrip asserts that pdfsign, given pdfsignText(s), writes one
// literal string whose bytes are the UTF-16BE text string of s.
func checkRoundTrip(t *testing.T, s string) {
	t.Helper()
	enc, err := pdfsignText(s)
	if err != nil {
		t.Fatalf("pdfsignText(%q): %v", s, err)
	}
	if isASCII(s) {
		if enc != s {
			t.Fatalf("pdfsignText(%q) = %q, want ASCII text unchanged", s, enc)
		}
		return
	}
	if isASCII(enc) {
		t.Fatalf("pdfsignText(%q) = %q is ASCII: pdfsign would write it as PDFDocEncoding", s, enc)
	}
	written := pdfsignWrites(t, enc)
	val, rest, err := decodeLiteral(written)
	if err != nil {
		t.Fatalf("%q written as % x: %v", s, written, err)
	}
	if len(rest) != 0 {
		t.Fatalf("%q written as % x: literal ends early, % x left over", s, written, rest)
	}
	if want := utf16BE(s); !bytes.Equal(val, want) {
		t.Fatalf("%q written as % x: literal holds % x, want % x", s, written, val, want)
	}
}

func TestPDFSignText(t *testing.T) {
	for _, s := range textCases(t) {
		t.Run(fmt.Sprintf("%q", s), func(t *testing.T) { checkRoundTrip(t, s) })
	}
}

// TestPDFSignTextNeeded shows the bug being worked around: without
// pdfsignText, "Nghĩa" makes pdfsign end the literal string early.
func TestPDFSignTextNeeded(t *testing.T) {
	written := pdfsignWrites(t, "Nguyễn Văn Nghĩa")
	val, rest, err := decodeLiteral(written)
	if err == nil && len(rest) == 0 && bytes.Equal(val, utf16BE("Nguyễn Văn Nghĩa")) {
		t.Fatal("pdfsign's raw encoding of Nghĩa reads back correctly; is the workaround still needed?")
	}
}

// TestVietnameseLettersAffected pins which Vietnamese letters the bug hits:
// only Ĩ and ĩ have a byte that must be escaped in a literal string.
func TestVietnameseLettersAffected(t *testing.T) {
	var affected []rune
	for _, r := range vietnameseLetters(t) {
		u := utf16BE(string(r))[2:]
		for _, b := range u {
			if b == '(' || b == ')' || b == '\\' || b == '\r' {
				affected = append(affected, r)
				break
			}
		}
	}
	if got, want := string(affected), "ĩĨ"; got != want {
		t.Errorf("affected letters %q, want %q", got, want)
	}
}

func TestPDFSignTextInvalidUTF8(t *testing.T) {
	if _, err := pdfsignText("Nghĩa\xff"); !errors.Is(err, ErrInvalidText) {
		t.Errorf("got %v, want ErrInvalidText", err)
	}
}

func TestCheckText(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"Nguyễn Văn Nghĩa", nil},
		{"", nil},
		{"a\tb\r\nc", nil},
		{"a\x01b", ErrInvalidText},
		{"a\x1fb", ErrInvalidText},
		{"a\x7fb", ErrInvalidText},
		{"Nghĩa\xc3", ErrInvalidText},
		{strings.Repeat("ĩ", MaxTextLen/2), nil},
		{strings.Repeat("ĩ", MaxTextLen/2) + "a", ErrInvalidText},
	}
	for _, tt := range tests {
		if err := checkText("Name", tt.in); !errors.Is(err, tt.want) {
			t.Errorf("checkText(%.20q): got %v, want %v", tt.in, err, tt.want)
		}
	}
}

func FuzzPDFSignText(f *testing.F) {
	for _, s := range textCases(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			if _, err := pdfsignText(s); !isASCII(s) && !errors.Is(err, ErrInvalidText) {
				t.Fatalf("pdfsignText(%q): got %v, want ErrInvalidText", s, err)
			}
			return
		}
		checkRoundTrip(t, s)
	})
}
