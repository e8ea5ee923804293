package tabular

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Encoding names the character encoding text was found in.
type Encoding int

// Encodings kyso recognises. Unicode is the normal case; the others are the
// legacy Vietnamese encodings of pre-Unicode software.
const (
	// Unicode: the text is what it looks like.
	Unicode Encoding = iota
	// TCVN3 is TCVN 5712:1993 VN3, typed with the ABC or Vietkey keyboards
	// into the .VnTime / .VnArial fonts: one byte per letter.
	TCVN3
	// VNI is the VNI-Windows encoding of the VNI-Times fonts: a base letter
	// followed by a byte for its marks.
	VNI
	// Windows1258 is Microsoft's Vietnamese ANSI code page, with the tone
	// marks as separate combining characters.
	Windows1258
)

// String names the encoding as Vietnamese users know it.
func (e Encoding) String() string {
	switch e {
	case Unicode:
		return "Unicode"
	case TCVN3:
		return "TCVN3 (ABC)"
	case VNI:
		return "VNI"
	case Windows1258:
		return "Windows-1258"
	}
	return "Encoding(" + itoa(int(e)) + ")"
}

// tcvn3High maps the bytes 0x80–0xFF of TCVN 5712:1993 to Unicode. VN3, the
// table the ABC fonts implement, holds the lower-case toned letters and the
// base letters Ă Â Ê Ô Ơ Ư Đ; the upper-case toned letters of the fuller
// table fill the remaining places. 0xB0–0xB4 are the five tone marks as
// combining characters. The table is read-only.
var tcvn3High = [128]rune{
	'À', 'Ả', 'Ã', 'Á', 'Ạ', 'Ặ', 'Ậ', 'È', 'Ẻ', 'Ẽ', 'É', 'Ẹ', 'Ệ', 'Ì', 'Ỉ', 'Ĩ', // 0x80
	'Í', 'Ị', 'Ò', 'Ỏ', 'Õ', 'Ó', 'Ọ', 'Ộ', 'Ờ', 'Ở', 'Ỡ', 'Ớ', 'Ợ', 'Ù', 'Ủ', 'Ũ', // 0x90
	'\u00a0', 'Ă', 'Â', 'Ê', 'Ô', 'Ơ', 'Ư', 'Đ', 'ă', 'â', 'ê', 'ô', 'ơ', 'ư', 'đ', 'Ằ', // 0xA0
	'\u0300', '\u0309', '\u0303', '\u0301', '\u0323', 'à', 'ả', 'ã', 'á', 'ạ', 'Ẳ', 'ằ', 'ẳ', 'ẵ', 'ắ', 'Ẵ', // 0xB0
	'Ắ', 'Ầ', 'Ẩ', 'Ẫ', 'Ấ', 'Ề', 'ặ', 'ầ', 'ẩ', 'ẫ', 'ấ', 'ậ', 'è', 'Ể', 'ẻ', 'ẽ', // 0xC0
	'é', 'ẹ', 'ề', 'ể', 'ễ', 'ế', 'ệ', 'ì', 'ỉ', 'Ễ', 'Ế', 'Ồ', 'ĩ', 'í', 'ị', 'ò', // 0xD0
	'Ổ', 'ỏ', 'õ', 'ó', 'ọ', 'ồ', 'ổ', 'ỗ', 'ố', 'ộ', 'ờ', 'ở', 'ỡ', 'ớ', 'ợ', 'ù', // 0xE0
	'Ỗ', 'ủ', 'ũ', 'ú', 'ụ', 'ừ', 'ử', 'ữ', 'ứ', 'ự', 'ỳ', 'ỷ', 'ỹ', 'ý', 'ỵ', 'Ố', // 0xF0
}

// tcvn3Control returns the upper-case letter TCVN 5712 puts at control
// position b, or 0. These places are almost never used (VN3 leaves them to
// the control characters), but a file carrying them means the letters.
func tcvn3Control(b byte) rune {
	switch b {
	case 0x01:
		return 'Ú'
	case 0x02:
		return 'Ụ'
	case 0x04:
		return 'Ừ'
	case 0x05:
		return 'Ử'
	case 0x06:
		return 'Ữ'
	case 0x11:
		return 'Ứ'
	case 0x12:
		return 'Ự'
	case 0x13:
		return 'Ỳ'
	case 0x14:
		return 'Ỷ'
	case 0x15:
		return 'Ỹ'
	case 0x16:
		return 'Ý'
	case 0x17:
		return 'Ỵ'
	}
	return 0
}

// decodeTCVN3 converts TCVN3 bytes to NFC text. Every byte has a meaning,
// so it cannot fail.
func decodeTCVN3(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) * 2)
	for _, c := range b {
		switch {
		case c >= 0x80:
			sb.WriteRune(tcvn3High[c-0x80])
		case tcvn3Control(c) != 0:
			sb.WriteRune(tcvn3Control(c))
		default:
			sb.WriteByte(c)
		}
	}
	return fixTCVN3Case(norm.NFC.String(sb.String()))
}

// fixTCVN3Case restores capitals lost to the ABC fonts. VN3 has no
// upper-case toned letters: capitals were typed as the lower-case codes and
// drawn with the upper-case font (.VnTimeH), so "NGUYỄN" arrives as the bytes
// of "NGUYễN". A word whose ASCII letters are all capitals, at least two of
// them, is made upper-case; so is every word of a cell where every ASCII
// letter is a capital and at least two words carry such letters ("HÀ NỘI"
// from "Hµ NéI"). A word with a single ASCII capital in mixed text ("Bộ")
// is left alone.
func fixTCVN3Case(s string) string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return s
	}
	cellUpper, legacyWords := true, 0
	for _, w := range words {
		up, low := asciiCase(w)
		if low > 0 {
			cellUpper = false
		}
		if up > 0 && hasLowerNonASCII(w) {
			legacyWords++
		}
	}
	var sb strings.Builder
	sb.Grow(len(s))
	changed := false
	i := 0
	for i < len(s) {
		// Copy separators (white space) through unchanged.
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsSpace(r) {
				break
			}
			j += n
		}
		sb.WriteString(s[i:j])
		k := j
		for k < len(s) {
			r, n := utf8.DecodeRuneInString(s[k:])
			if unicode.IsSpace(r) {
				break
			}
			k += n
		}
		w := s[j:k]
		up, low := asciiCase(w)
		if low == 0 && up > 0 && hasLowerNonASCII(w) && (up >= 2 || cellUpper && legacyWords >= 2) {
			sb.WriteString(strings.ToUpper(w))
			changed = true
		} else {
			sb.WriteString(w)
		}
		i = k
	}
	if !changed {
		return s
	}
	return sb.String()
}

// asciiCase counts the ASCII capitals and small letters of w.
func asciiCase(w string) (upper, lower int) {
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c >= 'A' && c <= 'Z':
			upper++
		case c >= 'a' && c <= 'z':
			lower++
		}
	}
	return upper, lower
}

func hasLowerNonASCII(w string) bool {
	for _, r := range w {
		if r >= utf8.RuneSelf && unicode.IsLower(r) {
			return true
		}
	}
	return false
}

// VNI marks: the byte after a base vowel that adds its marks. Upper-case
// forms are the lower-case byte minus 0x20, as in Latin-1.
const (
	markNone = iota
	markCirc // circumflex: â ê ô
	markBreve
)

type vniMark struct {
	shape int  // markCirc, markBreve or markNone
	tone  rune // combining tone mark, or 0
}

// vniMarkOf returns the marks VNI byte b adds to the vowel before it, and
// whether b is a mark byte at all.
func vniMarkOf(b byte) (vniMark, bool) {
	if b >= 0xC0 && b <= 0xDF {
		b += 0x20 // upper-case mark bytes mirror the lower-case ones
	}
	switch b {
	case 0xF9: // ù
		return vniMark{markNone, '\u0301'}, true
	case 0xF8: // ø
		return vniMark{markNone, '\u0300'}, true
	case 0xFB: // û
		return vniMark{markNone, '\u0309'}, true
	case 0xF5: // õ
		return vniMark{markNone, '\u0303'}, true
	case 0xEF: // ï
		return vniMark{markNone, '\u0323'}, true
	case 0xE2: // â
		return vniMark{markCirc, 0}, true
	case 0xE1: // á
		return vniMark{markCirc, '\u0301'}, true
	case 0xE0: // à
		return vniMark{markCirc, '\u0300'}, true
	case 0xE5: // å
		return vniMark{markCirc, '\u0309'}, true
	case 0xE3: // ã
		return vniMark{markCirc, '\u0303'}, true
	case 0xE4: // ä
		return vniMark{markCirc, '\u0323'}, true
	case 0xEA: // ê
		return vniMark{markBreve, 0}, true
	case 0xE9: // é
		return vniMark{markBreve, '\u0301'}, true
	case 0xE8: // è
		return vniMark{markBreve, '\u0300'}, true
	case 0xFA: // ú
		return vniMark{markBreve, '\u0309'}, true
	case 0xFC: // ü
		return vniMark{markBreve, '\u0303'}, true
	case 0xEB: // ë
		return vniMark{markBreve, '\u0323'}, true
	}
	return vniMark{}, false
}

// vniLetter returns the letter a VNI byte stands for on its own: ơ ư đ and
// the i and y forms that have a byte of their own.
func vniLetter(b byte) rune {
	switch b {
	case 0xF4:
		return 'ơ'
	case 0xD4:
		return 'Ơ'
	case 0xF6:
		return 'ư'
	case 0xD6:
		return 'Ư'
	case 0xF1:
		return 'đ'
	case 0xD1:
		return 'Đ'
	case 0xEC:
		return 'ì'
	case 0xCC:
		return 'Ì'
	case 0xED:
		return 'í'
	case 0xCD:
		return 'Í'
	case 0xE6:
		return 'ỉ'
	case 0xC6:
		return 'Ỉ'
	case 0xF3:
		return 'ĩ'
	case 0xD3:
		return 'Ĩ'
	case 0xF2:
		return 'ị'
	case 0xD2:
		return 'Ị'
	case 0xEE:
		return 'ỵ'
	case 0xCE:
		return 'Ỵ'
	}
	return 0
}

// decodeVNI converts VNI bytes to NFC text. It fails on a byte VNI does not
// use and on a mark that does not fit the letter before it (a circumflex on
// u, a tone on a consonant).
func decodeVNI(b []byte) (string, bool) {
	var sb strings.Builder
	sb.Grow(len(b) * 2)
	var (
		base   rune // the vowel the next mark byte may apply to, or 0
		shaped bool // base already carries a circumflex or breve
		toned  bool // base already carries a tone
	)
	for _, c := range b {
		if c < 0x80 {
			sb.WriteByte(c)
			base, shaped, toned = vniBase(rune(c)), false, false
			continue
		}
		if m, ok := vniMarkOf(c); ok {
			if base == 0 || toned || m.shape != markNone && shaped {
				return "", false
			}
			lower := unicode.ToLower(base)
			switch m.shape {
			case markCirc:
				if lower != 'a' && lower != 'e' && lower != 'o' {
					return "", false
				}
				sb.WriteRune('\u0302')
				shaped = true
			case markBreve:
				if lower != 'a' {
					return "", false
				}
				sb.WriteRune('\u0306')
				shaped = true
			}
			if m.tone != 0 {
				sb.WriteRune(m.tone)
				toned = true
			}
			continue
		}
		r := vniLetter(c)
		if r == 0 {
			return "", false
		}
		sb.WriteRune(r)
		switch r {
		case 'ơ', 'Ơ', 'ư', 'Ư':
			base, shaped, toned = r, true, false
		default:
			// đ, and i / y forms that already carry their tone.
			base, shaped, toned = 0, false, false
		}
	}
	return norm.NFC.String(sb.String()), true
}

// vniBase returns r when it is an ASCII vowel a VNI mark may follow, else 0.
func vniBase(r rune) rune {
	switch unicode.ToLower(r) {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return r
	}
	return 0
}

// decodeWindows1258 converts Windows-1258 bytes to NFC text.
func decodeWindows1258(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) * 2)
	for _, c := range b {
		sb.WriteRune(charmap.Windows1258.DecodeByte(c))
	}
	return norm.NFC.String(sb.String())
}

// decodeWindows1252 reads bytes as Western European text: the reading a
// non-UTF-8 file would get if it were not Vietnamese.
func decodeWindows1252(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) * 2)
	for _, c := range b {
		sb.WriteRune(charmap.Windows1252.DecodeByte(c))
	}
	return norm.NFC.String(sb.String())
}

// ansiBytes recovers the bytes legacy text was typed as from the Unicode a
// spreadsheet stores. Excel converted the keyboard's bytes with the ANSI
// code page of the machine, usually Windows-1252 (Western), sometimes
// Windows-1258 (Vietnamese); C1 controls stand for themselves. It fails on
// a character the code page cannot produce, which proves the text is real
// Unicode.
func ansiBytes(s string, cp *charmap.Charmap) ([]byte, bool) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			out = append(out, byte(r))
		case r >= 0x80 && r <= 0x9F:
			out = append(out, byte(r))
		default:
			b, ok := cp.EncodeRune(r)
			if !ok {
				return nil, false
			}
			out = append(out, b)
		}
	}
	return out, true
}

// itoa formats small integers without fmt, for String methods.
func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
