package pdf

import (
	"errors"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// This file encodes QR codes (ISO/IEC 18004) as a grid of modules. It
// replaces boombuler/barcode's encoder, which builds each of the eight mask
// candidates through channels and goroutines, one module at a time, and so
// took longer than the rest of a diploma (about 2.5 ms for a verification
// URL). It makes the same choices as that encoder, so a given content and
// level give the same symbol: one segment in the narrowest mode that holds
// the whole content (numeric, alphanumeric, else bytes, without an ECI
// header), the smallest version that fits, and the mask with the lowest
// penalty under the four rules of ISO/IEC 18004 §7.8.3 as that encoder
// scores them (the first mask on a tie). TestQREncoderMatchesBoombuler
// keeps it so.

// qrSymbol is an encoded QR symbol without its quiet zone.
type qrSymbol struct {
	size int
	dark []bool // size*size modules, row by row
}

func (s *qrSymbol) at(x, y int) bool { return s.dark[y*s.size+x] }

// qrECCPerBlock and qrBlocks are the error correction codewords per block
// and the number of blocks, by level (L, M, Q, H) and version (ISO/IEC
// 18004, Table 9); index 0 is unused.
var (
	qrECCPerBlock = [4][41]int8{
		{0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
		{0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28},
		{0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
		{0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
	}
	qrBlocks = [4][41]int8{
		{0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25},
		{0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49},
		{0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68},
		{0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81},
	}
)

// qrRow is the row of a level in the tables above, and its two format bits.
func (l QRLevel) qrRow() (row int, formatBits uint, ok bool) {
	switch l {
	case QRLevelL:
		return 0, 1, true
	case QRLevelM:
		return 1, 0, true
	case QRLevelQ:
		return 2, 3, true
	case QRLevelH:
		return 3, 2, true
	}
	return 0, 0, false
}

// qrRawModules is the number of modules of a version that carry data and
// error correction: all but the function patterns and the format and
// version information.
func qrRawModules(v int) int {
	n := (16*v+128)*v + 64
	if v >= 2 {
		align := v/7 + 2
		n -= (25*align-10)*align - 55
		if v >= 7 {
			n -= 36
		}
	}
	return n
}

// qrDataCodewords is the number of data codewords of a version and level.
func qrDataCodewords(v, row int) int {
	return qrRawModules(v)/8 - int(qrECCPerBlock[row][v])*int(qrBlocks[row][v])
}

// QR segment modes (mode indicator values).
const (
	qrNumeric      = 1
	qrAlphanumeric = 2
	qrByte         = 4
)

const qrAlphanumericSet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// qrCountBits is the width of a segment's character count.
func qrCountBits(mode, v int) int {
	class := 0 // versions 1–9
	if v >= 27 {
		class = 2
	} else if v >= 10 {
		class = 1
	}
	switch mode {
	case qrNumeric:
		return [3]int{10, 12, 14}[class]
	case qrAlphanumeric:
		return [3]int{9, 11, 13}[class]
	}
	return [3]int{8, 16, 16}[class]
}

var errQRTooLong = errors.New("too much data for a QR code")

// bitBuffer accumulates bits, most significant first.
type bitBuffer struct {
	b []byte
	n int // bits
}

func (w *bitBuffer) put(v uint, bits int) {
	for i := bits - 1; i >= 0; i-- {
		if w.n%8 == 0 {
			w.b = append(w.b, 0)
		}
		if v>>uint(i)&1 != 0 {
			w.b[w.n/8] |= 0x80 >> uint(w.n%8)
		}
		w.n++
	}
}

// qrEncode encodes content as a QR symbol at level l.
func qrEncode(content string, l QRLevel) (*qrSymbol, error) {
	row, fmtBits, ok := l.qrRow()
	if !ok {
		return nil, errors.New("unknown error correction level")
	}
	mode := qrNumeric
	for i := 0; i < len(content); i++ {
		c := content[i]
		if mode == qrNumeric && (c < '0' || c > '9') {
			mode = qrAlphanumeric
		}
		if mode == qrAlphanumeric && strings.IndexByte(qrAlphanumericSet, c) < 0 {
			mode = qrByte
			break
		}
	}
	n := len(content)
	var dataBits int
	switch mode {
	case qrNumeric:
		dataBits = n/3*10 + [3]int{0, 4, 7}[n%3]
	case qrAlphanumeric:
		dataBits = n/2*11 + 6*(n%2)
	default:
		dataBits = 8 * n
	}
	v := 1
	for ; v <= 40; v++ {
		if 4+qrCountBits(mode, v)+dataBits <= 8*qrDataCodewords(v, row) {
			break
		}
	}
	if v > 40 {
		return nil, errQRTooLong
	}

	capacity := qrDataCodewords(v, row)
	w := bitBuffer{b: make([]byte, 0, capacity)}
	w.put(uint(mode), 4)
	w.put(uint(n), qrCountBits(mode, v))
	switch mode {
	case qrNumeric:
		for i := 0; i < n; i += 3 {
			k := min(3, n-i)
			d := 0
			for _, c := range []byte(content[i : i+k]) {
				d = d*10 + int(c-'0')
			}
			w.put(uint(d), [4]int{0, 4, 7, 10}[k])
		}
	case qrAlphanumeric:
		for i := 0; i+1 < n; i += 2 {
			w.put(uint(strings.IndexByte(qrAlphanumericSet, content[i])*45+strings.IndexByte(qrAlphanumericSet, content[i+1])), 11)
		}
		if n%2 == 1 {
			w.put(uint(strings.IndexByte(qrAlphanumericSet, content[n-1])), 6)
		}
	default:
		for i := 0; i < n; i++ {
			w.put(uint(content[i]), 8)
		}
	}
	// Terminator (up to four zero bits), zero bits to a byte boundary,
	// then alternating pad codewords.
	w.put(0, min(4, 8*capacity-w.n))
	w.put(0, (8-w.n%8)%8)
	for pad := uint(0xEC); len(w.b) < capacity; pad ^= 0xEC ^ 0x11 {
		w.put(pad, 8)
	}

	codewords := qrInterleave(w.b, v, row)
	s := &qrSymbol{size: 4*v + 17}
	s.dark = make([]bool, s.size*s.size)
	function := make([]bool, s.size*s.size)
	s.drawFunctionPatterns(function, v)
	s.placeData(function, codewords)

	// Try the eight masks; keep the one with the lowest penalty (the
	// first of equals).
	best, bestPenalty := 0, math.MaxInt
	var words *qrWords
	if s.size <= 64 {
		words = s.words(function)
	}
	for mask := range 8 {
		var p int
		if words != nil {
			p = words.maskPenalty(mask, fmtBits<<3|uint(mask))
		} else {
			trial := &qrSymbol{size: s.size, dark: slices.Clone(s.dark)}
			trial.applyMask(function, mask)
			trial.drawFormat(fmtBits<<3 | uint(mask))
			p = trial.penalty()
		}
		if p < bestPenalty {
			best, bestPenalty = mask, p
		}
	}
	s.applyMask(function, best)
	s.drawFormat(fmtBits<<3 | uint(best))
	return s, nil
}

// qrInterleave splits the data codewords into blocks, computes each
// block's error correction codewords and interleaves them (ISO/IEC 18004
// §7.6).
func qrInterleave(data []byte, v, row int) []byte {
	blocks := int(qrBlocks[row][v])
	ecc := int(qrECCPerBlock[row][v])
	raw := qrRawModules(v) / 8
	short := blocks - raw%blocks // blocks with one data codeword less
	shortData := raw/blocks - ecc
	field := newGF()
	gen := field.rsGenerator(ecc)

	type block struct{ data, ecc []byte }
	bl := make([]block, blocks)
	p := 0
	for i := range bl {
		k := shortData
		if i >= short {
			k++
		}
		bl[i] = block{data: data[p : p+k], ecc: field.rsRemainder(data[p:p+k], gen)}
		p += k
	}
	out := make([]byte, 0, raw)
	for i := 0; i <= shortData; i++ {
		for _, b := range bl {
			if i < len(b.data) {
				out = append(out, b.data[i])
			}
		}
	}
	for i := range ecc {
		for _, b := range bl {
			out = append(out, b.ecc[i])
		}
	}
	return out
}

// gf holds the exponent and logarithm tables of GF(2^8) modulo
// x^8 + x^4 + x^3 + x^2 + 1, the field of QR codes' Reed–Solomon codes.
type gf struct {
	exp [510]byte // α^i, twice over, so that exp[log a + log b] needs no modulo
	log [256]byte
}

func newGF() *gf {
	g := new(gf)
	x := 1
	for i := range 255 {
		g.exp[i], g.exp[i+255] = byte(x), byte(x)
		g.log[x] = byte(i)
		x <<= 1
		if x&0x100 != 0 {
			x ^= 0x11D
		}
	}
	return g
}

func (g *gf) mul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return g.exp[int(g.log[a])+int(g.log[b])]
}

// rsGenerator returns the Reed–Solomon generator polynomial of the given
// degree, (x − α^0)(x − α^1)…, highest coefficient (1) omitted, highest
// first.
func (g *gf) rsGenerator(degree int) []byte {
	p := make([]byte, degree)
	p[degree-1] = 1 // the polynomial 1
	for i := range degree {
		// Multiply by (x − α^i).
		root := g.exp[i]
		for j := range p {
			p[j] = g.mul(p[j], root)
			if j+1 < len(p) {
				p[j] ^= p[j+1]
			}
		}
	}
	return p
}

// rsRemainder returns the error correction codewords of data.
func (g *gf) rsRemainder(data, gen []byte) []byte {
	r := make([]byte, len(gen))
	for _, d := range data {
		f := d ^ r[0]
		copy(r, r[1:])
		r[len(r)-1] = 0
		for j, c := range gen {
			r[j] ^= g.mul(c, f)
		}
	}
	return r
}

// qrAlignment returns the centre coordinates of a version's alignment
// patterns (ISO/IEC 18004, Annex E).
func qrAlignment(v int) []int {
	if v == 1 {
		return nil
	}
	n := v/7 + 2
	step := 26
	if v != 32 {
		step = (4*v + 2*n + 1) / (2*n - 2) * 2
	}
	out := make([]int, n)
	out[0] = 6
	for i, pos := n-1, 4*v+10; i >= 1; i, pos = i-1, pos-step {
		out[i] = pos
	}
	return out
}

// drawFunctionPatterns draws the finder patterns with their separators,
// the timing patterns, the alignment patterns, the dark module and the
// version information, and marks them and the format information area in
// function.
func (s *qrSymbol) drawFunctionPatterns(function []bool, v int) {
	set := func(x, y int, dark bool) {
		s.dark[y*s.size+x] = dark
		function[y*s.size+x] = true
	}
	for _, o := range [][2]int{{0, 0}, {s.size - 7, 0}, {0, s.size - 7}} {
		for dy := -1; dy <= 7; dy++ {
			for dx := -1; dx <= 7; dx++ {
				x, y := o[0]+dx, o[1]+dy
				if x < 0 || y < 0 || x >= s.size || y >= s.size {
					continue
				}
				ring := max(abs(dx-3), abs(dy-3)) // 0 centre … 4 separator
				set(x, y, ring != 2 && ring != 4)
			}
		}
	}
	align := qrAlignment(v)
	for i, cx := range align {
		for j, cy := range align {
			if i == 0 && j == 0 || i == 0 && j == len(align)-1 || i == len(align)-1 && j == 0 {
				continue // under a finder pattern
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					set(cx+dx, cy+dy, max(abs(dx), abs(dy)) != 1)
				}
			}
		}
	}
	for i := 0; i < s.size; i++ {
		if !function[6*s.size+i] {
			set(i, 6, i%2 == 0)
		}
		if !function[i*s.size+6] {
			set(6, i, i%2 == 0)
		}
	}
	set(8, s.size-8, true)
	// Reserve the format information; drawFormat writes it.
	for i := 0; i < 9; i++ {
		function[8*s.size+i] = true
		function[i*s.size+8] = true
	}
	for i := 0; i < 8; i++ {
		function[8*s.size+s.size-1-i] = true
		function[(s.size-1-i)*s.size+8] = true
	}
	if v >= 7 {
		bits := uint(v)
		rem := bits
		for range 12 {
			rem = rem<<1 ^ (rem>>11)*0x1F25
		}
		bits = bits<<12 | rem
		for i := range 18 {
			a, b := s.size-11+i%3, i/3
			dark := bits>>uint(i)&1 != 0
			set(a, b, dark)
			set(b, a, dark)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// placeData writes the codewords into the modules that are not function
// modules, in the zigzag order of ISO/IEC 18004 §7.7.3: two-module columns
// from the right, alternately upwards and downwards, skipping the vertical
// timing pattern. Remainder modules stay light.
func (s *qrSymbol) placeData(function []bool, codewords []byte) {
	bit := 0
	up := true
	for right := s.size - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		for k := 0; k < s.size; k++ {
			y := k
			if up {
				y = s.size - 1 - k
			}
			for _, x := range [2]int{right, right - 1} {
				i := y*s.size + x
				if function[i] {
					continue
				}
				if bit < 8*len(codewords) {
					s.dark[i] = codewords[bit/8]>>uint(7-bit%8)&1 != 0
				}
				bit++
			}
		}
		up = !up
	}
}

// masked reports whether mask inverts the module in column x, row y.
func masked(mask, x, y int) bool {
	switch mask {
	case 0:
		return (x+y)%2 == 0
	case 1:
		return y%2 == 0
	case 2:
		return x%3 == 0
	case 3:
		return (x+y)%3 == 0
	case 4:
		return (y/2+x/3)%2 == 0
	case 5:
		return x*y%2+x*y%3 == 0
	case 6:
		return (x*y%2+x*y%3)%2 == 0
	}
	return ((x+y)%2+x*y%3)%2 == 0
}

// applyMask inverts the data modules selected by mask.
func (s *qrSymbol) applyMask(function []bool, mask int) {
	for y := 0; y < s.size; y++ {
		for x := 0; x < s.size; x++ {
			if i := y*s.size + x; !function[i] && masked(mask, x, y) {
				s.dark[i] = !s.dark[i]
			}
		}
	}
}

// formatModules calls set for each module of the format information for
// the five bits data (level and mask): a BCH(15,5) code masked with
// 101010000010010, in its two places.
func formatModules(size int, data uint, set func(x, y int, dark bool)) {
	rem := data
	for range 10 {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	bits := (data<<10 | rem) ^ 0x5412
	put := func(x, y, i int) { set(x, y, bits>>uint(i)&1 != 0) }
	for i := 0; i <= 5; i++ {
		put(8, i, i)
	}
	put(8, 7, 6)
	put(8, 8, 7)
	put(7, 8, 8)
	for i := 9; i < 15; i++ {
		put(14-i, 8, i)
	}
	for i := 0; i < 8; i++ {
		put(size-1-i, 8, i)
	}
	for i := 8; i < 15; i++ {
		put(8, size-15+i, i)
	}
}

// drawFormat writes the format information for data.
func (s *qrSymbol) drawFormat(data uint) {
	formatModules(s.size, data, func(x, y int, dark bool) { s.dark[y*s.size+x] = dark })
}

// qrWords is a symbol at most 64 modules wide, before masking and format
// information, as uint64 words (module i at bit i): its rows and columns,
// and its data modules (those a mask inverts) by row and by column.
type qrWords struct {
	n                  int
	rows, cols         [64]uint64
	dataRows, dataCols [64]uint64
}

func (s *qrSymbol) words(function []bool) *qrWords {
	n := s.size
	w := &qrWords{n: n}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			i := y*n + x
			if s.dark[i] {
				w.rows[y] |= 1 << uint(x)
				w.cols[x] |= 1 << uint(y)
			}
			if !function[i] {
				w.dataRows[y] |= 1 << uint(x)
				w.dataCols[x] |= 1 << uint(y)
			}
		}
	}
	return w
}

// maskPenalty returns the penalty of the symbol with mask and the format
// information for format applied: the same as penalty, faster. Every mask
// repeats every 12 modules along a row or a column, so its bits are
// computed for 12 modules and repeated.
func (w *qrWords) maskPenalty(mask int, format uint) int {
	n := w.n
	rows, cols := w.rows, w.cols
	dataRows, dataCols := &w.dataRows, &w.dataCols
	repeat := func(p uint64) uint64 { // a 12-bit period across the word
		return p | p<<12 | p<<24 | p<<36 | p<<48 | p<<60
	}
	// The mask along rows and columns k, k+12, k+24…, repeated.
	var alongRow, alongCol [12]uint64
	for k := range 12 {
		var r, c uint64
		for i := range 12 {
			if masked(mask, i, k) {
				r |= 1 << uint(i)
			}
			if masked(mask, k, i) {
				c |= 1 << uint(i)
			}
		}
		alongRow[k], alongCol[k] = repeat(r), repeat(c)
	}
	for k := 0; k < n; k++ {
		rows[k] ^= alongRow[k%12] & dataRows[k]
		cols[k] ^= alongCol[k%12] & dataCols[k]
	}
	formatModules(n, format, func(x, y int, dark bool) {
		if dark {
			rows[y] |= 1 << uint(x)
			cols[x] |= 1 << uint(y)
		} else {
			rows[y] &^= 1 << uint(x)
			cols[x] &^= 1 << uint(y)
		}
	})
	dark := 0
	for _, r := range rows[:n] {
		dark += bits.OnesCount64(r)
	}
	return darkPenalty(dark, n) + linePenaltyWords(rows[:n], cols[:n], n)
}

// penalty scores the symbol by the rules of ISO/IEC 18004 §7.8.3: runs of
// five or more modules of one colour in a row or column (3, and 1 for each
// module beyond five), 2×2 blocks of one colour (3 each), the finder-like
// pattern 1:1:3:1:1 with four light modules after or before it inside the
// symbol (40 each), and the deviation of the proportion of dark modules
// from one half (10 for each 5%). maskPenaltyWords computes the same for
// symbols up to 64 modules wide (versions 1 to 11, which hold
// verification URLs), faster.
func (s *qrSymbol) penalty() int {
	dark := 0
	for _, d := range s.dark {
		if d {
			dark++
		}
	}
	return darkPenalty(dark, s.size) + s.linePenaltyModules()
}

// darkPenalty scores the proportion of dark modules (rule 4).
func darkPenalty(dark, n int) int {
	percent := float64(dark) * 100 / float64(n*n)
	return 10 * int(min(math.Abs(math.Floor(percent/5)-10), math.Abs(math.Ceil(percent/5)-10)))
}

// qrFinderLike is 1:1:3:1:1 followed by four light modules, the first
// module the highest bit.
const qrFinderLike = 0b10111010000

// linePenaltyWords scores rules 1 to 3 on the rows and columns of a symbol
// n ≤ 64 modules wide, each a uint64 with module i at bit i.
func linePenaltyWords(rows, cols []uint64, n int) int {
	low := func(k int) uint64 { return 1<<uint(k) - 1 } // modules 0 to k-1; k < 64
	valid1, valid4, valid10 := low(n-1), low(n-4), low(n-10)
	p := 0
	for _, lines := range [2][]uint64{rows, cols} {
		for _, l := range lines {
			// Rule 1: e has bit i when modules i and i+1 match, r when
			// modules i to i+4 do. A run of m ≥ 5 modules sets m−4
			// consecutive bits of r and scores m−2.
			e := ^(l ^ l>>1) & valid1
			r := e & (e >> 1) & (e >> 2) & (e >> 3) & valid4
			p += bits.OnesCount64(r) + 2*bits.OnesCount64(r&^(r<<1))
			// Rule 3, read from module i: 10111010000 or 00001011101.
			after, before := valid10, valid10
			for k := range 11 {
				m := l >> uint(k)
				if qrFinderLike>>(10-k)&1 == 0 {
					after &^= m
				} else {
					after &= m
				}
				if qrFinderLike>>k&1 == 0 {
					before &^= m
				} else {
					before &= m
				}
			}
			p += 40 * (bits.OnesCount64(after) + bits.OnesCount64(before))
		}
	}
	// Rule 2: a 2×2 block at column i of rows y and y+1 when the two
	// modules of each row match and the rows match.
	for y := 0; y+1 < n; y++ {
		a, b := rows[y], rows[y+1]
		p += 3 * bits.OnesCount64(^(a^b) & ^(a^a>>1) & ^(b^b>>1) & valid1)
	}
	return p
}

// linePenaltyModules scores rules 1 to 3 module by module.
func (s *qrSymbol) linePenaltyModules() int {
	n := s.size
	p := 0
	// Rows, then columns: the runs, and the last eleven modules as bits
	// (the newest lowest) to find the finder-like pattern either way.
	for pass := range 2 {
		for k := 0; k < n; k++ {
			run := 0
			var prev bool
			var window uint
			for i := 0; i < n; i++ {
				var d bool
				if pass == 0 {
					d = s.dark[k*n+i]
				} else {
					d = s.dark[i*n+k]
				}
				if i > 0 && d == prev {
					run++
				} else {
					if run >= 5 {
						p += run - 2
					}
					run = 1
				}
				prev = d
				window = window << 1 & 0x7FF
				if d {
					window |= 1
				}
				if i >= 10 && (window == qrFinderLike || window == 0b00001011101) {
					p += 40
				}
			}
			if run >= 5 {
				p += run - 2
			}
		}
	}
	for y := 0; y+1 < n; y++ {
		for x := 0; x+1 < n; x++ {
			c := s.dark[y*n+x]
			if s.dark[y*n+x+1] == c && s.dark[(y+1)*n+x] == c && s.dark[(y+1)*n+x+1] == c {
				p += 3
			}
		}
	}
	return p
}
