package pdf

import (
	"compress/flate"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/go-pdf/fpdf"
)

//go:embed fonts/*.ttf
var fontFiles embed.FS

// Face selects one of the embedded Noto Serif faces.
type Face int

// The embedded faces.
const (
	Regular Face = iota
	Bold
	Italic
	numFaces
)

// fontFamily is the family name the faces are registered under in fpdf.
const fontFamily = "notoserif"

// file returns the face's file under fonts/ and its fpdf style.
func (f Face) file() (name, style string) {
	switch f {
	case Bold:
		return "fonts/NotoSerif-Bold.ttf", "B"
	case Italic:
		return "fonts/NotoSerif-Italic.ttf", "I"
	}
	return "fonts/NotoSerif-Regular.ttf", ""
}

// psName returns the face's PostScript name, the name its embedded subsets
// carry.
func (f Face) psName() string {
	switch f {
	case Bold:
		return "NotoSerif-Bold"
	case Italic:
		return "NotoSerif-Italic"
	}
	return "NotoSerif-Regular"
}

// String returns the face's name.
func (f Face) String() string {
	switch f {
	case Regular:
		return "regular"
	case Bold:
		return "bold"
	case Italic:
		return "italic"
	}
	return fmt.Sprintf("Face(%d)", int(f))
}

func (f Face) valid() bool { return f >= Regular && f < numFaces }

// wantedRune reports whether r belongs to the character ranges kept in the cut
// fonts: what Vietnamese text and ordinary Latin punctuation need.
func wantedRune(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0x7E: // Basic Latin
		return true
	case r >= 0xA0 && r <= 0x24F: // Latin-1 Supplement, Latin Extended-A and -B
		return true
	case r >= 0x300 && r <= 0x36F: // combining diacritical marks
		return true
	case r >= 0x1E00 && r <= 0x1EFF: // Latin Extended Additional (Vietnamese)
		return true
	case r >= 0x2010 && r <= 0x205E: // general punctuation: dashes, quotes, bullets
		return true
	case r == 0x20AB || r == 0x20AC || r == 0x2116 || r == 0x2122: // ₫ € № ™
		return true
	}
	return false
}

// face is one embedded face after NewRenderer prepared it. Nothing in it is
// written to after NewRenderer returns.
type face struct {
	style  string // fpdf style: "", "B" or "I"
	psName string // PostScript name, e.g. "NotoSerif-Bold"
	cut    []byte // the face cut to the wanted characters
	font   *sfnt  // cut, read for subsetting
	fixedZ []byte // font.fixedBlock compressed: see Renderer.deflateFont
	// glyphs is indexed by character; a zero gid means the face does not
	// draw the character.
	glyphs []glyph
	desc   fpdf.FontDescType
	// placeholder is the fpdf font definition a document registers for
	// this face: see embed.go.
	placeholder []byte
}

// glyph is a character's glyph in a face and its advance width in
// thousandths of the font size, as fpdf measures it.
type glyph struct{ gid, width uint16 }

// Renderer holds the embedded fonts, prepared once. It is safe for concurrent
// use; build one per process with NewRenderer and pass it down.
type Renderer struct {
	faces [numFaces]face
	// runeLimit is one more than the largest character a face draws.
	runeLimit int
	// flate keeps DEFLATE writers for reuse across documents (a new
	// writer allocates about a megabyte). A writer holds no document data
	// between uses: Reset clears it.
	flate sync.Pool
	// fontsPerDocument makes documents hand the cut faces to fpdf, which
	// parses them for each document and subsets them at output: how fonts
	// were handled before they were parsed once per process. qrEncoder,
	// when set, replaces qrEncode. Only tests and benchmarks set them, to
	// compare with the earlier renderer.
	fontsPerDocument bool
	qrEncoder        func(string, QRLevel) (*qrSymbol, error)
}

// NewRenderer reads the embedded fonts and prepares them for use in documents.
// It takes a few tens of milliseconds; call it once.
func NewRenderer() (*Renderer, error) {
	r := &Renderer{}
	r.flate.New = func() any {
		w, _ := flate.NewWriter(nil, flate.BestSpeed) // the level is valid
		return w
	}
	// fpdf measures the cut faces once, here: the widths and descriptor
	// values it computes are the ones every document then uses.
	m := fpdf.New(fpdf.OrientationPortrait, fpdf.UnitMillimeter, fpdf.PageSizeA4, "")
	for i := Regular; i < numFaces; i++ {
		name, style := i.file()
		full, err := fontFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read embedded font %s: %w", name, err)
		}
		covered, err := cmapRunes(full, wantedRune)
		if err != nil {
			return nil, fmt.Errorf("read character map of %s: %w", name, err)
		}
		cutset := make([]rune, 0, len(covered))
		for c := range covered {
			cutset = append(cutset, c)
		}
		slices.Sort(cutset)
		if len(cutset) == 0 {
			return nil, fmt.Errorf("font %s draws none of the wanted characters", name)
		}
		cut := fpdf.UTF8CutFont(full, string(cutset))
		if len(cut) == 0 {
			return nil, fmt.Errorf("cut font %s: fpdf produced no font", name)
		}
		font, err := parseSFNT(cut)
		if err != nil {
			return nil, fmt.Errorf("read cut font %s: %w", name, err)
		}
		gids, err := cmapRunes(cut, wantedRune)
		if err != nil {
			return nil, fmt.Errorf("read character map of cut %s: %w", name, err)
		}
		m.AddUTF8FontFromBytes(fontFamily, style, cut)
		m.SetFont(fontFamily, style, 10)
		if err := m.Error(); err != nil {
			return nil, fmt.Errorf("measure cut font %s: %w", name, err)
		}
		fc := face{style: style, psName: i.psName(), cut: cut, font: font, fixedZ: deflateBlock(font.fixedBlock),
			desc: m.GetFontDesc(fontFamily, style)}
		fc.glyphs = make([]glyph, cutset[len(cutset)-1]+1)
		for _, c := range cutset {
			gid, ok := gids[c]
			if !ok || int(gid) >= font.numGlyphs {
				return nil, fmt.Errorf("cut font %s: no glyph for %U", name, c)
			}
			w := m.GetStringSymbolWidth(string(c))
			if w < 0 || w > 0xFFFF {
				return nil, fmt.Errorf("cut font %s: width %d for %U", name, w, c)
			}
			fc.glyphs[c] = glyph{gid: gid, width: uint16(w)}
		}
		r.runeLimit = max(r.runeLimit, len(fc.glyphs))
		fc.placeholder = []byte(fmt.Sprintf(`{"Tp":"Core","Name":%q}`, placeholderName(i)))
		r.faces[i] = fc
	}
	// fpdf reports a font it cannot parse only on standard output, so prove
	// here, once, that every face loads, draws and is written.
	if err := r.selfTest(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Renderer) selfTest() error {
	d, err := r.NewDocument(Options{Created: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		return err
	}
	d.AddPage()
	for i := range r.faces {
		d.SetFont(Face(i), 12)
		d.Text(10, 20, "Nghĩa Đ")
		if w := d.TextWidth("Nghĩa Đ"); d.Err() == nil && w <= 0 {
			return fmt.Errorf("prepare %s face: measured a width of %v", Face(i), w)
		}
	}
	if _, err := d.Bytes(); err != nil {
		return fmt.Errorf("prepare fonts: %w", err)
	}
	return nil
}

// Covers reports whether face f can draw every character of s (after NFC
// normalisation). When it cannot, it returns the first character it lacks.
func (r *Renderer) Covers(f Face, s string) (missing rune, ok bool) {
	if !f.valid() {
		return 0, false
	}
	return r.faces[f].covers(nfc(s))
}

// covers is Covers for text already in NFC.
func (fc *face) covers(s string) (missing rune, ok bool) {
	for _, c := range s {
		if c < 0 || int(c) >= len(fc.glyphs) || fc.glyphs[c].gid == 0 {
			return c, false
		}
	}
	return 0, true
}

// width returns the advance of s, which the face covers, in thousandths of
// the font size: the sum fpdf's GetStringSymbolWidth computes.
func (fc *face) width(s string) int {
	w := 0
	for _, c := range s {
		w += int(fc.glyphs[c].width)
	}
	return w
}

func (r *Renderer) addFace(d *fpdf.Fpdf, f Face) {
	if r.fontsPerDocument {
		d.AddUTF8FontFromBytes(fontFamily, r.faces[f].style, r.faces[f].cut)
		return
	}
	d.AddFontFromBytes(fontFamily, r.faces[f].style, r.faces[f].placeholder, nil)
}

// errNoCmap is returned for a font without a usable Unicode character map.
var errNoCmap = errors.New("no Unicode BMP (format 4) character map")

// cmapRunes returns the characters accepted by want that the TrueType font
// maps to a glyph other than .notdef, with their glyph IDs. It reads the
// format 4 (Unicode BMP) subtable, the one fpdf itself uses.
func cmapRunes(ttf []byte, want func(rune) bool) (map[rune]uint16, error) {
	u16 := func(b []byte, off int) (int, bool) {
		if off < 0 || off+2 > len(b) {
			return 0, false
		}
		return int(binary.BigEndian.Uint16(b[off:])), true
	}
	u32 := func(b []byte, off int) (int, bool) {
		if off < 0 || off+4 > len(b) {
			return 0, false
		}
		return int(binary.BigEndian.Uint32(b[off:])), true
	}
	bad := errors.New("truncated font")

	numTables, ok := u16(ttf, 4)
	if !ok {
		return nil, bad
	}
	var cmap []byte
	for i := 0; i < numTables; i++ {
		rec := 12 + 16*i
		if rec+16 > len(ttf) {
			return nil, bad
		}
		if string(ttf[rec:rec+4]) != "cmap" {
			continue
		}
		off, _ := u32(ttf, rec+8)
		length, _ := u32(ttf, rec+12)
		if off+length > len(ttf) || off+length < off {
			return nil, bad
		}
		cmap = ttf[off : off+length]
	}
	if cmap == nil {
		return nil, errNoCmap
	}
	nsub, ok := u16(cmap, 2)
	if !ok {
		return nil, bad
	}
	sub := -1
	for i := 0; i < nsub; i++ {
		platform, ok1 := u16(cmap, 4+8*i)
		encoding, ok2 := u16(cmap, 6+8*i)
		off, ok3 := u32(cmap, 8+8*i)
		if !ok1 || !ok2 || !ok3 {
			return nil, bad
		}
		if (platform == 3 && encoding == 1) || platform == 0 {
			if format, ok := u16(cmap, off); ok && format == 4 {
				sub = off
				break
			}
		}
	}
	if sub < 0 {
		return nil, errNoCmap
	}
	segX2, ok := u16(cmap, sub+6)
	if !ok {
		return nil, bad
	}
	ends := sub + 14
	starts := ends + segX2 + 2
	deltas := starts + segX2
	rangeOffs := deltas + segX2
	out := make(map[rune]uint16)
	for s := 0; s < segX2/2; s++ {
		end, ok1 := u16(cmap, ends+2*s)
		start, ok2 := u16(cmap, starts+2*s)
		delta, ok3 := u16(cmap, deltas+2*s)
		ro, ok4 := u16(cmap, rangeOffs+2*s)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return nil, bad
		}
		for c := start; c <= end && c != 0xFFFF; c++ {
			if !want(rune(c)) {
				continue
			}
			glyph := 0
			if ro == 0 {
				glyph = (c + delta) & 0xFFFF
			} else {
				g, ok := u16(cmap, rangeOffs+2*s+ro+2*(c-start))
				if !ok {
					return nil, bad
				}
				if g != 0 {
					glyph = (g + delta) & 0xFFFF
				}
			}
			if glyph != 0 {
				out[rune(c)] = uint16(glyph)
			}
		}
	}
	return out, nil
}
