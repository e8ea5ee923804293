package pdf

import "github.com/boombuler/barcode/qr"

// This file gives the external test package (package pdf_test, which may
// import templates) the renderer as it was before fonts were parsed once
// per process, to compare with.

// Earlier selects what NewEarlierRenderer keeps of the earlier renderer.
type Earlier struct {
	// FontsPerDocument: each document hands the cut faces to fpdf, which
	// parses them and, at output, subsets them again.
	FontsPerDocument bool
	// BoombulerQR: QR codes are encoded with boombuler/barcode.
	BoombulerQR bool
}

// NewEarlierRenderer returns a Renderer that works, as e says, like the
// renderer before fonts were parsed once per process.
func NewEarlierRenderer(e Earlier) (*Renderer, error) {
	r, err := NewRenderer()
	if err != nil {
		return nil, err
	}
	r.fontsPerDocument = e.FontsPerDocument
	if e.BoombulerQR {
		r.qrEncoder = boombulerQR
	}
	return r, nil
}

// boombulerQR encodes content with boombuler/barcode, the encoder qrEncode
// replaced.
func boombulerQR(content string, l QRLevel) (*qrSymbol, error) {
	code, err := qr.Encode(content, boombulerLevel(l), qr.Auto)
	if err != nil {
		return nil, err
	}
	n := code.Bounds().Dx()
	s := &qrSymbol{size: n, dark: make([]bool, n*n)}
	for y := range n {
		for x := range n {
			r, g, b, _ := code.At(x, y).RGBA()
			s.dark[y*n+x] = r+g+b < 3*0x8000
		}
	}
	return s, nil
}
