package tabular

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Vietnamese syllable plausibility, the test that tells real text from the
// same bytes read in the wrong encoding. A syllable is
//
//	[initial consonant] vowel cluster [final consonant]
//
// with at most one tone mark, and obeys the spelling rules of the Quốc ngữ:
// k/gh/ngh only before i e ê (y), c/g/ng never before them, the finals
// ch/nh only after a ê i y oa uê uy, the stop finals c ch p t only with the
// acute or dot-below tone, and vowel clusters from a closed list. Written
// Vietnamese separates syllables by spaces, so one word is one syllable.
// Capitalisation must be lower, Title or UPPER case.

// maxSyllableBytes bounds the words examined: no syllable is longer.
const maxSyllableBytes = 32

// plausibleWord reports whether w (NFC) reads as one Vietnamese syllable.
func plausibleWord(w string) bool {
	if w == "" || len(w) > maxSyllableBytes {
		return false
	}
	upper, letters, firstUpper := 0, 0, false
	for i, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
		letters++
		if unicode.IsUpper(r) {
			upper++
			if i == 0 {
				firstUpper = true
			}
		}
	}
	if upper > 0 && upper != letters && !(upper == 1 && firstUpper) {
		return false // "NguyÔn": a capital inside a word
	}
	var (
		plain strings.Builder // the word without its tone, lower case
		tone  rune
	)
	for _, r := range strings.ToLower(w) {
		b, t, ok := untone(r)
		if !ok {
			return false
		}
		if t != 0 {
			if tone != 0 {
				return false // two tones
			}
			tone = t
		}
		plain.WriteRune(b)
	}
	return plausibleSyllable(plain.String(), tone)
}

// untone splits a lower-case letter into its toneless letter and its tone
// mark (0 for none). ok is false for a letter outside the Vietnamese
// alphabet (f j w z, or Latin letters such as ü ç ñ).
func untone(r rune) (base, tone rune, ok bool) {
	if r < utf8.RuneSelf {
		if r >= 'a' && r <= 'z' && r != 'f' && r != 'j' && r != 'w' && r != 'z' {
			return r, 0, true
		}
		return 0, 0, false
	}
	if r == 'đ' {
		return r, 0, true
	}
	d := norm.NFD.String(string(r))
	var rest strings.Builder
	for i, m := range d {
		if i == 0 {
			rest.WriteRune(m)
			continue
		}
		switch m {
		case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
			if tone != 0 {
				return 0, 0, false
			}
			tone = m
		case '\u0302', '\u0306', '\u031B':
			rest.WriteRune(m)
		default:
			return 0, 0, false
		}
	}
	b := norm.NFC.String(rest.String())
	base, n := utf8.DecodeRuneInString(b)
	if n != len(b) {
		return 0, 0, false
	}
	switch base {
	case 'a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y':
		return base, tone, true
	}
	return 0, 0, false
}

func isVowel(r rune) bool {
	switch r {
	case 'a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y':
		return true
	}
	return false
}

// initials lists the initial consonants, longest first so that the first
// match is the right one.
func initialOf(s string) string {
	for _, in := range [...]string{"ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
		"b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x"} {
		if strings.HasPrefix(s, in) {
			return in
		}
	}
	return ""
}

// plausibleSyllable checks a toneless lower-case syllable and its tone.
func plausibleSyllable(s string, tone rune) bool {
	initial := initialOf(s)
	rest := s[len(initial):]
	first, _ := utf8.DecodeRuneInString(rest)
	if initial == "gi" && !isVowel(first) {
		// "gì", "gìn": the i of gi is the vowel.
		initial, rest = "g-", "i"+rest
		first = 'i'
	}
	if !isVowel(first) {
		return false
	}
	end := 0
	for i, r := range rest {
		if !isVowel(r) {
			break
		}
		end = i + utf8.RuneLen(r)
	}
	cluster, final := rest[:end], rest[end:]

	front := first == 'i' || first == 'e' || first == 'ê' || first == 'y'
	switch initial {
	case "k":
		if !front {
			return false
		}
	case "c", "g", "ng":
		if front {
			return false
		}
	case "gh", "ngh":
		if !front || first == 'y' {
			return false
		}
	}
	if initial == "qu" && first == 'u' {
		return false
	}
	if cluster := rest; strings.HasPrefix(cluster, "y") && !strings.HasPrefix(cluster, "yê") {
		// y alone as the vowel follows only these initials ("kỳ", "lý",
		// "Mỹ", "Quỳnh", "Thy"); after the others it is written i.
		switch initial {
		case "", "h", "k", "l", "m", "n", "s", "t", "th", "v", "qu":
		default:
			return false
		}
	}

	switch final {
	case "":
	case "c", "m", "n", "ng", "p", "t":
	case "ch", "nh":
		switch cluster {
		case "a", "ê", "i", "y", "oa", "uê", "uy":
		default:
			return false
		}
	default:
		return false
	}
	switch final {
	case "c", "ch", "p", "t":
		if tone != '\u0301' && tone != '\u0323' {
			return false
		}
	}

	switch cluster {
	case "a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "oe", "uê", "uy":
		return true // with or without a final
	case "ă", "â", "iê", "yê", "uô", "ươ", "uâ", "oă", "uyê", "oo":
		return final != ""
	case "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ui", "ưi", "ưu",
		"iêu", "oai", "oay", "oeo", "uây", "uôi", "ươi", "ươu", "yêu", "uya", "uyu", "ưa", "ua", "uơ":
		return final == ""
	}
	return false
}
