package verify

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"

	"github.com/digitorus/pdf"
)

// Limits on what the field walk accepts.
const (
	maxFieldDepth = 16   // nesting of /Kids
	maxFieldNodes = 4096 // form fields and widgets visited
	maxSignatures = 64   // signed signature fields
	// maxParserFrames bounds the call stack while the parser reads; a
	// deeper stack means objects nested far beyond any real document.
	maxParserFrames = 4096
)

var errParser = errors.New("the PDF parser cannot read the file")

// Reasons guardedReader stops the parser.
var (
	errNestingTooDeep = errors.New("objects nested too deeply")
	errReadBudget     = errors.New("the parser read far more than the file (a loop?)")
)

// sigField is one signed signature field as the PDF parser reads it.
type sigField struct {
	name      string
	byteRange []int64
	contents  []byte
	subFilter string
	kind      string // KindSignature or KindDocumentTimestamp
	// seed lists the subjects the field accepts, from a required
	// certificate seed value (/SV /Cert /SubjectDN with /Ff bit 4): each a
	// map from attribute (CN, serialNumber, ...) to value. Empty: anyone.
	seed []map[string]string
	// problem says why the signature dictionary cannot be validated; empty
	// when it can.
	problem string
}

// parserAbort is the panic value guardedReader uses to stop the parser.
type parserAbort struct{ reason error }

// guardedReader is the parser's view of the file. It stops the parser
// (by panicking, which readSignatureFields recovers) when the call stack
// grows past maxParserFrames — objects nested deeply enough to overflow the
// stack, which recover could not catch — or when the parser has read more
// than its budget, which only a loop would need.
type guardedReader struct {
	data   []byte
	budget int64
	pcs    []uintptr
}

// newGuardedReader makes the reader; the stack limit counts from the
// caller's depth, so that PDF may be called from deep inside a server.
func newGuardedReader(data []byte) *guardedReader {
	base := 0
	for n := 256; ; n *= 2 {
		if base = runtime.Callers(0, make([]uintptr, n)); base < n {
			break
		}
	}
	return &guardedReader{
		data:   data,
		budget: 32*int64(len(data)) + 16<<20,
		pcs:    make([]uintptr, base+maxParserFrames),
	}
}

// ReadAt implements io.ReaderAt.
func (g *guardedReader) ReadAt(p []byte, off int64) (int, error) {
	if runtime.Callers(0, g.pcs) >= len(g.pcs) {
		panic(parserAbort{errNestingTooDeep})
	}
	g.budget -= int64(len(p))
	if g.budget < 0 {
		panic(parserAbort{errReadBudget})
	}
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= int64(len(g.data)) {
		return 0, io.EOF
	}
	n := copy(p, g.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// readSignatureFields lists the signed signature fields of the document
// through its interactive form (ISO 32000-1 §12.7.2, §12.8): every field of
// type /Sig, /FT inherited through /Kids, that has a /V value. A panic in
// the parser becomes an error wrapping errParser.
func readSignatureFields(data []byte) (fields []sigField, err error) {
	defer func() {
		if r := recover(); r != nil {
			fields = nil
			if a, ok := r.(parserAbort); ok {
				err = fmt.Errorf("%w: %w", errParser, a.reason)
				return
			}
			err = fmt.Errorf("%w: %s", errParser, clip(fmt.Sprint(r)))
		}
	}()
	rd, err := pdf.NewReader(newGuardedReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %s", errParser, clip(err.Error()))
	}
	list := rd.Trailer().Key("Root").Key("AcroForm").Key("Fields")
	switch list.Kind() {
	case pdf.Null:
		return nil, nil
	case pdf.Array:
	default:
		return nil, fmt.Errorf("%w: the form's /Fields is not an array", errParser)
	}
	w := &fieldWalker{}
	if err := w.walk(list, "", "", 0); err != nil {
		return nil, err
	}
	return w.out, nil
}

type fieldWalker struct {
	nodes int
	out   []sigField
}

func (w *fieldWalker) walk(list pdf.Value, inheritedFT, prefix string, depth int) error {
	if depth > maxFieldDepth {
		return fmt.Errorf("%w: form fields nested more than %d deep (a loop?)", errParser, maxFieldDepth)
	}
	for i := 0; i < list.Len(); i++ {
		w.nodes++
		if w.nodes > maxFieldNodes {
			return fmt.Errorf("%w: more than %d form fields", errParser, maxFieldNodes)
		}
		f := list.Index(i)
		switch f.Kind() {
		case pdf.Null:
			continue // a deleted field
		case pdf.Dict:
		default:
			return fmt.Errorf("%w: form field is not a dictionary", errParser)
		}
		ft := inheritedFT
		if v := f.Key("FT"); v.Kind() == pdf.Name {
			ft = v.Name()
		}
		name := prefix
		if t := f.Key("T"); t.Kind() == pdf.String {
			if name != "" {
				name += "."
			}
			name += t.Text()
		}
		if ft == "Sig" {
			if v := f.Key("V"); !v.IsNull() {
				if len(w.out) >= maxSignatures {
					return fmt.Errorf("%w: more than %d signatures", errParser, maxSignatures)
				}
				sf := readSignatureDict(name, v)
				sf.seed = readSeedSubjects(f)
				w.out = append(w.out, sf)
			}
		}
		if kids := f.Key("Kids"); kids.Kind() == pdf.Array {
			if err := w.walk(kids, ft, name, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// readSignatureDict reads a signature dictionary (ISO 32000-1 Table 252).
func readSignatureDict(name string, v pdf.Value) sigField {
	f := sigField{name: name}
	if v.Kind() != pdf.Dict {
		f.problem = "the signature value /V is not a dictionary"
		return f
	}
	f.subFilter = v.Key("SubFilter").Name()
	f.kind = KindSignature
	br := v.Key("ByteRange")
	if br.Kind() != pdf.Array {
		f.problem = "the signature has no /ByteRange array"
		return f
	}
	if n := br.Len(); n != 4 {
		f.problem = "/ByteRange has " + strconv.Itoa(n) + " entries, want 4"
		return f
	}
	for i := 0; i < 4; i++ {
		e := br.Index(i)
		if e.Kind() != pdf.Integer {
			f.problem = "/ByteRange holds something other than integers"
			return f
		}
		f.byteRange = append(f.byteRange, e.Int64())
	}
	c := v.Key("Contents")
	if c.Kind() != pdf.String {
		f.problem = "the signature has no /Contents string"
		return f
	}
	f.contents = []byte(c.RawString())
	// Checked last, so that the byte range still takes part in the
	// comparison with the raw scan.
	switch t := v.Key("Type").Name(); {
	case t == "DocTimeStamp" || t == "" && f.subFilter == subFilterRFC3161:
		f.kind = KindDocumentTimestamp
		if f.subFilter != subFilterRFC3161 {
			f.problem = "a document timestamp with /SubFilter " + quote(f.subFilter) + ", want ETSI.RFC3161"
		}
	case t != "" && t != "Sig":
		f.problem = "signature dictionaries of type /" + t + " are not supported"
	case f.subFilter == subFilterRFC3161:
		f.problem = "an ETSI.RFC3161 document timestamp must have /Type /DocTimeStamp"
	}
	return f
}

// clip shortens a message that may quote file bytes, for a report detail.
func clip(s string) string {
	const max = 120
	if len(s) > max {
		s = s[:max] + "…"
	}
	return strconv.QuoteToASCII(s)
}

func quote(s string) string {
	return strconv.Quote(s)
}

// maxSeedSubjects bounds the subjects read from a seed value.
const maxSeedSubjects = 16

// readSeedSubjects reads a field's certificate seed value (ISO 32000-1
// §12.7.4.5, Table 235): the /SubjectDN dictionaries, when /Ff marks them
// as required (bit 4).
func readSeedSubjects(field pdf.Value) []map[string]string {
	cert := field.Key("SV").Key("Cert")
	if cert.Key("Ff").Int64()&8 == 0 {
		return nil
	}
	dns := cert.Key("SubjectDN")
	var out []map[string]string
	for i := 0; i < dns.Len() && i < maxSeedSubjects; i++ {
		dn := dns.Index(i)
		if dn.Kind() != pdf.Dict {
			continue
		}
		m := map[string]string{}
		for _, k := range dn.Keys() {
			v := dn.Key(k).Text()
			if len(v) > 256 {
				v = v[:256]
			}
			m[k] = v
		}
		out = append(out, m)
	}
	return out
}
