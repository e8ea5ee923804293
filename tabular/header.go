package tabular

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// HeaderMatcher maps a column heading to the caller's field name. It gets
// the heading as NFC text with surrounding space removed (callers usually
// compare FoldHeader of it). It returns ok=false for a heading it does not
// know, and ok=true with field "" for a column to ignore, such as "STT".
type HeaderMatcher func(header string) (field string, ok bool)

// FoldHeader reduces a heading to lower-case ASCII words joined by "_", so
// that headings compare regardless of case, diacritics and punctuation:
// "Họ và tên" becomes "ho_va_ten", "Sở GD&ĐT" "so_gd_dt", "Giữa kỳ (HK1)"
// "giua_ky_hk1".
func FoldHeader(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if r == 'đ' || r == 'Đ' {
			r = 'd'
		}
		r = unicode.ToLower(r)
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			gap = false
			b.WriteRune(r)
			continue
		}
		gap = true
	}
	return b.String()
}

// ColumnLetter returns the spreadsheet name of the column with 0-based
// index i: 0 is "A", 25 "Z", 26 "AA".
func ColumnLetter(i int) string {
	if i < 0 {
		return ""
	}
	var buf [8]byte
	n := len(buf)
	for i++; i > 0; i = (i - 1) / 26 {
		n--
		buf[n] = byte('A' + (i-1)%26)
	}
	return string(buf[n:])
}
