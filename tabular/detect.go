package tabular

import (
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Detection of legacy Vietnamese text.
//
// Legacy text reaches kyso in two shapes:
//
//   - raw bytes, in a CSV file saved by pre-Unicode software: the file is not
//     UTF-8, and its bytes are TCVN3, VNI or Windows-1258;
//   - Unicode that only looks like Western text, in an .xlsx (or a UTF-8 CSV
//     exported from one): Excel stored the bytes the ABC or VNI keyboard
//     produced as the characters of the machine's ANSI code page, so
//     "Nguyễn" typed in TCVN3 is kept as "NguyÔn" and in VNI as "Nguyeãn".
//
// Each candidate reading (a codec) turns a word into Unicode; the reading
// under which the most words are plausible Vietnamese syllables wins,
// provided it clearly beats the text as it is (see evidence.decide). Only
// words with a non-ASCII character count: ASCII reads the same in every
// encoding.

// codec is one way of reading a string: an encoding, and for text read from
// Unicode the ANSI code page it went through (nil for raw bytes).
type codec struct {
	enc Encoding
	cp  *charmap.Charmap
}

// textCodecs are the readings of Unicode text that may hide legacy bytes.
func textCodecs() []codec {
	return []codec{
		{TCVN3, charmap.Windows1252},
		{TCVN3, charmap.Windows1258},
		{VNI, charmap.Windows1252},
		{VNI, charmap.Windows1258},
	}
}

// rawCodecs are the readings of bytes that are not UTF-8.
func rawCodecs() []codec {
	return []codec{{TCVN3, nil}, {VNI, nil}, {Windows1258, nil}}
}

// decode reads s with the codec; ok is false when s cannot be in it.
func (c codec) decode(s string) (string, bool) {
	b := []byte(s)
	if c.cp != nil {
		var ok bool
		if b, ok = ansiBytes(s, c.cp); !ok {
			return "", false
		}
	}
	switch c.enc {
	case TCVN3:
		return decodeTCVN3(b), true
	case VNI:
		return decodeVNI(b)
	case Windows1258:
		return decodeWindows1258(b), true
	}
	return norm.NFC.String(s), true
}

// asIs is the reading of s without any legacy encoding: the text itself, or
// for raw bytes the Western European reading, which is what a user sees
// when opening the file in a program that does not know its encoding.
func asIs(s string, raw bool) string {
	if raw {
		return decodeWindows1252([]byte(s))
	}
	return norm.NFC.String(s)
}

// isWordByte reports whether byte c belongs to a word: letters, bytes of
// non-ASCII characters, and the control bytes TCVN 5712 uses for letters.
// Everything else in ASCII (space, digits, punctuation) separates words, as
// does the no-break space (U+00A0, or byte A0 in every legacy encoding).
func isWordByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		return true
	case c >= utf8.RuneSelf:
		return true
	}
	return tcvn3Control(c) != 0
}

// hasLegacyByte reports whether s has a byte whose reading depends on the
// encoding: outside ASCII, or a TCVN 5712 control letter.
func hasLegacyByte(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || tcvn3Control(s[i]) != 0 {
			return true
		}
	}
	return false
}

// maxWordsPerText bounds the words examined in one cell.
const maxWordsPerText = 64

// forEachLegacyWord calls fn for each word of s with a byte outside
// printable ASCII, the only words whose reading depends on the encoding.
func forEachLegacyWord(s string, fn func(w string)) {
	n := 0
	for i := 0; i < len(s) && n < maxWordsPerText; {
		if !isWordByte(s[i]) || isNBSP(s, i) {
			i++
			continue
		}
		j, legacy := i, false
		for j < len(s) && isWordByte(s[j]) && !isNBSP(s, j) {
			if s[j] >= utf8.RuneSelf || s[j] < ' ' {
				legacy = true
			}
			j++
		}
		if legacy {
			fn(s[i:j])
			n++
		}
		if j == i {
			j++
		}
		i = j
	}
}

// isNBSP reports whether a no-break space starts at s[i]: the byte A0 on
// its own, or U+00A0 in UTF-8.
func isNBSP(s string, i int) bool {
	if s[i] == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0 {
		return true
	}
	return s[i] == 0xA0 && (i == 0 || s[i-1] != 0xC2)
}

// example is a word that shows a reading at work: the longest word found
// that is garbage as it stands and Vietnamese when read (the first of equal
// length), since a name such as "NguyÔn" is easier to recognise than "Hä".
type example struct {
	from, to string // as seen, and as read
	row, col int    // where: the row number and the 0-based column
}

// evidence counts, over some text, the words that read as Vietnamese as they
// are and under each codec.
type evidence struct {
	raw   bool
	words int
	asIs  int
	hits  []int
	ex    []example
}

// maxEvidenceWords bounds the words one evidence looks at.
const maxEvidenceWords = 4096

func newEvidence(raw bool, n int) *evidence {
	return &evidence{raw: raw, hits: make([]int, n), ex: make([]example, n)}
}

// add looks at the words of one text, found in row and column col.
func (e *evidence) add(s string, row, col int, codecs []codec) {
	forEachLegacyWord(s, func(w string) {
		if e.words >= maxEvidenceWords {
			return
		}
		e.words++
		seen := asIs(w, e.raw)
		if isMarkAbbreviation(seen) {
			// "Đ" / "CĐ" (Đạt / Chưa đạt) fill whole columns of
			// comment-graded subjects; they are not syllables, and in
			// TCVN3 they would read as plausible "é": never evidence.
			e.asIs++
			return
		}
		plain := plausibleWord(seen)
		if plain {
			e.asIs++
		}
		for i, c := range codecs {
			d, ok := c.decode(w)
			if !ok || !plausibleWord(d) {
				continue
			}
			e.hits[i]++
			if !plain && utf8.RuneCountInString(d) > utf8.RuneCountInString(e.ex[i].to) {
				e.ex[i] = example{from: seen, to: d, row: row, col: col}
			}
		}
	})
}

// isMarkAbbreviation reports the Unicode abbreviations of assessment
// results written in gradebooks and học bạ: Đ (Đạt), CĐ (Chưa đạt).
func isMarkAbbreviation(w string) bool {
	switch w {
	case "Đ", "CĐ", "đ", "cđ", "Cđ":
		return true
	}
	return false
}

// merge adds the counts of o, which must use the same codecs.
func (e *evidence) merge(o *evidence) {
	e.words += o.words
	e.asIs += o.asIs
	for i := range e.hits {
		e.hits[i] += o.hits[i]
		if utf8.RuneCountInString(o.ex[i].to) > utf8.RuneCountInString(e.ex[i].to) {
			e.ex[i] = o.ex[i]
		}
	}
}

// verdict is what evidence says about some text.
type verdict int

const (
	undecided verdict = iota // no word whose reading depends on the encoding
	plain                    // the text is what it looks like
	legacy                   // the text is in codec best
	ambiguous                // legacy, but two encodings fit equally well
)

// decide weighs the evidence. A legacy reading wins when at least 60% of the
// words are plausible under it and it beats the text as it is by at least
// one word and by a quarter of the words: garbage such as "NguyÔn" or
// "Vaên" is never a syllable, while real text reads as itself. Codecs for the
// same encoding through different code pages that tie are one answer (the
// first); different encodings that tie are ambiguous.
func (e *evidence) decide(codecs []codec) (verdict, int) {
	if e.words == 0 {
		return undecided, -1
	}
	best := -1
	for i := range codecs {
		if best < 0 || e.hits[i] > e.hits[best] {
			best = i
		}
	}
	margin := max(1, e.words/4)
	if best < 0 || e.hits[best] < e.asIs+margin || e.hits[best]*5 < e.words*3 {
		return plain, -1
	}
	for i := range codecs {
		if i != best && e.hits[i] == e.hits[best] && codecs[i].enc != codecs[best].enc {
			return ambiguous, best
		}
	}
	return legacy, best
}

// decideCell judges one cell on its own, more strictly: every word must
// read as Vietnamese in the legacy encoding, and fewer than half as they
// are.
func (e *evidence) decideCell(codecs []codec) (verdict, int) {
	v, best := e.decide(codecs)
	if v == legacy && (e.asIs*2 >= e.words || e.hits[best] != e.words) {
		return plain, -1
	}
	return v, best
}

// convertCell reads one cell of a column found to be in codec c. In text
// read from Unicode, a cell the codec cannot read (it has a letter such as
// ư or ạ that no ANSI code page produces) or that reads better as it is is
// kept: the column was partly converted already. So is a cell none of
// whose words reads as Vietnamese in the codec. Raw bytes the codec cannot
// read fail.
func convertCell(s string, c codec, raw bool) (string, bool) {
	d, ok := c.decode(s)
	if !ok {
		if raw {
			return "", false
		}
		// A character the code page cannot produce: real Unicode.
		return norm.NFC.String(s), true
	}
	if raw {
		return d, true
	}
	if d == s {
		return d, true
	}
	var asIsWords, decodedWords int
	forEachLegacyWord(s, func(w string) {
		if plausibleWord(norm.NFC.String(w)) {
			asIsWords++
		}
		if dw, ok := c.decode(w); ok && plausibleWord(dw) {
			decodedWords++
		}
	})
	if asIsWords > decodedWords || decodedWords == 0 {
		return norm.NFC.String(s), true
	}
	return d, true
}

// Detection is the result of DetectLegacy.
type Detection struct {
	// Encoding is the legacy encoding the texts are in, or Unicode when
	// they read as themselves or the evidence is not clear.
	Encoding Encoding
	// Ambiguous is set when the texts are not Unicode but fit two legacy
	// encodings equally well; Encoding is then one of them.
	Ambiguous bool
	// Words is the number of words examined (those with a non-ASCII
	// character); AsIs how many read as Vietnamese as they are, and
	// Plausible how many in Encoding.
	Words, AsIs, Plausible int
	// Example is a word as it appears, and Converted the same word read in
	// Encoding: the pair to show a user. Both may be personal data.
	Example, Converted string

	codec codec
	raw   bool
}

// DetectLegacy looks at texts from one column (or one file) and says
// whether they are in a legacy Vietnamese encoding. Texts that are valid
// UTF-8 are taken as Unicode that may carry TCVN3 or VNI bytes through an
// ANSI code page (how .xlsx files keep them); if any text is not valid
// UTF-8, all are taken as raw bytes in TCVN3, VNI or Windows-1258.
func DetectLegacy(texts []string) Detection {
	raw := false
	for _, t := range texts {
		if !utf8.ValidString(t) {
			raw = true
			break
		}
	}
	codecs := textCodecs()
	if raw {
		codecs = rawCodecs()
	}
	ev := newEvidence(raw, len(codecs))
	for _, t := range texts {
		ev.add(t, 0, 0, codecs)
	}
	d := Detection{Words: ev.words, AsIs: ev.asIs, raw: raw}
	v, best := ev.decide(codecs)
	if v == legacy || v == ambiguous {
		c := codecs[best]
		d.Encoding, d.codec, d.Ambiguous = c.enc, c, v == ambiguous
		d.Plausible = ev.hits[best]
		d.Example, d.Converted = ev.ex[best].from, ev.ex[best].to
	}
	return d
}

// Convert returns s read in the detected encoding, as NFC. For Unicode it is
// s normalised; ok is false when s is not valid UTF-8 there, or cannot be
// read in the detected encoding.
func (d Detection) Convert(s string) (string, bool) {
	if d.Encoding == Unicode {
		if !utf8.ValidString(s) {
			return "", false
		}
		return norm.NFC.String(s), true
	}
	return convertCell(s, d.codec, d.raw)
}
