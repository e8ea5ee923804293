package verify

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
)

// rawByteRange is a /ByteRange found by scanning the bytes of the file,
// independently of the PDF parser.
type rawByteRange struct {
	offset int     // of the "/ByteRange" name
	values []int64 // nil when problem is set
	// problem says why the entry could not be read as "[a b c d]".
	problem string
}

// maxRawByteRanges bounds the scan; a document with more /ByteRange names
// than this has more than maxSignatures signatures anyway.
const maxRawByteRanges = 4 * maxSignatures

// scanByteRanges finds every "/ByteRange" name in the file and reads the
// array after it: "[" four non-negative integers "]", separated by white
// space. It does not understand PDF objects: a /ByteRange anywhere — in a
// stream, a string, an old revision — is found, and must then match a
// signature field, so any disagreement with the parser fails the document.
func scanByteRanges(data []byte) []rawByteRange {
	var out []rawByteRange
	key := []byte("/ByteRange")
	from := 0
	for len(out) < maxRawByteRanges {
		i := bytes.Index(data[from:], key)
		if i < 0 {
			break
		}
		at := from + i
		from = at + len(key)
		if from < len(data) && !isPDFSpace(data[from]) && !isPDFDelim(data[from]) {
			continue // a longer name, such as /ByteRanges
		}
		r := rawByteRange{offset: at}
		r.values, r.problem = readRawArray(data, from)
		out = append(out, r)
	}
	return out
}

// readRawArray reads "[a b c d]" at p, allowing white space only.
func readRawArray(data []byte, p int) ([]int64, string) {
	skip := func() {
		for p < len(data) && isPDFSpace(data[p]) {
			p++
		}
	}
	skip()
	if p >= len(data) || data[p] != '[' {
		return nil, "no array after /ByteRange"
	}
	p++
	var vals []int64
	for {
		skip()
		if p >= len(data) {
			return nil, "unterminated /ByteRange array"
		}
		if data[p] == ']' {
			break
		}
		start := p
		var n int64
		for p < len(data) && data[p] >= '0' && data[p] <= '9' {
			if p-start >= 15 {
				return nil, "/ByteRange value too large"
			}
			n = n*10 + int64(data[p]-'0')
			p++
		}
		if p == start {
			return nil, "/ByteRange holds something other than non-negative integers"
		}
		if p < len(data) && !isPDFSpace(data[p]) && data[p] != ']' {
			return nil, "/ByteRange holds something other than non-negative integers"
		}
		vals = append(vals, n)
		if len(vals) > 4 {
			return nil, "/ByteRange has more than 4 entries"
		}
	}
	if len(vals) != 4 {
		return nil, fmt.Sprintf("/ByteRange has %d entries, want 4", len(vals))
	}
	return vals, ""
}

// byteRange is a checked /ByteRange: the signed bytes are
// data[0:gapStart] and data[gapEnd:end].
type byteRange struct {
	gapStart, gapEnd, end int
}

// checkByteRange applies the rules for a /ByteRange [0 a b c] of a file of
// len(data) bytes: four non-negative integers, the first 0, the first range
// ending exactly at the "<" of a hex string and the second starting right
// after its ">", nothing but hex digits between, both within the file.
func checkByteRange(data []byte, br []int64) (byteRange, string) {
	if len(br) != 4 {
		return byteRange{}, fmt.Sprintf("%d entries, want 4", len(br))
	}
	for _, v := range br {
		if v < 0 {
			return byteRange{}, "negative entry"
		}
	}
	size := int64(len(data))
	switch {
	case br[0] != 0:
		return byteRange{}, fmt.Sprintf("the signed range starts at %d, not at the start of the file", br[0])
	case br[1] > size || br[2] > size || br[3] > size-br[2]:
		return byteRange{}, "the signed range extends beyond the end of the file"
	case br[2] < br[1]+2:
		return byteRange{}, "the two signed parts overlap or leave no room for the signature"
	}
	r := byteRange{gapStart: int(br[1]), gapEnd: int(br[2]), end: int(br[2] + br[3])}
	gap := data[r.gapStart:r.gapEnd]
	if gap[0] != '<' || gap[len(gap)-1] != '>' {
		return byteRange{}, "the unsigned gap is not exactly the <hex> signature string"
	}
	inner := gap[1 : len(gap)-1]
	if len(inner)%2 != 0 {
		return byteRange{}, "the signature hex string has an odd number of digits"
	}
	for _, c := range inner {
		if hexVal(c) < 0 {
			return byteRange{}, "the unsigned gap holds something other than hex digits"
		}
	}
	return r, ""
}

// checkGapContents checks that the gap holds the /Contents entry of the
// signature dictionary the parser read: the key /Contents right before it,
// and the same bytes.
func checkGapContents(data []byte, r byteRange, contents []byte) string {
	p := r.gapStart
	for p > 0 && isPDFSpace(data[p-1]) {
		p--
	}
	if !bytes.HasSuffix(data[:p], []byte("/Contents")) {
		return "the unsigned gap is not the value of /Contents"
	}
	inner := data[r.gapStart+1 : r.gapEnd-1]
	if len(inner) != 2*len(contents) {
		return "the unsigned gap differs from the /Contents the PDF parser read"
	}
	decoded := make([]byte, len(contents))
	if _, err := hex.Decode(decoded, inner); err != nil || !bytes.Equal(decoded, contents) {
		return "the unsigned gap differs from the /Contents the PDF parser read"
	}
	return ""
}

// compareDiscovery checks that the parser's signature fields and the raw
// scan found the same signatures: the same number, the same byte ranges,
// none twice.
func compareDiscovery(fields []sigField, raws []rawByteRange) string {
	for _, r := range raws {
		if r.problem != "" {
			return fmt.Sprintf("unreadable /ByteRange at offset %d: %s", r.offset, r.problem)
		}
	}
	if len(raws) != len(fields) {
		return fmt.Sprintf("the form lists %d signatures, the file holds %d /ByteRange entries", len(fields), len(raws))
	}
	key := func(v []int64) string { return fmt.Sprint(v) }
	var fromFields, fromScan []string
	for _, f := range fields {
		if f.byteRange == nil {
			return "signature field " + quote(f.name) + ": " + f.problem
		}
		fromFields = append(fromFields, key(f.byteRange))
	}
	for _, r := range raws {
		fromScan = append(fromScan, key(r.values))
	}
	slices.Sort(fromFields)
	slices.Sort(fromScan)
	for i := range fromFields {
		if i > 0 && fromFields[i] == fromFields[i-1] {
			return "two signatures share the byte range " + fromFields[i]
		}
		if fromFields[i] != fromScan[i] {
			return "the byte ranges in the form differ from those in the file"
		}
	}
	return ""
}
