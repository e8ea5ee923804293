package tabular

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Fuzz limits keep each input small and each run short.
const (
	fuzzMaxInput = 256 << 10
	fuzzMaxRows  = 2000
)

// checkReadError asserts what every error from the reader must be: a
// *CellError or Errors, with a reason, a message that is valid UTF-8.
func checkReadError(t *testing.T, err error) {
	t.Helper()
	var ce *CellError
	var list Errors
	switch {
	case errors.As(err, &list):
		if len(list) == 0 {
			t.Fatal("empty Errors")
		}
		for _, e := range list {
			if e.Reason == 0 {
				t.Fatalf("error without a reason: %v", e)
			}
		}
	case errors.As(err, &ce):
		if ce.Reason == 0 {
			t.Fatalf("error without a reason: %v", ce)
		}
	default:
		t.Fatalf("got %T %v, want *CellError or Errors", err, err)
	}
	if msg := err.Error(); !utf8.ValidString(msg) || msg == "" {
		t.Fatalf("message %q is empty or not UTF-8", msg)
	}
	if !errors.Is(err, ErrInvalidFile) && !errors.Is(err, ErrInvalidRow) {
		t.Fatalf("%v matches neither ErrInvalidFile nor ErrInvalidRow", err)
	}
}

// drain reads every row and checks the invariants of rows: increasing
// numbers, NFC text without surrounding space.
func drain(t *testing.T, r *Reader) {
	t.Helper()
	last, n := 0, 0
	for row, err := range r.All() {
		if err != nil {
			checkReadError(t, err)
			continue
		}
		if row.Number <= last {
			t.Fatalf("row %d after row %d", row.Number, last)
		}
		last = row.Number
		for _, c := range row.Cells {
			if !utf8.ValidString(c.Value) || !norm.NFC.IsNormalString(c.Value) {
				t.Fatalf("row %d column %s: %q is not NFC UTF-8", row.Number, c.Column, c.Value)
			}
			if strings.TrimSpace(c.Value) != c.Value {
				t.Fatalf("row %d column %s: %q has surrounding space", row.Number, c.Column, c.Value)
			}
		}
		if n++; n > fuzzMaxRows {
			break
		}
	}
	for _, w := range r.Warnings() {
		if !utf8.ValidString(w.String()) {
			t.Fatalf("warning %q is not UTF-8", w.String())
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, name := range []string{"grades-semicolon.csv", "tcvn3.csv", "vni.csv", "windows-1258.csv", "latin1.csv", "utf16.txt"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte("sep=;\nHọ và tên;Giữa kỳ\nAn;8,5\n"))
	f.Add([]byte("a,\"b\nc\",d\n1,2,3\n"))
	f.Add([]byte("Họ và tên,Ghi chú\nAn,Tr\u00adêng NguyÔn\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxInput {
			t.Skip("input larger than the fuzz limit")
		}
		for _, conv := range []bool{false, true} {
			r, err := OpenReader("fuzz.csv", bytes.NewReader(data), Options{ConvertLegacy: conv, DetectRows: 16})
			if err != nil {
				checkReadError(t, err)
				continue
			}
			drain(t, r)
			if err := r.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		}
	})
}

func FuzzReadXLSX(f *testing.F) {
	for _, name := range []string{"grades.xlsx", "merged-header.xlsx", "tcvn3.xlsx", "vni.xlsx", "empty.xlsx"} {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxInput {
			t.Skip("input larger than the fuzz limit")
		}
		r, err := Open("fuzz.xlsx", bytes.NewReader(data), int64(len(data)), Options{
			Format: FormatXLSX, ConvertLegacy: true, Match: gradeMatch, AllowUnknownColumns: true,
			MaxUnpackedSize: 16 << 20, TempDir: t.TempDir(),
		})
		if err != nil {
			checkReadError(t, err)
			return
		}
		drain(t, r)
		if err := r.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	})
}

// tcvn3Encode and vniEncode write Vietnamese text in the legacy encodings,
// for round trips through the decoders. They are built from the decoders'
// own tables and mark rules, so they test the decoding logic (composition,
// case, marks), not the tables, which the hand-written words test.
func tcvn3Encode(s string) ([]byte, bool) {
	inv := map[rune]byte{}
	for i, r := range tcvn3High {
		if r < 0x0300 || r > 0x036F { // not the combining marks
			inv[r] = byte(0x80 + i)
		}
	}
	var out []byte
	for _, r := range norm.NFC.String(s) {
		switch b, ok := inv[r]; {
		case ok:
			out = append(out, b)
		case r < utf8.RuneSelf && tcvn3Control(byte(r)) == 0:
			out = append(out, byte(r))
		default:
			return nil, false
		}
	}
	return out, true
}

func vniEncode(s string) ([]byte, bool) {
	letters := map[rune]byte{}
	for b := 0x80; b <= 0xFF; b++ {
		if r := vniLetter(byte(b)); r != 0 {
			letters[r] = byte(b)
		}
	}
	marks := map[vniMark]byte{}
	for b := 0xE0; b <= 0xFF; b++ { // the lower-case mark bytes
		if m, ok := vniMarkOf(byte(b)); ok {
			marks[m] = byte(b)
		}
	}
	var out []byte
	for _, r := range norm.NFC.String(s) {
		if r < utf8.RuneSelf {
			out = append(out, byte(r))
			continue
		}
		if b, ok := letters[r]; ok {
			out = append(out, b)
			continue
		}
		d := []rune(norm.NFD.String(string(r)))
		base, m := d[0], vniMark{}
		for _, c := range d[1:] {
			switch c {
			case '\u0302':
				m.shape = markCirc
			case '\u0306':
				m.shape = markBreve
			case '\u031B':
				base = []rune(norm.NFC.String(string(base) + "\u031B"))[0] // ơ, ư
			case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
				if m.tone != 0 {
					return nil, false
				}
				m.tone = c
			default:
				return nil, false // not a Vietnamese mark: the diaeresis of Ǘ
			}
		}
		switch lower := []rune(strings.ToLower(string(base)))[0]; {
		case m.shape == markCirc && lower != 'a' && lower != 'e' && lower != 'o',
			m.shape == markBreve && lower != 'a':
			return nil, false // not a Vietnamese letter: î, ĕ
		}
		if b, ok := letters[base]; ok {
			out = append(out, b)
		} else if base < utf8.RuneSelf && vniBase(base) != 0 {
			out = append(out, byte(base))
		} else {
			return nil, false
		}
		if m == (vniMark{}) {
			continue
		}
		mb, ok := marks[m]
		if !ok {
			return nil, false
		}
		if base >= 'A' && base <= 'Z' || base == 'Ơ' || base == 'Ư' {
			mb -= 0x20
		}
		out = append(out, mb)
	}
	return out, true
}

func FuzzDetectLegacy(f *testing.F) {
	for _, s := range []string{"Nguyễn Văn Nghĩa", "NguyÔn V¨n NghÜa", "Nguyeãn Vaên Nghóa", "Tr\u00adêng",
		"Nguy\xd4n V\xa8n", "Nguye\xe3n", "Nguy\xea\xden", "Müller", "ĐẶNG THỊ MỸ DUYÊN", "", "8,5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			t.Skip("input larger than the fuzz limit")
		}
		d := DetectLegacy([]string{s})
		if d.Plausible > d.Words || d.AsIs > d.Words {
			t.Fatalf("counts %+v exceed the words", d)
		}
		if out, ok := d.Convert(s); ok && (!utf8.ValidString(out) || !norm.NFC.IsNormalString(out)) {
			t.Fatalf("Convert(%q) = %q, not NFC UTF-8", s, out)
		}
		if !utf8.ValidString(s) {
			return
		}
		// Every decoder yields NFC UTF-8 whatever the bytes.
		for _, c := range append(textCodecs(), rawCodecs()...) {
			if out, ok := c.decode(s); ok && (!utf8.ValidString(out) || !norm.NFC.IsNormalString(out)) {
				t.Fatalf("%v decode(%q) = %q, not NFC UTF-8", c.enc, s, out)
			}
		}
		// Round trips: Vietnamese text written in a legacy encoding reads
		// back as itself (TCVN3 up to its capitals rule).
		want := norm.NFC.String(s)
		if b, ok := tcvn3Encode(want); ok && fixTCVN3Case(want) == want {
			if got := decodeTCVN3(b); got != want {
				t.Fatalf("TCVN3 round trip of %q: % x read as %q", want, b, got)
			}
		}
		if b, ok := vniEncode(want); ok {
			if got, ok := decodeVNI(b); !ok || got != want {
				t.Fatalf("VNI round trip of %q: % x read as %q, %v", want, b, got, ok)
			}
		}
		// Text through Windows-1252, as .xlsx keeps it, decodes the same.
		if b, ok := tcvn3Encode(want); ok && fixTCVN3Case(want) == want {
			var sb strings.Builder
			for _, c := range b {
				sb.WriteRune(charmap.Windows1252.DecodeByte(c))
			}
			if got, ok := (codec{TCVN3, charmap.Windows1252}).decode(sb.String()); ok && got != want {
				t.Fatalf("TCVN3 via Windows-1252 of %q: %q read as %q", want, sb.String(), got)
			}
		}
	})
}
