package pdf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// This file reads a TrueType font once (NewRenderer calls it for each cut
// face) and then writes, for each document, a subset of it holding only the
// glyphs that document draws.
//
// Everything that does not depend on the document is read and checked
// once: the table directory, the glyph offsets, the metrics, and the
// components of every composite glyph (most accented Vietnamese letters are
// a base letter and one or two marks). For a document, subset puts the
// glyphs in the order the document numbers its characters (see embed.go),
// adds the components they need, copies their outlines with the component
// references renumbered, and writes new 'glyf', 'loca', 'hmtx', 'hhea',
// 'maxp' and 'head' tables beside the tables copied unchanged.

// errBadFont is returned for a font this file cannot read.
var errBadFont = errors.New("pdf: malformed TrueType font")

// sfnt is a TrueType font, read once and never written to afterwards.
type sfnt struct {
	numGlyphs  int
	unitsPerEm int
	glyf       []byte   // the 'glyf' table
	loca       []uint32 // numGlyphs+1 offsets into glyf
	metrics    []uint32 // per glyph: advance width << 16 | left side bearing
	components [][]component
	head       []byte // the 'head', 'hhea' and 'maxp' tables
	hhea       []byte
	maxp       []byte
	// fixed are the tables copied unchanged into every subset, in tag
	// order. In a subset their data comes first, right after the table
	// directory, as one block, fixedBlock (each table padded to four
	// bytes), so that the block can be compressed once (see
	// Renderer.deflateFont).
	fixed      []sfntTable
	fixedBlock []byte
}

// variableTables are the tables subset writes for each document, in tag
// order.
var variableTables = [...]string{"glyf", "head", "hhea", "hmtx", "loca", "maxp"}

// subsetDirLen is the length of a subset's offset table and table
// directory.
func (f *sfnt) subsetDirLen() int { return 12 + 16*(len(f.fixed)+len(variableTables)) }

// component is a reference of a composite glyph to another glyph: the
// glyph ID at byte at of the composite glyph's data.
type component struct{ at, gid uint16 }

type sfntTable struct {
	tag  string
	data []byte
	sum  uint32
}

// Tables that the subset copies unchanged when the font has them: the
// hinting program and its data, which a PDF consumer needs with the glyphs
// (ISO 32000-1 §9.9), the naming table (it carries the font's copyright
// and licence), and the PostScript and OS/2 tables. The character map
// ('cmap') is left out: in a PDF the CIDToGIDMap maps characters to
// glyphs. 'post' must not name glyphs (format 3), since glyphs are
// renumbered; fpdf's cut fonts have format 3.
var keptTables = []string{"OS/2", "cvt ", "fpgm", "gasp", "name", "post", "prep"}

// parseSFNT reads the tables of a TrueType font that subsetting needs.
func parseSFNT(ttf []byte) (*sfnt, error) {
	if len(ttf) < 12 {
		return nil, fmt.Errorf("%w: %d bytes", errBadFont, len(ttf))
	}
	if v := binary.BigEndian.Uint32(ttf); v != 0x00010000 && v != 0x74727565 { // 1.0 or 'true'
		return nil, fmt.Errorf("%w: not a TrueType outline font (version %#08x)", errBadFont, v)
	}
	n := int(binary.BigEndian.Uint16(ttf[4:]))
	if 12+16*n > len(ttf) {
		return nil, fmt.Errorf("%w: truncated table directory", errBadFont)
	}
	tables := make(map[string][]byte, n)
	for i := range n {
		rec := ttf[12+16*i:]
		off, length := uint64(binary.BigEndian.Uint32(rec[8:])), uint64(binary.BigEndian.Uint32(rec[12:]))
		if off+length > uint64(len(ttf)) {
			return nil, fmt.Errorf("%w: table %q outside the file", errBadFont, rec[:4])
		}
		tables[string(rec[:4])] = ttf[off : off+length]
	}
	for _, tag := range variableTables {
		if tables[tag] == nil {
			return nil, fmt.Errorf("%w: no %q table", errBadFont, tag)
		}
	}
	f := &sfnt{head: tables["head"], hhea: tables["hhea"], maxp: tables["maxp"], glyf: tables["glyf"]}
	if len(f.head) < 54 || len(f.maxp) < 6 || len(f.hhea) < 36 {
		return nil, fmt.Errorf("%w: short 'head', 'hhea' or 'maxp' table", errBadFont)
	}
	if p := tables["post"]; len(p) < 4 || binary.BigEndian.Uint32(p) != 0x00030000 {
		return nil, fmt.Errorf("%w: 'post' table names glyphs", errBadFont)
	}
	f.unitsPerEm = int(binary.BigEndian.Uint16(f.head[18:]))
	longLoca := binary.BigEndian.Uint16(f.head[50:]) == 1
	f.numGlyphs = int(binary.BigEndian.Uint16(tables["maxp"][4:]))
	if f.unitsPerEm == 0 || f.numGlyphs == 0 {
		return nil, fmt.Errorf("%w: %d units per em, %d glyphs", errBadFont, f.unitsPerEm, f.numGlyphs)
	}

	loca := tables["loca"]
	f.loca = make([]uint32, f.numGlyphs+1)
	for g := range f.loca {
		if longLoca {
			if 4*g+4 > len(loca) {
				return nil, fmt.Errorf("%w: short 'loca' table", errBadFont)
			}
			f.loca[g] = binary.BigEndian.Uint32(loca[4*g:])
		} else {
			if 2*g+2 > len(loca) {
				return nil, fmt.Errorf("%w: short 'loca' table", errBadFont)
			}
			f.loca[g] = 2 * uint32(binary.BigEndian.Uint16(loca[2*g:]))
		}
		if f.loca[g] > uint32(len(f.glyf)) || g > 0 && f.loca[g] < f.loca[g-1] {
			return nil, fmt.Errorf("%w: 'loca' entry %d", errBadFont, g)
		}
	}

	hmtx := tables["hmtx"]
	long := int(binary.BigEndian.Uint16(f.hhea[34:])) // numberOfHMetrics
	if long == 0 || long > f.numGlyphs || len(hmtx) < 4*long+2*(f.numGlyphs-long) {
		return nil, fmt.Errorf("%w: 'hmtx' table for %d of %d glyphs", errBadFont, long, f.numGlyphs)
	}
	f.metrics = make([]uint32, f.numGlyphs)
	for g := range f.metrics {
		if g < long {
			f.metrics[g] = binary.BigEndian.Uint32(hmtx[4*g:])
		} else { // the last advance, and a side bearing of its own
			f.metrics[g] = f.metrics[long-1]&0xFFFF0000 | uint32(binary.BigEndian.Uint16(hmtx[4*long+2*(g-long):]))
		}
	}

	f.components = make([][]component, f.numGlyphs)
	for g := range f.numGlyphs {
		c, err := glyphComponents(f.glyf[f.loca[g]:f.loca[g+1]])
		if err != nil {
			return nil, fmt.Errorf("%w: glyph %d: %v", errBadFont, g, err)
		}
		for _, k := range c {
			if int(k.gid) >= f.numGlyphs {
				return nil, fmt.Errorf("%w: glyph %d refers to glyph %d of %d", errBadFont, g, k.gid, f.numGlyphs)
			}
		}
		f.components[g] = c
	}

	for _, tag := range keptTables {
		if data, ok := tables[tag]; ok {
			f.fixed = append(f.fixed, sfntTable{tag: tag, data: data, sum: tableChecksum(data)})
			f.fixedBlock = append(f.fixedBlock, data...)
			f.fixedBlock = append(f.fixedBlock, make([]byte, (4-len(data)%4)%4)...)
		}
	}
	return f, nil
}

// Composite glyph flags (OpenType 'glyf' table).
const (
	argsAreWords    = 0x0001
	weHaveAScale    = 0x0008
	moreComponents  = 0x0020
	weHaveXYScale   = 0x0040
	weHaveTwoByTwo  = 0x0080
	compositeHeader = 10 // numberOfContours and the bounding box
)

// glyphComponents returns the glyphs a composite glyph is made of, or nil
// for a simple or empty glyph.
func glyphComponents(g []byte) ([]component, error) {
	if len(g) == 0 {
		return nil, nil
	}
	if len(g) < compositeHeader {
		return nil, errors.New("short glyph header")
	}
	if int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil, nil
	}
	var ids []component
	p := compositeHeader
	for {
		if p+4 > len(g) {
			return nil, errors.New("truncated composite glyph")
		}
		if p > 0xFFFF {
			return nil, errors.New("composite glyph too long")
		}
		flags := binary.BigEndian.Uint16(g[p:])
		ids = append(ids, component{at: uint16(p + 2), gid: binary.BigEndian.Uint16(g[p+2:])})
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&weHaveAScale != 0:
			p += 2
		case flags&weHaveXYScale != 0:
			p += 4
		case flags&weHaveTwoByTwo != 0:
			p += 8
		}
		if flags&moreComponents == 0 {
			return ids, nil
		}
	}
}

// tableChecksum is the OpenType table checksum: the sum of the table's
// big-endian 32-bit words, the last one padded with zeros.
func tableChecksum(b []byte) uint32 {
	var sum uint32
	for len(b) >= 4 {
		sum += binary.BigEndian.Uint32(b)
		b = b[4:]
	}
	if len(b) > 0 {
		var last [4]byte
		copy(last[:], b)
		sum += binary.BigEndian.Uint32(last[:])
	}
	return sum
}

// noGlyph marks an empty slot in subset's list of glyphs.
const noGlyph = -1

// subsetScratch holds what subset reuses from call to call.
type subsetScratch struct {
	order  []int32  // the glyph of f in each slot of the subset, or noGlyph
	newGID []uint16 // by glyph of f: its slot, or unplaced
}

const unplaced = 0xFFFF

// subset appends to dst a TrueType font whose glyph i is glyph slots[i] of
// f, or an empty glyph (no outline, no advance) where slots[i] is noGlyph,
// followed by the glyphs that the composite glyphs among them are made of
// and that slots does not hold. slots[0] should be 0 (.notdef). Composite
// glyphs refer to their components by their new numbers.
func (f *sfnt) subset(dst []byte, slots []int32, sc *subsetScratch) ([]byte, error) {
	order := append(sc.order[:0], slots...)
	if cap(sc.newGID) < f.numGlyphs {
		sc.newGID = make([]uint16, f.numGlyphs)
	}
	newGID := sc.newGID[:f.numGlyphs]
	for i := range newGID {
		newGID[i] = unplaced
	}
	for i, g := range order {
		if g != noGlyph && newGID[g] == unplaced {
			newGID[g] = uint16(min(i, unplaced))
		}
	}
	// Components, at any depth, after the slots: order grows as it is read.
	for i := 0; i < len(order); i++ {
		if order[i] == noGlyph {
			continue
		}
		for _, c := range f.components[order[i]] {
			if newGID[c.gid] == unplaced {
				newGID[c.gid] = uint16(min(len(order), unplaced))
				order = append(order, int32(c.gid))
			}
		}
	}
	sc.order = order
	n := len(order)
	if n >= unplaced {
		return dst, fmt.Errorf("%w: a subset of %d glyphs", errBadFont, n)
	}
	glyphLen := func(g int32) int {
		if g == noGlyph {
			return 0
		}
		return (int(f.loca[g+1]-f.loca[g]) + 3) &^ 3 // padded to four bytes
	}
	size := 0
	for _, g := range order {
		size += glyphLen(g)
	}
	// The short 'loca' form (offset / 2) serves unless the outlines exceed
	// 128 KiB.
	longLoca := size/2 > 0xFFFF
	locaLen := 2 * (n + 1)
	if longLoca {
		locaLen *= 2
	}

	// The directory lists the tables in tag order; the data holds the
	// fixed tables first (as one block), then the others.
	type entry struct {
		tag    string
		fixed  []byte // a table copied unchanged, or nil
		length int
		sum    uint32
		off    int
	}
	var entries [16]entry
	dirLen := f.subsetDirLen()
	off := dirLen
	k := 0
	for _, t := range f.fixed {
		entries[k] = entry{tag: t.tag, fixed: t.data, length: len(t.data), sum: t.sum, off: off}
		off += (len(t.data) + 3) &^ 3
		k++
	}
	for _, tag := range variableTables {
		e := entry{tag: tag, off: off}
		switch tag {
		case "glyf":
			e.length = size
		case "head":
			e.length = len(f.head)
		case "hhea":
			e.length = len(f.hhea)
		case "hmtx":
			e.length = 4 * n
		case "loca":
			e.length = locaLen
		case "maxp":
			e.length = len(f.maxp)
		}
		off += (e.length + 3) &^ 3
		entries[k] = e
		k++
	}
	total := off
	tables := entries[:k]
	slices.SortFunc(tables, func(a, b entry) int { return strings.Compare(a.tag, b.tag) })

	start := len(dst)
	dst = slices.Grow(dst, total)[:start+total]
	out := dst[start:]
	clear(out[:dirLen])
	copy(out[dirLen:], f.fixedBlock)
	clear(out[dirLen+len(f.fixedBlock):])

	// Offset subtable.
	binary.BigEndian.PutUint32(out[0:], 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(len(tables)))
	sr, sel := 1, 0
	for sr*2 <= len(tables) {
		sr *= 2
		sel++
	}
	binary.BigEndian.PutUint16(out[6:], uint16(16*sr))
	binary.BigEndian.PutUint16(out[8:], uint16(sel))
	binary.BigEndian.PutUint16(out[10:], uint16(16*len(tables)-16*sr))

	headAt := 0
	for i, e := range tables {
		body := out[e.off : e.off+e.length]
		switch e.tag {
		case "glyf":
			p := 0
			for _, g := range order {
				if g == noGlyph {
					continue
				}
				copy(body[p:], f.glyf[f.loca[g]:f.loca[g+1]])
				for _, c := range f.components[g] {
					binary.BigEndian.PutUint16(body[p+int(c.at):], newGID[c.gid])
				}
				p += glyphLen(g)
			}
		case "loca":
			p := 0
			for i, g := range order {
				putLoca(body, i, p, longLoca)
				p += glyphLen(g)
			}
			putLoca(body, n, p, longLoca)
		case "hmtx":
			for i, g := range order {
				if g != noGlyph {
					binary.BigEndian.PutUint32(body[4*i:], f.metrics[g])
				}
			}
		case "head":
			copy(body, f.head)
			binary.BigEndian.PutUint32(body[8:], 0) // checkSumAdjustment, set below
			binary.BigEndian.PutUint16(body[50:], 0)
			if longLoca {
				binary.BigEndian.PutUint16(body[50:], 1)
			}
			headAt = e.off
		case "hhea":
			copy(body, f.hhea)
			binary.BigEndian.PutUint16(body[34:], uint16(n)) // numberOfHMetrics
		case "maxp":
			copy(body, f.maxp)
			binary.BigEndian.PutUint16(body[4:], uint16(n)) // numGlyphs
		}
		sum := e.sum
		if e.fixed == nil {
			sum = tableChecksum(body)
		}
		rec := out[12+16*i:]
		copy(rec, e.tag)
		binary.BigEndian.PutUint32(rec[4:], sum)
		binary.BigEndian.PutUint32(rec[8:], uint32(e.off))
		binary.BigEndian.PutUint32(rec[12:], uint32(e.length))
	}
	// The checksum of the whole font is the directory's plus every
	// table's, since each table starts on a four-byte boundary and is
	// padded with zeros.
	whole := tableChecksum(out[:dirLen])
	for i := range tables {
		whole += binary.BigEndian.Uint32(out[12+16*i+4:])
	}
	binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-whole)
	return dst, nil
}

func putLoca(loca []byte, i, offset int, long bool) {
	if long {
		binary.BigEndian.PutUint32(loca[4*i:], uint32(offset))
	} else {
		binary.BigEndian.PutUint16(loca[2*i:], uint16(offset/2))
	}
}
