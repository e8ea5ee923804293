package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
)

// MaxImageSize is the largest image Image accepts, in bytes.
const MaxImageSize = 4 << 20

// ErrBadImage is recorded by Image for an image it cannot draw.
var ErrBadImage = errors.New("pdf: invalid image")

// Image draws a PNG or JPEG image inside r, as large as fits while keeping
// its aspect ratio, centred. Like the drawing methods, it records the first
// problem (wrapping ErrBadImage), which Err and Bytes return.
func (d *Document) Image(data []byte, r Rect) {
	if d.Err() != nil {
		return
	}
	if len(data) > MaxImageSize {
		d.fail(fmt.Errorf("%w: %d bytes, limit %d", ErrBadImage, len(data), MaxImageSize))
		return
	}
	var typ string
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		typ = "PNG"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		typ = "JPG"
	default:
		d.fail(fmt.Errorf("%w: not PNG or JPEG", ErrBadImage))
		return
	}
	sum := sha256.Sum256(data)
	name := "img" + hex.EncodeToString(sum[:8])
	opts := fpdf.ImageOptions{ImageType: typ}
	info := d.f.RegisterImageOptionsReader(name, opts, bytes.NewReader(data))
	if err := d.f.Error(); err != nil || info == nil {
		d.f.ClearError()
		d.fail(fmt.Errorf("%w: %v", ErrBadImage, err))
		return
	}
	iw, ih := info.Extent()
	if iw <= 0 || ih <= 0 || r.W <= 0 || r.H <= 0 {
		d.fail(fmt.Errorf("%w: empty image or box", ErrBadImage))
		return
	}
	scale := min(r.W/iw, r.H/ih)
	w, h := iw*scale, ih*scale
	d.f.ImageOptions(name, r.X+(r.W-w)/2, r.Y+(r.H-h)/2, w, h, false, opts, 0, "")
}

// FormXObject is a drawing packaged as a PDF form XObject (ISO 32000-1
// §8.10) with every object it uses (fonts cut to the characters drawn,
// images), ready to be written into another PDF, e.g. as the appearance of
// a signature field in an incremental update.
type FormXObject struct {
	// Width and Height are the XObject's bounding box in points.
	Width, Height float64
	objs          []xobjPart // objs[0] is the form XObject itself
	index         map[int]int
}

type xobjPart struct {
	dict   []byte // up to and including the dictionary's closing >>, or the whole object without a stream
	stream []byte // "stream\n...endstream" or nil
}

// NewFormXObject draws a form XObject w×h millimetres: draw gets a one-page
// document of that size (origin top-left, as for pages) to draw on.
func (r *Renderer) NewFormXObject(w, h float64, draw func(d *Document)) (*FormXObject, error) {
	if !(w > 0 && h > 0 && w < 2000 && h < 2000) {
		return nil, fmt.Errorf("pdf: form XObject of %v×%v mm", w, h)
	}
	// A fixed creation time: nothing of the document but its page is kept.
	d, err := r.NewDocument(Options{Created: time.Unix(0, 0), Deterministic: true})
	if err != nil {
		return nil, err
	}
	d.f.AddPageFormat("P", fpdf.SizeType{Wd: w, Ht: h})
	draw(d)
	if len(d.fields) > 0 || len(d.attachments) > 0 {
		return nil, errors.New("pdf: a form XObject cannot have fields or attachments")
	}
	if d.f.PageNo() != 1 {
		return nil, errors.New("pdf: a form XObject is one page")
	}
	out, err := d.Bytes()
	if err != nil {
		return nil, err
	}
	return formFromPage(out, w*PointsPerMM, h*PointsPerMM)
}

var (
	refPattern  = regexp.MustCompile(`(\d+) 0 R`)
	pageContent = regexp.MustCompile(`\A\d+ 0 obj\n<</Type /Page\n/Parent 1 0 R\n(?:/MediaBox \[[0-9. ]+\]\n)?/Resources (\d+) 0 R\n(/Group <</Type /Group /S /Transparency /CS /DeviceRGB>>\n)?/Contents (\d+) 0 R>>\nendobj\n`)
)

// formFromPage turns the single page of fpdf's output into a form XObject:
// the page's content stream with the page's resources, and every object the
// resources reach, renumbered from 0.
func formFromPage(out []byte, wPt, hPt float64) (*FormXObject, error) {
	t, err := readFpdfTail(out)
	if err != nil {
		return nil, err
	}
	pages, err := pageObjects(out, t)
	if err != nil || len(pages) != 1 {
		return nil, fmt.Errorf("%w: want one page", errUnexpectedOutput)
	}
	object := func(n int) ([]byte, error) {
		if n <= 0 || n >= len(t.offsets) {
			return nil, fmt.Errorf("%w: object %d", errUnexpectedOutput, n)
		}
		start := t.offsets[n]
		end := bytes.Index(out[start:], []byte("\nendobj\n"))
		if end < 0 {
			return nil, fmt.Errorf("%w: object %d has no end", errUnexpectedOutput, n)
		}
		body := out[start : start+int64(end)]
		head := []byte(strconv.Itoa(n) + " 0 obj\n")
		if !bytes.HasPrefix(body, head) {
			return nil, fmt.Errorf("%w: object %d", errUnexpectedOutput, n)
		}
		return body[len(head):], nil
	}
	split := func(body []byte) xobjPart {
		if i := bytes.Index(body, []byte("\nstream\n")); i >= 0 {
			return xobjPart{dict: body[:i], stream: body[i+1:]}
		}
		return xobjPart{dict: body}
	}

	m := pageContent.FindSubmatch(out[t.offsets[pages[0]]:])
	if m == nil {
		return nil, fmt.Errorf("%w: page object", errUnexpectedOutput)
	}
	res, _ := strconv.Atoi(string(m[1]))
	group := bytes.TrimSpace(m[2]) // a transparency group, when an image has an alpha channel
	content, _ := strconv.Atoi(string(m[3]))
	cbody, err := object(content)
	if err != nil {
		return nil, err
	}
	c := split(cbody)
	if c.stream == nil || !bytes.HasPrefix(c.dict, []byte("<<")) || !bytes.HasSuffix(c.dict, []byte(">>")) {
		return nil, fmt.Errorf("%w: content stream", errUnexpectedOutput)
	}

	// Collect the resources and what they reach, in a stable order.
	x := &FormXObject{Width: wPt, Height: hPt, index: map[int]int{}}
	x.objs = append(x.objs, xobjPart{}) // the form itself, below
	queue := []int{res}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if _, seen := x.index[n]; seen {
			continue
		}
		body, err := object(n)
		if err != nil {
			return nil, err
		}
		p := split(body)
		x.index[n] = len(x.objs)
		x.objs = append(x.objs, p)
		for _, r := range refPattern.FindAllSubmatch(p.dict, -1) {
			k, _ := strconv.Atoi(string(r[1]))
			queue = append(queue, k)
		}
	}
	// The form: the content stream's own dictionary entries (filter, length)
	// plus the form entries and the resources.
	var dict bytes.Buffer
	fmt.Fprintf(&dict, "<< /Type /XObject /Subtype /Form /FormType 1 /BBox [0 0 %.2f %.2f] /Resources %d 0 R ", wPt, hPt, res)
	if len(group) > 0 {
		dict.Write(group)
		dict.WriteByte(' ')
	}
	dict.Write(bytes.TrimSpace(c.dict[2:]))
	x.objs[0] = xobjPart{dict: dict.Bytes(), stream: c.stream}
	return x, nil
}

// Objects returns the XObject's objects numbered from first: the form
// XObject itself is object first, the objects it uses follow. Each entry is
// an object's body, to be written between "N 0 obj\n" and "\nendobj\n".
func (x *FormXObject) Objects(first int) [][]byte {
	out := make([][]byte, len(x.objs))
	for i, p := range x.objs {
		dict := refPattern.ReplaceAllFunc(p.dict, func(ref []byte) []byte {
			old, _ := strconv.Atoi(string(ref[:bytes.IndexByte(ref, ' ')]))
			return []byte(strconv.Itoa(first+x.index[old]) + " 0 R")
		})
		var b bytes.Buffer
		b.Write(dict)
		if p.stream != nil {
			b.WriteByte('\n')
			b.Write(p.stream)
		}
		out[i] = b.Bytes()
	}
	return out
}
