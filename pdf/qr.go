package pdf

import (
	"errors"
	"fmt"
)

// QRLevel is a QR error correction level.
type QRLevel int

// Error correction levels. M (about 15% recovery) suits a clean print; Q
// (about 25%) survives scuffs and stamps.
const (
	QRLevelM QRLevel = iota
	QRLevelQ
	QRLevelL
	QRLevelH
)

// QRQuietZone is the width, in modules, of the light margin DrawQR paints
// around the symbol (ISO/IEC 18004 asks for 4).
const QRQuietZone = 4

// ErrQRContent is returned by DrawQR for content that cannot be encoded.
var ErrQRContent = errors.New("pdf: QR content cannot be encoded")

// QRModules returns the number of modules on a side of the QR symbol for
// content at level, without the quiet zone.
func QRModules(content string, level QRLevel) (int, error) {
	code, err := encodeQR(content, level)
	if err != nil {
		return 0, err
	}
	return code.size, nil
}

func encodeQR(content string, level QRLevel) (*qrSymbol, error) {
	return encodeQRWith(qrEncode, content, level)
}

// encodeQRWith checks the arguments and encodes content with enc.
func encodeQRWith(enc func(string, QRLevel) (*qrSymbol, error), content string, level QRLevel) (*qrSymbol, error) {
	if _, _, ok := level.qrRow(); !ok {
		return nil, fmt.Errorf("%w: unknown error correction level %d", ErrQRContent, int(level))
	}
	if content == "" {
		return nil, fmt.Errorf("%w: empty content", ErrQRContent)
	}
	code, err := enc(content, level)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrQRContent, err)
	}
	return code, nil
}

// DrawQR draws content as a QR code in the square with top-left corner (x, y)
// and side size millimetres, quiet zone included. The quiet zone is painted
// white and the dark modules black, as vector shapes (one filled path; no
// image), so the code stays sharp at any print resolution. It returns the
// module size in millimetres. An error is also recorded on the document.
func (d *Document) DrawQR(content string, x, y, size float64, level QRLevel) (float64, error) {
	if err := d.Err(); err != nil {
		return 0, err
	}
	enc := qrEncode
	if d.r.qrEncoder != nil {
		enc = d.r.qrEncoder
	}
	code, err := encodeQRWith(enc, content, level)
	if err != nil {
		d.fail(err)
		return 0, err
	}
	if size <= 0 {
		err := fmt.Errorf("pdf: QR size %v: want a positive size", size)
		d.fail(err)
		return 0, err
	}
	n := code.size
	module := size / float64(n+2*QRQuietZone)

	fr, fg, fb := d.f.GetFillColor()
	defer d.f.SetFillColor(fr, fg, fb)
	d.f.SetFillColor(255, 255, 255)
	d.f.Rect(x, y, size, size, "F")
	d.f.SetFillColor(0, 0, 0)
	ox := x + QRQuietZone*module
	oy := y + QRQuietZone*module
	drew := false
	for row := 0; row < n; row++ {
		for col := 0; col < n; {
			if !code.at(col, row) {
				col++
				continue
			}
			start := col
			for col < n && code.at(col, row) {
				col++
			}
			x0, x1 := ox+float64(start)*module, ox+float64(col)*module
			y0, y1 := oy+float64(row)*module, oy+float64(row+1)*module
			d.f.MoveTo(x0, y0)
			d.f.LineTo(x1, y0)
			d.f.LineTo(x1, y1)
			d.f.LineTo(x0, y1)
			d.f.ClosePath()
			drew = true
		}
	}
	if drew {
		// One fill for all modules: rasterisers leave no seams between
		// neighbouring modules, which separate fills can show.
		d.f.DrawPath("F")
	}
	return module, d.Err()
}
