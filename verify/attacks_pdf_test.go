package verify

// Raw PDF surgery for the attack corpus (attacks_test.go): reading the
// classic cross-reference chain of a file, the newest definition of an
// object, top-level dictionary entries, and writing incremental updates by
// hand. It is test code, written for the files kyso's signer and renderer
// produce, and deliberately independent of both the verifier's reader and
// the signer's writer, so that an attack is never built with the code that
// is meant to catch it.

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// atkFile is what the cross-reference chain of a file says: where the
// newest definition of each object starts, and the newest trailer.
type atkFile struct {
	data      []byte
	offsets   map[int]int // object number -> offset of "N G obj"
	size      int         // the newest trailer's /Size
	root      string      // "N 0 R"
	info      string      // "N 0 R" or ""
	id        string      // the /ID array as written, or ""
	startxref int         // offset of the newest cross-reference section
}

var (
	atkTrailerSize = regexp.MustCompile(`/Size\s+(\d+)`)
	atkTrailerRoot = regexp.MustCompile(`/Root\s+(\d+\s+\d+\s+R)`)
	atkTrailerInfo = regexp.MustCompile(`/Info\s+(\d+\s+\d+\s+R)`)
	atkTrailerPrev = regexp.MustCompile(`/Prev\s+(\d+)`)
	atkTrailerID   = regexp.MustCompile(`/ID\s*(\[[^\]]*\])`)
)

// atkParse reads the cross-reference chain of a file with classic tables.
func atkParse(t testing.TB, data []byte) *atkFile {
	t.Helper()
	i := bytes.LastIndex(data, []byte("startxref"))
	if i < 0 {
		t.Fatal("no startxref")
	}
	f := &atkFile{data: data, offsets: map[int]int{}}
	fields := bytes.Fields(data[i+len("startxref"):])
	if len(fields) == 0 {
		t.Fatal("startxref without an offset")
	}
	off, err := strconv.Atoi(string(fields[0]))
	if err != nil {
		t.Fatal(err)
	}
	f.startxref = off
	for seen := 0; off > 0; seen++ {
		if seen > 64 || !bytes.HasPrefix(data[off:], []byte("xref")) {
			t.Fatalf("no cross-reference table at %d", off)
		}
		tr := bytes.Index(data[off:], []byte("trailer"))
		if tr < 0 {
			t.Fatalf("no trailer after the table at %d", off)
		}
		lines := strings.Fields(string(data[off+len("xref") : off+tr]))
		for len(lines) >= 2 {
			first, err1 := strconv.Atoi(lines[0])
			n, err2 := strconv.Atoi(lines[1])
			if err1 != nil || err2 != nil || len(lines) < 2+3*n {
				t.Fatalf("bad cross-reference subsection at %d", off)
			}
			for k := 0; k < n; k++ {
				o, _ := strconv.Atoi(lines[2+3*k])
				if _, newer := f.offsets[first+k]; !newer && lines[4+3*k] == "n" {
					f.offsets[first+k] = o
				}
			}
			lines = lines[2+3*n:]
		}
		end := bytes.Index(data[off+tr:], []byte("startxref"))
		if end < 0 {
			t.Fatalf("no startxref after the trailer at %d", off+tr)
		}
		trailer := string(data[off+tr : off+tr+end])
		if seen == 0 {
			m := atkTrailerSize.FindStringSubmatch(trailer)
			r := atkTrailerRoot.FindStringSubmatch(trailer)
			if m == nil || r == nil {
				t.Fatalf("trailer without /Size or /Root: %s", trailer)
			}
			f.size, _ = strconv.Atoi(m[1])
			f.root = r[1]
			if m := atkTrailerInfo.FindStringSubmatch(trailer); m != nil {
				f.info = m[1]
			}
			if m := atkTrailerID.FindStringSubmatch(trailer); m != nil {
				f.id = m[1]
			}
		}
		off = 0
		if m := atkTrailerPrev.FindStringSubmatch(trailer); m != nil {
			off, _ = strconv.Atoi(m[1])
		}
	}
	return f
}

// atkRefNum returns the object number of "N G R".
func atkRefNum(t testing.TB, ref string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.Fields(ref)[0])
	if err != nil {
		t.Fatalf("not a reference: %q", ref)
	}
	return n
}

// object returns the newest definition of object num: the text between
// "obj" and "endobj", trimmed, with its offset in the file.
func (f *atkFile) object(t testing.TB, num int) (body string, at int) {
	t.Helper()
	off, ok := f.offsets[num]
	if !ok {
		t.Fatalf("object %d is not in the cross-reference chain", num)
	}
	head := fmt.Sprintf("%d 0 obj", num)
	if !bytes.HasPrefix(f.data[off:], []byte(head)) {
		t.Fatalf("object %d: %q at %d", num, f.data[off:off+20], off)
	}
	start := off + len(head)
	rest := f.data[start:]
	end := bytes.Index(rest, []byte("endobj"))
	if s := bytes.Index(rest, []byte("stream")); s >= 0 && s < end {
		es := bytes.Index(rest, []byte("endstream"))
		end = es + bytes.Index(rest[es:], []byte("endobj"))
	}
	if end < 0 {
		t.Fatalf("object %d has no endobj", num)
	}
	return strings.TrimSpace(string(rest[:end])), off
}

// dict returns the dictionary of object num (a stream's dictionary for a
// stream).
func (f *atkFile) dict(t testing.TB, num int) *atkDict {
	t.Helper()
	body, _ := f.object(t, num)
	d, _, err := atkParseDict(body)
	if err != nil {
		t.Fatalf("object %d: %v", num, err)
	}
	return d
}

// rootNum is the catalog's object number.
func (f *atkFile) rootNum(t testing.TB) int { return atkRefNum(t, f.root) }

// pageNum returns the object number of page n (1-based), following the
// page tree's /Kids (kyso's files have a flat tree).
func (f *atkFile) pageNum(t testing.TB, n int) int {
	t.Helper()
	pages := atkRefNum(t, f.dict(t, f.rootNum(t)).get("Pages"))
	kids := atkRefs(f.dict(t, pages).get("Kids"))
	if n < 1 || n > len(kids) {
		t.Fatalf("page %d of %d", n, len(kids))
	}
	return atkRefNum(t, kids[n-1])
}

// fieldNum returns the object number of the form field named name.
func (f *atkFile) fieldNum(t testing.TB, name string) int {
	t.Helper()
	form := f.dict(t, f.rootNum(t)).get("AcroForm")
	fd := f.resolveDict(t, form)
	for _, r := range atkRefs(fd.get("Fields")) {
		n := atkRefNum(t, r)
		if atkDecodeText(f.dict(t, n).get("T")) == name {
			return n
		}
	}
	t.Fatalf("no field %q", name)
	return 0
}

// resolveDict returns the dictionary v, or the one it refers to.
func (f *atkFile) resolveDict(t testing.TB, v string) *atkDict {
	t.Helper()
	if strings.HasSuffix(v, "R") {
		return f.dict(t, atkRefNum(t, v))
	}
	d, _, err := atkParseDict(v)
	if err != nil {
		t.Fatalf("%q: %v", v, err)
	}
	return d
}

var (
	atkRefPattern = regexp.MustCompile(`\d+\s+\d+\s+R`)
	atkRefTail    = regexp.MustCompile(`^\d+\s+R\b`)
)

// atkRefs returns the references in an array as written.
func atkRefs(array string) []string {
	return atkRefPattern.FindAllString(array, -1)
}

// atkDecodeText decodes a literal or hex string as written (PDFDocEncoding
// read as Latin-1, or UTF-16BE with a byte order mark).
func atkDecodeText(v string) string {
	var raw []byte
	switch {
	case strings.HasPrefix(v, "<"):
		h := strings.Map(func(r rune) rune {
			if strings.ContainsRune(" \t\r\n", r) {
				return -1
			}
			return r
		}, strings.Trim(v, "<>"))
		if len(h)%2 == 1 {
			h += "0"
		}
		var err error
		if raw, err = hex.DecodeString(h); err != nil {
			return ""
		}
	case strings.HasPrefix(v, "("):
		in := v[1 : len(v)-1]
		for i := 0; i < len(in); i++ {
			if in[i] == '\\' && i+1 < len(in) {
				i++
			}
			raw = append(raw, in[i])
		}
	default:
		return ""
	}
	if len(raw) >= 2 && raw[0] == 0xFE && raw[1] == 0xFF {
		u := make([]uint16, 0, len(raw)/2)
		for i := 2; i+1 < len(raw); i += 2 {
			u = append(u, uint16(raw[i])<<8|uint16(raw[i+1]))
		}
		return string(utf16.Decode(u))
	}
	return string(raw)
}

// atkDict is a PDF dictionary as ordered entries of raw value text.
type atkDict struct {
	keys []string
	vals map[string]string
}

func (d *atkDict) get(k string) string { return d.vals[k] }

func (d *atkDict) set(k, v string) *atkDict {
	if _, ok := d.vals[k]; !ok {
		d.keys = append(d.keys, k)
	}
	d.vals[k] = v
	return d
}

func (d *atkDict) del(k string) *atkDict {
	delete(d.vals, k)
	d.keys = slices.DeleteFunc(d.keys, func(x string) bool { return x == k })
	return d
}

func (d *atkDict) clone() *atkDict {
	c := &atkDict{keys: slices.Clone(d.keys), vals: map[string]string{}}
	for k, v := range d.vals {
		c.vals[k] = v
	}
	return c
}

func (d *atkDict) String() string {
	var b strings.Builder
	b.WriteString("<<")
	for _, k := range d.keys {
		b.WriteString(" /" + k + " " + d.vals[k])
	}
	b.WriteString(" >>")
	return b.String()
}

// atkParseDict parses the dictionary at the start of s (white space
// allowed before it) and returns it with the rest of s.
func atkParseDict(s string) (*atkDict, string, error) {
	p := &atkScanner{s: s}
	p.space()
	if !strings.HasPrefix(p.s[p.i:], "<<") {
		return nil, "", fmt.Errorf("no dictionary at %q", atkClip(p.s[p.i:]))
	}
	start := p.i
	if err := p.value(); err != nil {
		return nil, "", err
	}
	inner := &atkScanner{s: s[start+2 : p.i-2]}
	d := &atkDict{vals: map[string]string{}}
	for {
		inner.space()
		if inner.i >= len(inner.s) {
			break
		}
		if inner.s[inner.i] != '/' {
			return nil, "", fmt.Errorf("dictionary key expected at %q", atkClip(inner.s[inner.i:]))
		}
		ks := inner.i
		if err := inner.value(); err != nil {
			return nil, "", err
		}
		key := inner.s[ks+1 : inner.i]
		inner.space()
		vs := inner.i
		if err := inner.value(); err != nil {
			return nil, "", err
		}
		// A reference is three tokens.
		save := inner.i
		inner.space()
		if m := atkRefTail.FindString(inner.s[inner.i:]); m != "" && atkAllDigits(inner.s[vs:save]) {
			inner.i += len(m)
		} else {
			inner.i = save
		}
		d.set(key, strings.TrimSpace(inner.s[vs:inner.i]))
	}
	return d, s[p.i:], nil
}

func atkAllDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func atkClip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// atkScanner skips over one PDF value at a time.
type atkScanner struct {
	s string
	i int
}

func (p *atkScanner) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\r', '\n', '\f', 0:
			p.i++
		case '%':
			for p.i < len(p.s) && p.s[p.i] != '\n' && p.s[p.i] != '\r' {
				p.i++
			}
		default:
			return
		}
	}
}

func (p *atkScanner) value() error {
	if p.i >= len(p.s) {
		return fmt.Errorf("value expected at the end")
	}
	switch c := p.s[p.i]; {
	case strings.HasPrefix(p.s[p.i:], "<<"):
		p.i += 2
		for {
			p.space()
			if strings.HasPrefix(p.s[p.i:], ">>") {
				p.i += 2
				return nil
			}
			if p.i >= len(p.s) {
				return fmt.Errorf("unterminated dictionary")
			}
			if err := p.value(); err != nil {
				return err
			}
		}
	case c == '[':
		p.i++
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ']' {
				p.i++
				return nil
			}
			if p.i >= len(p.s) {
				return fmt.Errorf("unterminated array")
			}
			if err := p.value(); err != nil {
				return err
			}
		}
	case c == '<':
		j := strings.IndexByte(p.s[p.i:], '>')
		if j < 0 {
			return fmt.Errorf("unterminated hex string")
		}
		p.i += j + 1
	case c == '(':
		depth := 0
		for p.i < len(p.s) {
			switch p.s[p.i] {
			case '\\':
				p.i++
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					p.i++
					return nil
				}
			}
			p.i++
		}
		return fmt.Errorf("unterminated string")
	case c == '/':
		p.i++
		p.word()
	default:
		if !p.word() {
			return fmt.Errorf("unexpected %q", c)
		}
	}
	return nil
}

// word skips a run of regular characters; false if there was none.
func (p *atkScanner) word() bool {
	start := p.i
	for p.i < len(p.s) && !strings.ContainsRune(" \t\r\n\f\x00()<>[]{}/%", rune(p.s[p.i])) {
		p.i++
	}
	return p.i > start
}

// atkObj is one object of a hand-written update.
type atkObj struct {
	num  int
	body string // what goes between "N 0 obj" and "endobj"
}

// atkStream is the body of a stream object holding data uncompressed;
// extra entries go into its dictionary.
func atkStream(data, extra string) string {
	return fmt.Sprintf("<< /Length %d %s>>\nstream\n%s\nendstream", len(data), extra, data)
}

// atkUpdateOpts change how atkAppend writes an update.
type atkUpdateOpts struct {
	// root replaces the trailer's /Root ("N 0 R").
	root string
	// noXref writes the objects only: no cross-reference section, no
	// trailer, no startxref (an update some viewers still read when
	// they repair the file).
	noXref bool
}

// atkAppend appends an incremental update holding objs to f's file: the
// objects, a cross-reference section for them, and a trailer that keeps
// /Root, /Info and /ID and points back with /Prev.
func atkAppend(t testing.TB, f *atkFile, objs []atkObj, o atkUpdateOpts) []byte {
	t.Helper()
	var b bytes.Buffer
	b.Write(f.data)
	if !bytes.HasSuffix(f.data, []byte("\n")) {
		b.WriteByte('\n')
	}
	offsets := map[int]int{}
	size := f.size
	for _, obj := range objs {
		offsets[obj.num] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", obj.num, obj.body)
		size = max(size, obj.num+1)
	}
	if o.noXref {
		return b.Bytes()
	}
	xref := b.Len()
	b.WriteString("xref\n")
	nums := make([]int, 0, len(offsets))
	for n := range offsets {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		fmt.Fprintf(&b, "%d %d\n", nums[i], j-i+1)
		for k := i; k <= j; k++ {
			fmt.Fprintf(&b, "%010d 00000 n \n", offsets[nums[k]])
		}
		i = j + 1
	}
	root := f.root
	if o.root != "" {
		root = o.root
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %s", size, root)
	if f.info != "" {
		fmt.Fprintf(&b, " /Info %s", f.info)
	}
	if f.id != "" {
		fmt.Fprintf(&b, " /ID %s", f.id)
	}
	fmt.Fprintf(&b, " /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", f.startxref, xref)
	return b.Bytes()
}

// atkSigDict locates the signature dictionary whose /ByteRange is the
// n-th (0-based; -1 for the last) in the file, as written by kyso's
// signer: the offsets of its /ByteRange array (from "[" to "]" inclusive)
// and of its /Contents hex string (from "<" to ">" inclusive).
type atkSigDict struct {
	brStart, brEnd     int // data[brStart:brEnd] is "[0 a b c   ]"
	hexStart, hexEnd   int // data[hexStart:hexEnd] is "<...>"
	dictStart, dictEnd int // data[dictStart:dictEnd] is "<< ... >>"
	byteRange          [4]int
}

func atkFindSig(t testing.TB, data []byte, n int) atkSigDict {
	t.Helper()
	var all []int
	for from := 0; ; {
		i := bytes.Index(data[from:], []byte("/ByteRange"))
		if i < 0 {
			break
		}
		all = append(all, from+i)
		from += i + 1
	}
	if n < 0 {
		n += len(all)
	}
	if n < 0 || n >= len(all) {
		t.Fatalf("signature %d of %d", n, len(all))
	}
	at := all[n]
	var s atkSigDict
	s.dictStart = bytes.LastIndex(data[:at], []byte("<<"))
	s.brStart = at + bytes.IndexByte(data[at:], '[')
	s.brEnd = s.brStart + bytes.IndexByte(data[s.brStart:], ']') + 1
	vals := strings.Fields(string(data[s.brStart+1 : s.brEnd-1]))
	if len(vals) != 4 {
		t.Fatalf("/ByteRange %q", data[s.brStart:s.brEnd])
	}
	for i, v := range vals {
		s.byteRange[i], _ = strconv.Atoi(v)
	}
	s.hexStart, s.hexEnd = s.byteRange[1], s.byteRange[2]
	if data[s.hexStart] != '<' || data[s.hexEnd-1] != '>' {
		t.Fatalf("the byte range's gap is not a hex string")
	}
	p := &atkScanner{s: string(data[s.dictStart:])}
	if err := p.value(); err != nil {
		t.Fatalf("signature dictionary: %v", err)
	}
	s.dictEnd = s.dictStart + p.i
	return s
}

// atkSpliceSame replaces data[from:to] with repl padded with spaces to the
// same length (the offsets of everything else stay valid), or fails.
func atkSpliceSame(t testing.TB, data []byte, from, to int, repl string) []byte {
	t.Helper()
	if len(repl) > to-from {
		t.Fatalf("replacement of %d bytes for %d", len(repl), to-from)
	}
	out := bytes.Clone(data)
	copy(out[from:], repl+strings.Repeat(" ", to-from-len(repl)))
	return out
}
