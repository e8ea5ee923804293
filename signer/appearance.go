package signer

import (
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/kyso-vn/kyso/pdf"
)

// Appearance is how a signature looks in its field: drawn by kyso with the
// document's Vietnamese font (pdfsign's default appearance draws Vietnamese
// in a Latin font without the letters), inside the field's rectangle.
//
// From top to bottom: the image when there is one (a handwritten signature or
// a seal, as large as fits in the upper part while keeping its aspect ratio),
// "Ký bởi: <name>", the title, "Ngày ký: <date and time>". Each line is
// shrunk to the box's width when it must be.
type Appearance struct {
	// Renderer draws the appearance; one per process (pdf.NewRenderer).
	Renderer *pdf.Renderer
	// Title is the signer's title as printed, e.g. "Hiệu trưởng". Optional.
	Title string
	// Image is a PNG or JPEG (signature or seal) or nil.
	Image []byte
	// Zone is the time zone of the date shown; nil means Vietnam (UTC+7).
	Zone *time.Location
}

// vietnam is UTC+7, without depending on the system's time zone database.
var vietnam = time.FixedZone("UTC+7", 7*3600)

// Colours of the appearance.
var (
	appearanceInk    = pdf.RGB{R: 0x0b, G: 0x3d, B: 0x91}
	appearanceBorder = pdf.RGB{R: 0x5b, G: 0x7d, B: 0xb8}
)

// appearanceKey identifies an appearance in a Session's cache: what it
// shows. The time is shown to the second, so a batch signed within a second
// by one person draws its appearance once.
type appearanceKey struct {
	renderer    *pdf.Renderer
	rect        [4]float64
	name, title string
	image       [32]byte
	zone        string
	unix        int64
}

// appearance draws a's appearance, or returns it from the session's cache.
// Without a session it draws.
func (s *Session) appearance(a *Appearance, rect [4]float64, name string, t time.Time) (*pdf.FormXObject, error) {
	if s == nil {
		return a.draw(rect, name, t)
	}
	zone := ""
	if a.Zone != nil {
		zone = a.Zone.String()
	}
	k := appearanceKey{renderer: a.Renderer, rect: rect, name: name, title: a.Title, image: sha256.Sum256(a.Image), zone: zone, unix: t.Unix()}
	s.mu.Lock()
	x, ok := s.appearances[k]
	s.mu.Unlock()
	if ok {
		return x, nil
	}
	x, err := a.draw(rect, name, t)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.appearances) >= maxCachedAppearances {
		clear(s.appearances)
	}
	s.appearances[k] = x
	s.mu.Unlock()
	return x, nil
}

// draw renders the appearance for a field of rectangle rect (PDF user space,
// points) signed by name at t.
func (a *Appearance) draw(rect [4]float64, name string, t time.Time) (*pdf.FormXObject, error) {
	if a.Renderer == nil {
		return nil, fmt.Errorf("appearance without a renderer: %w", ErrUnsupportedPDF)
	}
	w, h := (rect[2]-rect[0])/pdf.PointsPerMM, (rect[3]-rect[1])/pdf.PointsPerMM
	if w < 10 || h < 5 {
		return nil, fmt.Errorf("field of %.1f×%.1f mm is too small for a visible signature: %w", w, h, ErrUnsupportedPDF)
	}
	if err := checkText("Title", a.Title); err != nil {
		return nil, err
	}
	zone := a.Zone
	if zone == nil {
		zone = vietnam
	}
	lt := t.In(zone)
	_, off := lt.Zone()
	when := fmt.Sprintf("%s (UTC%+d)", lt.Format("02/01/2006 15:04:05"), off/3600)
	lines := []struct {
		face pdf.Face
		text string
	}{
		{pdf.Bold, "Ký bởi: " + name},
		{pdf.Regular, a.Title},
		{pdf.Italic, "Ngày ký: " + when},
	}
	x, err := a.Renderer.NewFormXObject(w, h, func(d *pdf.Document) {
		d.SetDrawColor(appearanceBorder)
		d.SetLineWidth(0.3)
		d.Rect(pdf.Rect{X: 0.4, Y: 0.4, W: w - 0.8, H: h - 0.8}, pdf.Stroke)
		textTop := 1.5
		if a.Image != nil {
			imgH := h * 0.5
			d.Image(a.Image, pdf.Rect{X: 1.5, Y: 1.5, W: w - 3, H: imgH - 1.5})
			textTop = imgH + 0.5
		}
		n := 0
		for _, l := range lines {
			if l.text != "" {
				n++
			}
		}
		lineH := (h - textTop - 1.5) / float64(n)
		maxSize := min(10, lineH/0.3528*0.8)
		y := textTop
		d.SetTextColor(appearanceInk)
		for _, l := range lines {
			if l.text == "" {
				continue
			}
			size, _ := d.FitSize(l.face, l.text, w-4, maxSize, 3)
			d.SetFont(l.face, size)
			d.TextAlign(w/2, y+lineH*0.72, l.text, pdf.AlignCenter)
			y += lineH
		}
	})
	if err != nil {
		return nil, fmt.Errorf("draw the appearance: %w", err)
	}
	return x, nil
}
