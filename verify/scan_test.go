package verify

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCheckByteRange(t *testing.T) {
	// "0123456789" "<abcd>" "ABCDEFGHIJ": the gap is bytes [10, 16).
	data := []byte("0123456789<abcd>ABCDEFGHIJ")
	tests := []struct {
		name string
		br   []int64
		ok   bool
	}{
		{"exact", []int64{0, 10, 16, 10}, true},
		{"short second range", []int64{0, 10, 16, 5}, true},
		{"three entries", []int64{0, 10, 16}, false},
		{"negative", []int64{0, 10, 16, -1}, false},
		{"not from 0", []int64{1, 9, 16, 10}, false},
		{"beyond the end", []int64{0, 10, 16, 11}, false},
		{"start beyond the end", []int64{0, 10, 27, 0}, false},
		{"overlap", []int64{0, 10, 9, 17}, false},
		{"empty gap", []int64{0, 10, 10, 16}, false},
		{"gap one byte too early", []int64{0, 9, 16, 10}, false},
		{"gap one byte too late", []int64{0, 11, 16, 10}, false},
		{"gap without the >", []int64{0, 10, 15, 11}, false},
		{"huge values", []int64{0, 10, 1 << 62, 1 << 62}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, problem := checkByteRange(data, tt.br)
			if (problem == "") != tt.ok {
				t.Fatalf("got problem %q, want ok=%v", problem, tt.ok)
			}
			if tt.ok && (r.gapStart != 10 || r.gapEnd != 16 || r.end != int(tt.br[2]+tt.br[3])) {
				t.Errorf("got %+v, want gap [10,16)", r)
			}
		})
	}
	for _, gap := range []string{"<abc>", "<ab d>", "(abcd)", "<abxd>"} {
		d := []byte("0123456789" + gap + "ABCDEFGHIJ")
		if _, problem := checkByteRange(d, []int64{0, 10, int64(10 + len(gap)), 10}); problem == "" {
			t.Errorf("gap %q: got no problem, want one", gap)
		}
	}
}

func TestCheckGapContents(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		contents []byte
		ok       bool
	}{
		{"matches", "<< /Contents <0a0B> >>", []byte{0x0a, 0x0b}, true},
		{"white space before the value", "<< /Contents\n <0a0b> >>", []byte{0x0a, 0x0b}, true},
		{"other bytes", "<< /Contents <0a0c> >>", []byte{0x0a, 0x0b}, false},
		{"other length", "<< /Contents <0a0b> >>", []byte{0x0a}, false},
		{"not /Contents", "<< /Cert <0a0b> >>", []byte{0x0a, 0x0b}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := []byte(tt.data)
			lt := 3 + strings.IndexByte(tt.data[3:], '<') // after the "<< " that opens the dictionary
			gt := lt + strings.IndexByte(tt.data[lt:], '>')
			problem := checkGapContents(d, byteRange{gapStart: lt, gapEnd: gt + 1, end: len(d)}, tt.contents)
			if (problem == "") != tt.ok {
				t.Errorf("got problem %q, want ok=%v", problem, tt.ok)
			}
		})
	}
}

func TestScanByteRanges(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		want     [][]int64
		problems int
	}{
		{"none", "%PDF-1.7 nothing here", nil, 0},
		{"one", "/ByteRange [0 10 20 30]", [][]int64{{0, 10, 20, 30}}, 0},
		{"white space and padding", "/ByteRange[ 0\n10 20   30 ]   /Contents", [][]int64{{0, 10, 20, 30}}, 0},
		{"two", "/ByteRange [0 1 2 3] x /ByteRange [0 4 5 6]", [][]int64{{0, 1, 2, 3}, {0, 4, 5, 6}}, 0},
		{"longer name ignored", "/ByteRanges [0 1 2 3]", nil, 0},
		{"negative", "/ByteRange [0 -1 2 3]", nil, 1},
		{"three values", "/ByteRange [0 1 2]", nil, 1},
		{"five values", "/ByteRange [0 1 2 3 4]", nil, 1},
		{"indirect", "/ByteRange 5 0 R", nil, 1},
		{"real", "/ByteRange [0 1.5 2 3]", nil, 1},
		{"comment inside", "/ByteRange [0 1 %x\n 2 3]", nil, 1},
		{"unterminated", "/ByteRange [0 1 2 3", nil, 1},
		{"too large", "/ByteRange [0 1 2 12345678901234567890]", nil, 1},
		{"at end of file", "/ByteRange", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scanByteRanges([]byte(tt.data))
			var vals [][]int64
			problems := 0
			for _, r := range got {
				if r.problem != "" {
					problems++
					continue
				}
				vals = append(vals, r.values)
			}
			if problems != tt.problems || !slices.EqualFunc(vals, tt.want, slices.Equal) {
				t.Errorf("got %v with %d problem(s), want %v with %d", vals, problems, tt.want, tt.problems)
			}
		})
	}
}

func TestCompareDiscovery(t *testing.T) {
	f := func(br ...int64) sigField { return sigField{name: "f", byteRange: br} }
	r := func(br ...int64) rawByteRange { return rawByteRange{values: br} }
	tests := []struct {
		name   string
		fields []sigField
		raws   []rawByteRange
		ok     bool
	}{
		{"none", nil, nil, true},
		{"same", []sigField{f(0, 1, 2, 3)}, []rawByteRange{r(0, 1, 2, 3)}, true},
		{"same, other order", []sigField{f(0, 1, 2, 3), f(0, 5, 6, 7)}, []rawByteRange{r(0, 5, 6, 7), r(0, 1, 2, 3)}, true},
		{"scan finds more", []sigField{f(0, 1, 2, 3)}, []rawByteRange{r(0, 1, 2, 3), r(0, 5, 6, 7)}, false},
		{"form lists more", []sigField{f(0, 1, 2, 3), f(0, 5, 6, 7)}, []rawByteRange{r(0, 1, 2, 3)}, false},
		{"different values", []sigField{f(0, 1, 2, 3)}, []rawByteRange{r(0, 1, 2, 4)}, false},
		{"duplicate", []sigField{f(0, 1, 2, 3), f(0, 1, 2, 3)}, []rawByteRange{r(0, 1, 2, 3), r(0, 1, 2, 3)}, false},
		{"unreadable raw", []sigField{f(0, 1, 2, 3)}, []rawByteRange{{problem: "bad"}}, false},
		{"unreadable field", []sigField{{name: "f", problem: "bad"}}, []rawByteRange{r(0, 1, 2, 3)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if problem := compareDiscovery(tt.fields, tt.raws); (problem == "") != tt.ok {
				t.Errorf("got problem %q, want ok=%v", problem, tt.ok)
			}
		})
	}
}

func TestStartXref(t *testing.T) {
	tests := []struct {
		name string
		tail string
		want int64 // -1: error
	}{
		{"plain", "\nstartxref\n9\n%%EOF\n", 9},
		{"blank line, CRLF", "\r\nstartxref\r\n\r\n12\r\n%%EOF\r\n", 12},
		{"trailing white space", "\nstartxref\n9\n%%EOF  \n\n\x00", 9},
		{"no EOL before %%EOF", "\nstartxref\n9 %%EOF\n", -1},
		{"keyword not at line start", "\n startxref\n9\n%%EOF\n", -1},
		{"no offset", "\nstartxref\n\n%%EOF\n", -1},
		{"no keyword", "\nstartxrex\n9\n%%EOF\n", -1},
		{"something after %%EOF", "\nstartxref\n9\n%%EOF\nx", -1},
		{"offset beyond the file", "\nstartxref\n99999\n%%EOF\n", -1},
		{"far from the end", "\nstartxref\n9" + strings.Repeat(" ", 200) + "\n%%EOF\n", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := startXref([]byte("%PDF-1.7\n" + tt.tail))
			switch {
			case tt.want < 0 && !errors.Is(err, errBadTail):
				t.Errorf("got %d, %v; want errBadTail", got, err)
			case tt.want >= 0 && (err != nil || got != tt.want):
				t.Errorf("got %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestTrailerLexer(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		wantPrev int64 // -1: no /Prev; -2: error
	}{
		{"plain", "<< /Size 5 /Root 1 0 R /Prev 100 >>", 100},
		{"no prev", "<< /Size 5 /Root 1 0 R /ID [<00ff> <AB CD>] >>", -1},
		{"escaped name", "<< /Size 5 /Pr#65v 7 >>", 7},
		{"comment", "<< /Size 5 % a comment /Prev 1\n /Prev 3 >>", 3},
		{"nested", "<< /Size 5 /Info << /Title (a (nested) \\) string) /A [1 [2 [3]]] >> /Prev 4 >>", 4},
		{"duplicate key", "<< /Prev 1 /Prev 2 >>", -2},
		{"duplicate escaped key", "<< /Prev 1 /P#72ev 2 >>", -2},
		{"unterminated", "<< /Prev 1 ", -2},
		{"bad escape", "<< /T (a\\qb) >>", -2},
		{"odd hex", "<< /ID <abc> >>", -2},
		{"non-name key", "<< (k) 1 >>", -2},
		{"too deep", "<< /A " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + " >>", -2},
		{"stray keyword", "<< /A foo >>", -2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &lexer{data: []byte(tt.src)}
			d, err := l.dict()
			switch {
			case tt.wantPrev == -2:
				if !errors.Is(err, errSyntax) {
					t.Errorf("got %v, %v; want errSyntax", d, err)
				}
			case err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.wantPrev == -1:
				if _, ok := d["Prev"]; ok {
					t.Errorf("got /Prev %v, want none", d["Prev"])
				}
			default:
				if p := d["Prev"]; p.kind != valueInt || p.n != tt.wantPrev {
					t.Errorf("got /Prev %+v, want %d", p, tt.wantPrev)
				}
			}
		})
	}
	l := &lexer{data: []byte("<< /Root 12 0 R >>")}
	if d, err := l.dict(); err != nil || d["Root"].kind != valueRef || d["Root"].n != 12 {
		t.Errorf("got %v, %v; want /Root a reference to 12", d, err)
	}
}

func TestXrefEntry(t *testing.T) {
	for entry, ok := range map[string]bool{
		"0000000000 65535 f \n":  true,
		"0000000017 00000 n\r\n": true,
		"0000000017 00000 n \r":  true,
		"0000000017 00000 n\n\n": false,
		"000000017 00000 n \n ":  false,
		"0000000017 00000 x \n":  false,
		"0000000017 0000a n \n":  false,
		"0000000017 00000 n":     false,
	} {
		if got := xrefEntry([]byte(entry), 0); got != ok {
			t.Errorf("%q: got %v, want %v", entry, got, ok)
		}
	}
}

func TestParseCMSLimits(t *testing.T) {
	e := newEnv(t)
	many := make([]*x509.Certificate, maxCMSCertificates+1)
	for i := range many {
		many[i] = e.ca.Issuing
	}
	der := buildCMS(t, []byte("content"), cmsSpec{key: e.key, cert: e.cert, certs: many})
	if _, err := parseCMS(der); !errors.Is(err, errMalformedCMS) {
		t.Errorf("%d certificates: got %v, want errMalformedCMS", len(many), err)
	}
	der = buildCMS(t, []byte("content"), cmsSpec{key: e.key, cert: e.cert, certs: many[:maxCMSCertificates]})
	if _, err := parseCMS(der); err != nil {
		t.Errorf("%d certificates: got %v, want no error", maxCMSCertificates, err)
	}
	for _, tail := range [][]byte{{0}, {0, 0, 0}, {1}, {0, 0x30}} {
		_, err := parseCMS(append(bytes.Clone(der), tail...))
		if wantOK := !slices.ContainsFunc(tail, func(b byte) bool { return b != 0 }); (err == nil) != wantOK {
			t.Errorf("tail %x: got %v, want ok=%v", tail, err, wantOK)
		}
	}
	for _, bad := range [][]byte{nil, {0x30}, {0x30, 0x80, 0, 0}, {0x31, 0}} {
		if _, err := parseCMS(bad); !errors.Is(err, errMalformedCMS) {
			t.Errorf("%x: got %v, want errMalformedCMS", bad, err)
		}
	}
}

func TestNameString(t *testing.T) {
	tests := []struct {
		name pkix.Name
		want string
	}{
		{pkix.Name{Country: []string{"VN"}, Organization: []string{"Sở GD&ĐT Bến Tre"}, CommonName: "Nguyễn Văn Nghĩa",
			ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidTitle, Value: "Giám đốc"}}},
			"T=Giám đốc,CN=Nguyễn Văn Nghĩa,O=Sở GD&ĐT Bến Tre,C=VN"},
		{pkix.Name{CommonName: "Trần, Thị+B", Organization: []string{" lead#"}},
			`CN=Trần\, Thị\+B,O=\ lead#`},
		{pkix.Name{CommonName: "x", ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{1, 2, 3}, Value: "y"}}},
			pkix.Name{CommonName: "x", ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{1, 2, 3}, Value: "y"}}}.String()},
	}
	for _, tt := range tests {
		raw, err := asn1.Marshal(tt.name.ToRDNSequence())
		if err != nil {
			t.Fatal(err)
		}
		if got := nameString(raw, tt.name); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	if got := nameString([]byte{0x30}, pkix.Name{CommonName: "fallback"}); got != "CN=fallback" {
		t.Errorf("unparsable raw name: got %q, want the pkix form", got)
	}
}
