package pdf

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/adler32"
	"hash/fnv"
	"math/bits"
	"slices"
	"strconv"
)

// Fonts are written by this package, not by fpdf. fpdf (v0.9.0) parses a
// TrueType font each time a document adds it, builds and JSON-encodes a
// 65,536-entry width table for it, and at output parses the font again to
// subset it and compresses a 128 KiB character-to-glyph map: most of the
// time and memory of a one-page document. None of its parsed state can be
// shared between documents through its API.
//
// So a document gives fpdf, for each face, a stand-in: a font definition
// of the "Core" kind (no font file) that fpdf adds without parsing
// anything. fpdf selects it by name in the page content (/F… Tf) and lists
// it in the page resources, as for any font. The package measures text
// itself, with the widths fpdf computed for the face once in NewRenderer
// (so layouts measure exactly as before), and hands fpdf the text already
// encoded: two bytes per character, the character's number (CID) in the
// document. A document numbers the characters it draws from 1, in the
// order it first draws them, the same number in every face. fpdf writes
// the bytes as they are (escaped) in the content stream.
//
// When fpdf has written the document, rewrite replaces each stand-in font
// object, under its object number, by a Type 0 font (encoding Identity-H)
// and adds its descendant CIDFontType2 font, whose glyph number is the CID
// (/CIDToGIDMap /Identity), its font descriptor and its embedded subset
// (see truetype.go), whose glyph k is the face's glyph for the document's
// character k (empty where the face does not draw that character). One
// ToUnicode CMap, shared by the faces, maps each CID back to its character,
// so that text can be extracted, searched and copied. The same pass
// compresses the page contents, which fpdf is told to leave uncompressed
// because it would allocate a new compressor (about a megabyte) for each
// page; rewrite reuses compressors from a pool in the Renderer and writes
// the same bytes fpdf would.
//
// What stays per document: fpdf itself (building the pages), one subset
// per face (copying the outlines drawn), compressing the part of each
// subset that depends on the document, the ToUnicode CMap and the page
// contents, and one pass over fpdf's output.

// placeholderName is the /BaseFont of the stand-in font fpdf writes for f.
func placeholderName(f Face) string { return "KysoStandIn" + strconv.Itoa(int(f)) }

// standInBody is the object fpdf v0.9.0 writes for the stand-in of f,
// after its "n 0 obj\n" line.
func standInBody(f Face) string {
	return "<</Type /Font\n/BaseFont /" + placeholderName(f) + "\n/Subtype /Type1\n/Encoding /WinAnsiEncoding\n>>\nendobj\n"
}

// toUnicodeCMap returns a ToUnicode CMap mapping CID k (a two-byte code)
// to the character runes[k-1].
func toUnicodeCMap(runes []rune) []byte {
	var b bytes.Buffer
	b.Grow(300 + 14*len(runes))
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	const hex = "0123456789ABCDEF"
	put := func(v int) {
		b.Write([]byte{'<', hex[v>>12&15], hex[v>>8&15], hex[v>>4&15], hex[v&15], '>'})
	}
	for start := 0; start < len(runes); start += 100 { // at most 100 entries per section
		end := min(start+100, len(runes))
		b.WriteString(strconv.Itoa(end - start))
		b.WriteString(" beginbfchar\n")
		for i := start; i < end; i++ {
			put(i + 1)
			b.WriteByte(' ')
			put(int(runes[i])) // a BMP character: one UTF-16 code unit
			b.WriteByte('\n')
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// deflateBlock compresses data once per Renderer into raw DEFLATE blocks
// that do not end the stream (they end with a sync flush, on a byte
// boundary), to be copied into zlib streams that go on after them.
func deflateBlock(data []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression) // the level is valid
	w.Write(data)                                      // writes to a bytes.Buffer do not fail
	w.Flush()
	return b.Bytes()
}

// The zlib streams (RFC 1950) written for each document are assembled here
// around raw DEFLATE writers kept in the Renderer's pool (a new writer
// allocates about a megabyte; Reset clears everything a writer held).

// zlibHeader is a zlib header for DEFLATE with a 32 KiB window.
var zlibHeader = [2]byte{0x78, 0x01}

func (r *Renderer) flateTo(dst *bytes.Buffer, data []byte) error {
	w := r.flate.Get().(*flate.Writer)
	defer r.flate.Put(w)
	w.Reset(dst)
	if _, err := w.Write(data); err != nil {
		return err
	}
	return w.Close()
}

func putAdler32(dst *bytes.Buffer, data []byte) {
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], adler32.Checksum(data))
	dst.Write(sum[:])
}

// deflate appends data to dst as a zlib stream.
func (r *Renderer) deflate(dst *bytes.Buffer, data []byte) error {
	dst.Write(zlibHeader[:])
	if err := r.flateTo(dst, data); err != nil {
		return err
	}
	putAdler32(dst, data)
	return nil
}

// deflateFont appends a subset of f (see sfnt.subset) to dst as a zlib
// stream in three parts: the table directory, which depends on the
// document, in a stored block; the tables every subset shares, compressed
// once by NewRenderer; the tables that depend on the document, compressed
// now.
func (r *Renderer) deflateFont(dst *bytes.Buffer, font []byte, f *sfnt, fixedZ []byte) error {
	dir := font[:f.subsetDirLen()]
	rest := font[len(dir)+len(f.fixedBlock):]
	dst.Write(zlibHeader[:])
	// A stored block that is not the last: header bits 000 and padding to
	// the byte, then LEN and its one's complement, little-endian.
	n := uint16(len(dir))
	dst.Write([]byte{0, byte(n), byte(n >> 8), byte(^n), byte(^n >> 8)})
	dst.Write(dir)
	dst.Write(fixedZ)
	if err := r.flateTo(dst, rest); err != nil {
		return err
	}
	putAdler32(dst, font)
	return nil
}

// cidSet is a set of CIDs.
type cidSet []uint64

func (s *cidSet) add(k uint16) {
	for int(k/64) >= len(*s) {
		*s = append(*s, 0)
	}
	(*s)[k/64] |= 1 << (k % 64)
}

func (s cidSet) has(k int) bool { return k/64 < len(s) && s[k/64]&(1<<(k%64)) != 0 }

// rewrite rewrites fpdf's finished output out: it compresses the page
// content streams (fpdf writes them uncompressed for this package, see
// NewDocument) and replaces the stand-in font of every face the document
// selected by the face's embedded subset (see the comment at the top of
// this file). It keeps the form finish relies on: fpdf's header, every
// object in one revision, the catalog last and under the highest object
// number, then a single-section cross-reference table and fpdf's trailer.
func (d *Document) rewrite(out []byte) ([]byte, error) {
	var faces []Face
	for f := range numFaces {
		if d.added[f] {
			faces = append(faces, f)
		}
	}
	t, err := readFpdfTail(out)
	if err != nil {
		return nil, err
	}

	// Objects in file order; the catalog is the last (readFpdfTail checked).
	order := make([]int, 0, t.size-1)
	for n := 1; n < t.size; n++ {
		order = append(order, n)
	}
	slices.SortFunc(order, func(x, y int) int { return int(t.offsets[x] - t.offsets[y]) })
	objects := make([][]byte, t.size) // each object's body, after "n 0 obj\n"
	for i, n := range order {
		end := int64(t.xref)
		if i+1 < len(order) {
			end = t.offsets[order[i+1]]
		}
		obj := out[t.offsets[n]:end]
		head := strconv.Itoa(n) + " 0 obj\n"
		if !bytes.HasPrefix(obj, []byte(head)) {
			return nil, fmt.Errorf("%w: object %d does not start where the cross-reference table says", errUnexpectedOutput, n)
		}
		objects[n] = obj[len(head):]
	}

	standIns := make(map[int]Face, len(faces))
	contents := map[int]bool{}
	for _, n := range order[:len(order)-1] {
		obj := objects[n]
		switch {
		case bytes.HasPrefix(obj, []byte("<</Type /Page\n")):
			c, err := pageContents(obj)
			if err != nil {
				return nil, fmt.Errorf("%w: page object %d: %v", errUnexpectedOutput, n, err)
			}
			contents[c] = true
		case bytes.HasPrefix(obj, []byte("<</Type /Font\n/BaseFont /KysoStandIn")):
			for _, f := range faces {
				if string(obj) == standInBody(f) {
					standIns[n] = f
				}
			}
		}
	}
	if len(standIns) != len(faces) {
		return nil, fmt.Errorf("%w: found %d of the %d stand-in fonts", errUnexpectedOutput, len(standIns), len(faces))
	}

	// New object numbers start at the catalog's; the catalog moves last.
	next := t.root
	toUnicode := 0
	if len(faces) > 0 {
		toUnicode = next
		next++
	}
	firstObj := make([]int, numFaces) // the face's CIDFontType2 font, then two more
	for _, f := range faces {
		firstObj[f] = next
		next += 3
	}
	root := next
	offsets := make([]int64, root+1)

	var sc scratch
	var names [numFaces]string
	for _, f := range faces {
		sc.slots = d.slots(f, sc.slots)
		names[f] = subsetName(f, sc.slots)
	}

	var b bytes.Buffer
	b.Grow(len(out) + 16<<10*len(faces))
	b.Write(out[:t.offsets[order[0]]])
	for _, n := range order[:len(order)-1] {
		offsets[n] = int64(b.Len())
		obj := objects[n]
		if contents[n] {
			data, err := streamData(obj)
			if err != nil {
				return nil, fmt.Errorf("%w: content stream %d: %v", errUnexpectedOutput, n, err)
			}
			sc.z.Reset()
			if err := d.r.deflate(&sc.z, data); err != nil {
				return nil, fmt.Errorf("pdf: compress page content: %w", err)
			}
			// What fpdf writes when it compresses.
			fmt.Fprintf(&b, "%d 0 obj\n<</Filter /FlateDecode /Length %d>>\nstream\n", n, sc.z.Len())
			b.Write(sc.z.Bytes())
			b.WriteString("\nendstream\nendobj\n")
			continue
		}
		b.WriteString(strconv.Itoa(n))
		b.WriteString(" 0 obj\n")
		f, ok := standIns[n]
		if !ok {
			b.Write(obj)
			continue
		}
		fmt.Fprintf(&b, "<</Type /Font\n/Subtype /Type0\n/BaseFont /%s\n/Encoding /Identity-H\n"+
			"/DescendantFonts [%d 0 R]\n/ToUnicode %d 0 R\n>>\nendobj\n",
			names[f], firstObj[f], toUnicode)
	}

	if toUnicode != 0 {
		sc.z.Reset()
		if err := d.r.deflate(&sc.z, toUnicodeCMap(d.runes)); err != nil {
			return nil, fmt.Errorf("pdf: compress ToUnicode CMap: %w", err)
		}
		offsets[toUnicode] = int64(b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n<</Filter /FlateDecode /Length %d>>\nstream\n", toUnicode, sc.z.Len())
		b.Write(sc.z.Bytes())
		b.WriteString("\nendstream\nendobj\n")
	}
	for _, f := range faces {
		if err := d.writeFace(&b, &sc, f, names[f], firstObj[f], offsets); err != nil {
			return nil, err
		}
	}

	offsets[root] = int64(b.Len())
	fmt.Fprintf(&b, "%d 0 obj\n", root)
	b.Write(objects[t.root])

	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", root+1)
	var line []byte
	for _, off := range offsets[1:] {
		line = strconv.AppendInt(line[:0], off, 10)
		for range 10 - len(line) {
			b.WriteByte('0')
		}
		b.Write(line)
		b.WriteString(" 00000 n \n")
	}
	fmt.Fprintf(&b, "trailer\n<<\n/Size %d\n/Root %d 0 R\n/Info %d 0 R\n>>\nstartxref\n%d\n%%%%EOF\n", root+1, root, t.info, xref)
	return b.Bytes(), nil
}

// pageContents returns the number of the content stream of a page object
// as fpdf writes it: "... /Contents n 0 R>>\nendobj\n".
func pageContents(page []byte) (int, error) {
	const suffix = " 0 R>>\nendobj\n"
	i := bytes.LastIndex(page, []byte("/Contents "))
	if i < 0 || !bytes.HasSuffix(page, []byte(suffix)) {
		return 0, fmt.Errorf("no /Contents at its end")
	}
	n, err := strconv.Atoi(string(page[i+len("/Contents ") : len(page)-len(suffix)]))
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("/Contents %q", page[i:])
	}
	return n, nil
}

// streamData returns the data of an uncompressed stream object as fpdf
// writes it: "<</Length n>>\nstream\n", n bytes, "\nendstream\nendobj\n".
func streamData(obj []byte) ([]byte, error) {
	const head, tail = "<</Length ", "\nendstream\nendobj\n"
	i := bytes.Index(obj, []byte(">>\nstream\n"))
	if !bytes.HasPrefix(obj, []byte(head)) || i < 0 {
		return nil, fmt.Errorf("not an uncompressed stream")
	}
	n, err := strconv.Atoi(string(obj[len(head):i]))
	start := i + len(">>\nstream\n")
	if err != nil || n < 0 || start+n+len(tail) != len(obj) || string(obj[start+n:]) != tail {
		return nil, fmt.Errorf("stream length does not match")
	}
	return obj[start : start+n], nil
}

// scratch holds buffers rewrite reuses from stream to stream.
type scratch struct {
	font  []byte // a subset
	z     bytes.Buffer
	slots []int32
	sub   subsetScratch
}

// subsetName returns the /BaseFont of a subset of f: a tag of six capital
// letters computed from the subset's glyphs (ISO 32000-1 §9.6.4), a plus
// sign and the face's PostScript name. The same glyphs give the same name,
// so output stays deterministic.
func subsetName(f Face, slots []int32) string {
	h := fnv.New64a()
	var w [4]byte
	for _, g := range slots {
		binary.BigEndian.PutUint32(w[:], uint32(g))
		h.Write(w[:])
	}
	sum := h.Sum64()
	var tag [7]byte
	for i := range 6 {
		tag[i] = byte('A' + sum%26)
		sum /= 26
	}
	tag[6] = '+'
	return string(tag[:]) + f.psName()
}

// slots returns the glyphs of f's subset: glyph k is f's glyph for the
// document's character k where the document drew it with f.
func (d *Document) slots(f Face, dst []int32) []int32 {
	fc := &d.r.faces[f]
	dst = append(dst[:0], 0) // .notdef
	for k, c := range d.runes {
		g := int32(noGlyph)
		if d.used[f].has(k + 1) {
			g = int32(fc.glyphs[c].gid)
		}
		dst = append(dst, g)
	}
	return dst
}

// writeFace writes the objects of face f from number first on: the
// CIDFontType2 font, its descriptor and the embedded subset.
func (d *Document) writeFace(b *bytes.Buffer, sc *scratch, f Face, name string, first int, offsets []int64) error {
	fc := &d.r.faces[f]
	obj := func(n int) {
		offsets[n] = int64(b.Len())
		b.WriteString(strconv.Itoa(n))
		b.WriteString(" 0 obj\n")
	}

	// The descendant font, with the width of every character drawn.
	obj(first)
	fmt.Fprintf(b, "<</Type /Font\n/Subtype /CIDFontType2\n/BaseFont /%s\n"+
		"/CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>>\n/FontDescriptor %d 0 R\n",
		name, first+1)
	if fc.desc.MissingWidth != 0 {
		fmt.Fprintf(b, "/DW %d\n", fc.desc.MissingWidth)
	}
	var num []byte
	prev := -2
	for i, word := range d.used[f] {
		for word != 0 {
			k := 64*i + bits.TrailingZeros64(word)
			word &= word - 1
			switch {
			case prev < 0:
				b.WriteString("/W [")
			case k != prev+1:
				b.WriteString("]\n")
			}
			if k != prev+1 {
				num = strconv.AppendInt(num[:0], int64(k), 10)
				b.Write(num)
				b.WriteString(" [")
			} else {
				b.WriteByte(' ')
			}
			num = strconv.AppendInt(num[:0], int64(fc.glyphs[d.runes[k-1]].width), 10)
			b.Write(num)
			prev = k
		}
	}
	if prev >= 0 {
		b.WriteString("]]\n")
	}
	b.WriteString("/CIDToGIDMap /Identity\n>>\nendobj\n")

	// The descriptor, with the values fpdf computes for the face; flag 4
	// (symbolic) set and 32 (non-symbolic) clear, as for any font whose
	// glyphs are addressed by number.
	obj(first + 1)
	desc := fc.desc
	fmt.Fprintf(b, "<</Type /FontDescriptor\n/FontName /%s\n/Flags %d\n/FontBBox [%d %d %d %d]\n/ItalicAngle %d\n"+
		"/Ascent %d\n/Descent %d\n/CapHeight %d\n/StemV %d\n/MissingWidth %d\n/FontFile2 %d 0 R\n>>\nendobj\n",
		name, (desc.Flags|4)&^32, desc.FontBBox.Xmin, desc.FontBBox.Ymin, desc.FontBBox.Xmax, desc.FontBBox.Ymax,
		desc.ItalicAngle, desc.Ascent, desc.Descent, desc.CapHeight, desc.StemV, desc.MissingWidth, first+2)

	// The subset.
	sc.slots = d.slots(f, sc.slots)
	var err error
	if sc.font, err = fc.font.subset(sc.font[:0], sc.slots, &sc.sub); err != nil {
		return err
	}
	sc.z.Reset()
	if err := d.r.deflateFont(&sc.z, sc.font, fc.font, fc.fixedZ); err != nil {
		return fmt.Errorf("pdf: compress font %s: %w", name, err)
	}
	obj(first + 2)
	fmt.Fprintf(b, "<</Filter /FlateDecode /Length %d /Length1 %d>>\nstream\n", sc.z.Len(), len(sc.font))
	b.Write(sc.z.Bytes())
	b.WriteString("\nendstream\nendobj\n")
	return nil
}
