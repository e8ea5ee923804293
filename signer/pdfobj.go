package signer

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/digitorus/pdf"
)

// This file writes PDF objects for incremental updates. Objects kyso
// changes (a signature field, the interactive form, the catalog) are
// rewritten from what github.com/digitorus/pdf read, entry by entry, with
// their indirect references kept as references: the reader's Value resolves
// references as it goes, so rawObject reads the unresolved data underneath
// (Value.RawData) by reflection on the reader's own types.

// errRawValue means a value read from the PDF is of a kind the object writer
// does not copy (a stream where a dictionary was expected, a type of the
// reader this code does not know).
var errRawValue = errors.New("cannot copy PDF value")

// ref is an indirect reference.
type ref struct {
	id  uint32
	gen uint16
}

func (r ref) String() string { return fmt.Sprintf("%d %d R", r.id, r.gen) }

func refOf(v pdf.Value) ref {
	p := v.GetPtr()
	return ref{id: p.GetID(), gen: p.GetGen()}
}

// rawDict is a dictionary read from the PDF, with unresolved values, that
// can be changed and written again.
type rawDict struct {
	keys   []string
	values map[string]any // raw reader values, or a literal (see lit)
}

// lit is PDF syntax written as it is.
type lit string

// rawDictOf reads v's dictionary without resolving its values.
func rawDictOf(v pdf.Value) (*rawDict, error) {
	if v.Kind() != pdf.Dict {
		return nil, fmt.Errorf("%w: want a dictionary, got kind %d", errRawValue, v.Kind())
	}
	rv := reflect.ValueOf(v.RawData())
	if rv.Kind() != reflect.Map {
		return nil, fmt.Errorf("%w: dictionary of type %s", errRawValue, rv.Type())
	}
	d := &rawDict{values: map[string]any{}}
	for _, k := range rv.MapKeys() {
		name := k.String()
		d.keys = append(d.keys, name)
		d.values[name] = rv.MapIndex(k).Interface()
	}
	slices.Sort(d.keys)
	return d, nil
}

// set sets key to a literal.
func (d *rawDict) set(key string, value lit) {
	if _, ok := d.values[key]; !ok {
		d.keys = append(d.keys, key)
	}
	d.values[key] = value
}

func (d *rawDict) get(key string) (any, bool) {
	v, ok := d.values[key]
	return v, ok
}

// write writes the dictionary; keys keep the order they were read in (sorted)
// followed by added ones.
func (d *rawDict) write(b *bytes.Buffer) error {
	b.WriteString("<<")
	for _, k := range d.keys {
		b.WriteString(" ")
		writeName(b, k)
		b.WriteString(" ")
		if err := writeRaw(b, d.values[k]); err != nil {
			return fmt.Errorf("/%s: %w", k, err)
		}
	}
	b.WriteString(" >>")
	return nil
}

// writeRaw writes a raw value of github.com/digitorus/pdf (nil, bool, int64,
// float64, string, name, dict, array, objptr) or a lit.
func writeRaw(b *bytes.Buffer, x any) error {
	if x == nil {
		b.WriteString("null")
		return nil
	}
	if l, ok := x.(lit); ok {
		b.WriteString(string(l))
		return nil
	}
	rv := reflect.ValueOf(x)
	switch rv.Type().Name() {
	case "bool":
		b.WriteString(strconv.FormatBool(rv.Bool()))
	case "int64":
		b.WriteString(strconv.FormatInt(rv.Int(), 10))
	case "float64":
		b.WriteString(strconv.FormatFloat(rv.Float(), 'f', -1, 64))
	case "string":
		writeHexString(b, rv.String())
	case "name":
		writeName(b, rv.String())
	case "objptr":
		if rv.Kind() != reflect.Struct || rv.NumField() != 2 {
			return fmt.Errorf("%w: reference of type %s", errRawValue, rv.Type())
		}
		fmt.Fprintf(b, "%d %d R", rv.Field(0).Uint(), rv.Field(1).Uint())
	case "array":
		b.WriteString("[")
		for i := 0; i < rv.Len(); i++ {
			if i > 0 {
				b.WriteString(" ")
			}
			if err := writeRaw(b, rv.Index(i).Interface()); err != nil {
				return err
			}
		}
		b.WriteString("]")
	case "dict":
		keys := make([]string, 0, rv.Len())
		for _, k := range rv.MapKeys() {
			keys = append(keys, k.String())
		}
		slices.Sort(keys)
		b.WriteString("<<")
		for _, k := range keys {
			b.WriteString(" ")
			writeName(b, k)
			b.WriteString(" ")
			if err := writeRaw(b, rv.MapIndex(reflect.ValueOf(k).Convert(rv.Type().Key())).Interface()); err != nil {
				return err
			}
		}
		b.WriteString(" >>")
	default:
		return fmt.Errorf("%w: value of type %s", errRawValue, rv.Type())
	}
	return nil
}

// writeName writes a name object, escaping with #xx every byte that is not a
// regular printable character (ISO 32000-1 §7.3.5).
func writeName(b *bytes.Buffer, s string) {
	b.WriteByte('/')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7f || c == '#' || strings.IndexByte("()<>[]{}/%", c) >= 0 {
			fmt.Fprintf(b, "#%02X", c)
			continue
		}
		b.WriteByte(c)
	}
}

// writeHexString writes bytes as a hexadecimal string.
func writeHexString(b *bytes.Buffer, s string) {
	b.WriteByte('<')
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(b, "%02X", s[i])
	}
	b.WriteByte('>')
}

// textString returns s as a PDF text string: ASCII as a hexadecimal string
// of its bytes (PDFDocEncoding agrees with ASCII on printable characters),
// anything else as UTF-16BE with a byte order mark. Hexadecimal strings need
// no escaping, so no text can break the dictionary around it.
func textString(s string) lit {
	var b bytes.Buffer
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			ascii = false
			break
		}
	}
	if ascii {
		writeHexString(&b, s)
		return lit(b.String())
	}
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteByte('>')
	return lit(b.String())
}

// pdfDate writes t as a PDF date string (ISO 32000-1 §7.9.4) in UTC.
func pdfDate(t time.Time) lit {
	return lit("(D:" + t.UTC().Format("20060102150405") + "Z)")
}

// update is an incremental update being written after the bytes of a PDF.
type update struct {
	in      []byte
	b       bytes.Buffer
	next    uint32         // next free object number
	offsets map[uint32]int // object number -> offset in the output
	gens    map[uint32]uint16
}

func newUpdate(in []byte, size uint32) *update {
	u := &update{in: in, next: size, offsets: map[uint32]int{}, gens: map[uint32]uint16{}}
	u.b.Grow(len(in) + 64<<10)
	u.b.Write(in)
	if len(in) > 0 && in[len(in)-1] != '\n' && in[len(in)-1] != '\r' {
		u.b.WriteByte('\n')
	}
	return u
}

// alloc reserves a new object number.
func (u *update) alloc() uint32 {
	n := u.next
	u.next++
	return n
}

// object writes object r (new or replacing an earlier one) with body.
func (u *update) object(r ref, body []byte) {
	u.offsets[r.id] = u.b.Len()
	u.gens[r.id] = r.gen
	fmt.Fprintf(&u.b, "%d %d obj\n", r.id, r.gen)
	u.b.Write(body)
	u.b.WriteString("\nendobj\n")
}

// finish writes the cross-reference section and the trailer, chained to the
// previous section at prev, and returns the whole file.
func (u *update) finish(root, info ref, hasInfo bool, id any, prev int64) ([]byte, error) {
	xref := u.b.Len()
	nums := make([]uint32, 0, len(u.offsets))
	for n := range u.offsets {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	u.b.WriteString("xref\n")
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		fmt.Fprintf(&u.b, "%d %d\n", nums[i], j-i+1)
		for k := i; k <= j; k++ {
			fmt.Fprintf(&u.b, "%010d %05d n \n", u.offsets[nums[k]], u.gens[nums[k]])
		}
		i = j + 1
	}
	fmt.Fprintf(&u.b, "trailer\n<< /Size %d /Root %s", u.next, root)
	if hasInfo {
		fmt.Fprintf(&u.b, " /Info %s", info)
	}
	if id != nil {
		u.b.WriteString(" /ID ")
		if err := writeRaw(&u.b, id); err != nil {
			return nil, fmt.Errorf("trailer /ID: %w", err)
		}
	}
	fmt.Fprintf(&u.b, " /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", prev, xref)
	return u.b.Bytes(), nil
}
