package signer

import (
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrInvalidText is returned when a text field of Options cannot be written
// into the signature dictionary: it is not valid UTF-8, holds a control
// character other than tab, line feed or carriage return, or is too long.
var ErrInvalidText = errors.New("invalid signature text field")

// MaxTextLen is the longest text field (Name, Reason, Location, ContactInfo)
// Sign accepts, in bytes of UTF-8.
const MaxTextLen = 1024

// checkText refuses text that does not belong in a one-line human-readable
// signature field. Tab, LF and CR are allowed (they have the same meaning in
// PDFDocEncoding and in UTF-16); other C0 controls and DEL are not, because
// pdfsign writes ASCII text as PDFDocEncoding, where 0x18–0x1F are accents.
func checkText(field, s string) error {
	if len(s) > MaxTextLen {
		return fmt.Errorf("%s: %d bytes, more than %d: %w", field, len(s), MaxTextLen, ErrInvalidText)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s: not valid UTF-8: %w", field, ErrInvalidText)
	}
	for i, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return fmt.Errorf("%s: control character U+%04X at byte %d: %w", field, r, i, ErrInvalidText)
		}
	}
	return nil
}

// pdfsignText works around pdfsign v0.9.0's writer of text strings.
//
// pdfsign's pdfString escapes ASCII text correctly, but writes any other text
// as "(" + UTF-16BE with a byte order mark + ")" with no escaping at all. A
// UTF-16 code unit can hold the bytes 0x28 "(", 0x29 ")", 0x5C "\" or 0x0D
// (CR), which then end the literal early, start an escape or turn into a line
// feed: "ĩ" (U+0129, bytes 01 29) and "Ĩ" (U+0128) break every signature
// dictionary that names a "Nghĩa".
//
// pdfsignText returns the string s2 such that pdfsign's naive encoding of s2,
// FE FF followed by UTF-16BE(s2), is exactly the correctly escaped literal of
// FE FF followed by UTF-16BE(s). It builds the escaped bytes E of
// UTF-16BE(s) (ISO 32000-1 §7.3.4.2), makes their length even, and reads E
// back as big-endian code units:
//
//   - "(", ")", "\" become "\(", "\)", "\\", and CR becomes "\r";
//   - every byte 0xD8–0xDF becomes a three-digit octal escape, so no code unit
//     of E is a UTF-16 surrogate, which a Go string cannot carry;
//   - if E has odd length, its first byte written as itself is written as a
//     three-digit octal escape instead: that adds three bytes, and a
//     three-digit escape cannot absorb a digit that follows it.
//
// ASCII text is returned unchanged: pdfsign escapes it itself. For any other
// text E always holds a code unit above U+007F (a byte of 0x80 or more, or an
// escape, whose backslash and character are both non-zero and one of them
// lands on a high byte), so pdfsign takes its UTF-16 path; pdfsignText checks
// that anyway and returns an error rather than a string pdfsign would misread.
func pdfsignText(s string) (string, error) {
	if isASCII(s) {
		return s, nil
	}
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("not valid UTF-8: %w", ErrInvalidText)
	}
	units := utf16.Encode([]rune(s))
	esc := make([]byte, 0, 2*len(units)+16)
	firstRaw := -1
	for _, u := range units {
		for _, b := range [2]byte{byte(u >> 8), byte(u)} {
			switch {
			case b == '(' || b == ')' || b == '\\':
				esc = append(esc, '\\', b)
			case b == '\r':
				esc = append(esc, '\\', 'r')
			case b >= 0xD8 && b <= 0xDF:
				esc = appendOctal(esc, b)
			default:
				if firstRaw < 0 {
					firstRaw = len(esc)
				}
				esc = append(esc, b)
			}
		}
	}
	if len(esc)%2 == 1 {
		// Every escape is two or four bytes long, so an odd length means at
		// least one byte was written as itself.
		if firstRaw < 0 {
			return "", fmt.Errorf("cannot make the escaped text of even length: %w", ErrInvalidText)
		}
		fixed := make([]byte, 0, len(esc)+3)
		fixed = append(fixed, esc[:firstRaw]...)
		fixed = appendOctal(fixed, esc[firstRaw])
		fixed = append(fixed, esc[firstRaw+1:]...)
		esc = fixed
	}
	out := make([]byte, 0, len(esc)*3/2)
	nonASCII := false
	for i := 0; i < len(esc); i += 2 {
		u := rune(esc[i])<<8 | rune(esc[i+1])
		if utf16.IsSurrogate(u) {
			return "", fmt.Errorf("escaped text holds surrogate code unit U+%04X: %w", u, ErrInvalidText)
		}
		if u > 0x7f {
			nonASCII = true
		}
		out = utf8.AppendRune(out, u)
	}
	if !nonASCII {
		return "", fmt.Errorf("escaped text would be written as PDFDocEncoding: %w", ErrInvalidText)
	}
	return string(out), nil
}

// appendOctal appends b as a three-digit octal escape, \ddd.
func appendOctal(dst []byte, b byte) []byte {
	return append(dst, '\\', '0'+(b>>6), '0'+((b>>3)&7), '0'+(b&7))
}

// isASCII reports whether pdfsign writes s as a PDFDocEncoded literal: it
// does when no rune of s is above U+007F (invalid UTF-8 decodes to U+FFFD).
func isASCII(s string) bool {
	for _, r := range s {
		if r > 0x7f {
			return false
		}
	}
	return true
}
