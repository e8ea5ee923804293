package signer

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/digitorus/pdf"
)

// ValidationData is long-term validation material for a document's
// signatures (PAdES B-LT): the certificates of their chains and of the
// responders, and the OCSP responses and CRLs that show they were not
// revoked, all DER.
type ValidationData struct {
	Certs [][]byte
	OCSPs [][]byte
	CRLs  [][]byte
}

// ErrNoValidationData: AddValidationData was given nothing to add.
var ErrNoValidationData = errors.New("no validation data to add")

// docTimestampReserve is the room kept for a document timestamp token.
const docTimestampReserve = 12 << 10

// MaxValidationData bounds the validation data added in one update, in
// bytes.
const MaxValidationData = 8 << 20

// AddValidationData appends an incremental update that adds vd to the
// document's Document Security Store (ISO 32000-2 §12.8.4.3; ETSI EN
// 319 142-1 §5.4): a /DSS dictionary in the catalog with /Certs, /OCSPs and
// /CRLs arrays of streams, keeping what an earlier DSS held, and a /VRI
// entry for each signature whose signature dictionary has no entry yet,
// keyed by the SHA-1 of its /Contents, naming all the material of this
// update. Such an update changes no signed content: certification and
// field locks allow it.
func AddValidationData(in []byte, vd ValidationData) (out []byte, err error) {
	total := 0
	for _, list := range [][][]byte{vd.Certs, vd.OCSPs, vd.CRLs} {
		for _, b := range list {
			total += len(b)
		}
	}
	if total == 0 {
		return nil, ErrNoValidationData
	}
	if total > MaxValidationData {
		return nil, fmt.Errorf("%d bytes of validation data, limit %d: %w", total, MaxValidationData, ErrTooLarge)
	}
	doc, err := openDoc(in)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("%v: %w", r, ErrInvalidPDF)
		}
	}()
	u := newUpdate(in, doc.size)
	stream := func(data []byte) ref {
		r := ref{id: u.alloc()}
		var b bytes.Buffer
		fmt.Fprintf(&b, "<< /Length %d >>\nstream\n", len(data))
		b.Write(data)
		b.WriteString("\nendstream")
		u.object(r, b.Bytes())
		return r
	}
	old := doc.root.Key("DSS")
	lists := []struct {
		key  string
		data [][]byte
		refs []ref
	}{{"Certs", vd.Certs, nil}, {"OCSPs", vd.OCSPs, nil}, {"CRLs", vd.CRLs, nil}}
	var vri [3][]ref
	for i := range lists {
		l := &lists[i]
		prev := old.Key(l.key)
		for k := 0; k < prev.Len(); k++ {
			l.refs = append(l.refs, refOf(prev.Index(k)))
		}
		for _, data := range dedupe(l.data) {
			r := stream(data)
			l.refs = append(l.refs, r)
			vri[i] = append(vri[i], r)
		}
	}
	refList := func(rs []ref) lit {
		parts := make([]string, len(rs))
		for i, r := range rs {
			parts[i] = r.String()
		}
		return lit("[" + strings.Join(parts, " ") + "]")
	}

	dss := &rawDict{values: map[string]any{}}
	if old.Kind() == pdf.Dict {
		if dss, err = rawDictOf(old); err != nil {
			return nil, fmt.Errorf("DSS: %w", err)
		}
	}
	dss.set("Type", "/DSS")
	for _, l := range lists {
		if len(l.refs) > 0 {
			dss.set(l.key, refList(l.refs))
		}
	}
	// VRI: one entry per signature not yet described.
	oldVRI := old.Key("VRI")
	var vriDict bytes.Buffer
	vriDict.WriteString("<<")
	if oldVRI.Kind() == pdf.Dict {
		od, err := rawDictOf(oldVRI)
		if err != nil {
			return nil, fmt.Errorf("DSS /VRI: %w", err)
		}
		for _, k := range od.keys {
			vriDict.WriteString(" ")
			writeName(&vriDict, k)
			vriDict.WriteString(" ")
			if err := writeRaw(&vriDict, od.values[k]); err != nil {
				return nil, fmt.Errorf("DSS /VRI: %w", err)
			}
		}
	}
	for _, f := range doc.fields {
		if !f.Signed {
			continue
		}
		contents := f.value.Key("V").Key("Contents").RawString()
		sum := sha1.Sum([]byte(contents))
		key := strings.ToUpper(hex.EncodeToString(sum[:]))
		if oldVRI.Key(key).Kind() == pdf.Dict {
			continue
		}
		fmt.Fprintf(&vriDict, " /%s <<", key)
		for i, name := range []string{"Cert", "OCSP", "CRL"} {
			if len(vri[i]) > 0 {
				fmt.Fprintf(&vriDict, " /%s %s", name, refList(vri[i]))
			}
		}
		vriDict.WriteString(" >>")
	}
	vriDict.WriteString(" >>")
	dss.set("VRI", lit(vriDict.String()))

	dssRef := ref{id: u.alloc()}
	if old.Kind() == pdf.Dict && refOf(old) != refOf(doc.root) {
		dssRef = refOf(old)
	}
	var b bytes.Buffer
	if err := dss.write(&b); err != nil {
		return nil, fmt.Errorf("DSS: %w", err)
	}
	u.object(dssRef, b.Bytes())

	catalog, err := rawDictOf(doc.root)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	catalog.set("DSS", lit(dssRef.String()))
	// ISO 32000-2 extension level for the DSS (ETSI EN 319 142-1 §5.4.1).
	if _, ok := catalog.get("Extensions"); !ok {
		catalog.set("Extensions", "<< /ESIC << /BaseVersion /1.7 /ExtensionLevel 1 >> >>")
	}
	b.Reset()
	if err := catalog.write(&b); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	u.object(refOf(doc.root), b.Bytes())
	return doc.finishUpdate(u)
}

// finishUpdate writes u's cross-reference section and trailer.
func (d *document) finishUpdate(u *update) ([]byte, error) {
	trailer := d.rdr.Trailer()
	info := trailer.Key("Info")
	var id any
	if trailer.Key("ID").Kind() == pdf.Array {
		if td, err := rawDictOf(trailer); err == nil {
			id, _ = td.get("ID")
		}
	}
	return u.finish(refOf(d.root), refOf(info), info.Kind() == pdf.Dict, id, d.prev)
}

func dedupe(list [][]byte) [][]byte {
	var out [][]byte
	for _, b := range list {
		dup := false
		for _, o := range out {
			if bytes.Equal(o, b) {
				dup = true
				break
			}
		}
		if !dup && len(b) > 0 {
			out = append(out, b)
		}
	}
	return out
}

// AddDocumentTimestamp appends a document timestamp (PAdES B-LTA; ISO
// 32000-2 §12.8.5): an invisible signature field whose value is a
// /DocTimeStamp dictionary with sub-filter ETSI.RFC3161, holding an RFC 3161
// token from ts over the whole document but the token itself. A document
// timestamp after the validation data (AddValidationData) protects that data
// and the signatures beyond their certificates' lifetime; it can be renewed
// by adding another.
func AddDocumentTimestamp(ctx context.Context, in []byte, ts Timestamper) ([]byte, error) {
	if ts == nil {
		return nil, fmt.Errorf("no time-stamping authority: %w", ErrTimestamp)
	}
	doc, err := openDoc(in)
	if err != nil {
		return nil, err
	}
	var p signPlan
	names := map[string]bool{}
	for _, f := range doc.fields {
		names[f.Name] = true
	}
	for n := 1; ; n++ {
		if name := fmt.Sprintf("DocTimeStamp%d", n); !names[name] {
			p.newName = name
			break
		}
	}
	mk := contentsMaker{
		dict:    "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161",
		reserve: docTimestampReserve,
		make: func(ctx context.Context, before, after []byte) ([]byte, error) {
			msg := make([]byte, 0, len(before)+len(after))
			msg = append(append(msg, before...), after...)
			token, err := ts.Timestamp(ctx, msg)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrTimestamp, err)
			}
			return token, nil
		},
	}
	return doc.write(ctx, p, mk, "", Options{}, nil)
}
