package verify

import (
	"bytes"
	"compress/zlib"
	"crypto"
	"crypto/md5"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/pdf"
)

// handFile is an embedded file for a hand-made document.
type handFile struct {
	key   string // name-tree key, a literal string body
	data  string
	flate bool
	// streamExtra is added to the stream dictionary; params replaces the
	// computed /Params dictionary when not empty.
	streamExtra, params string
	// spec replaces the file specification when not empty; %d is the
	// stream's object number.
	spec string
}

const handRecord = `{"schema":"kyso.record/v1","kind":"diploma"}`

// addFile adds the stream and file specification of f to p and returns the
// specification's object number.
func addFile(p *handPDF, f handFile) int {
	body, filter := f.data, ""
	if f.flate {
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write([]byte(f.data))
		zw.Close()
		body, filter = z.String(), " /Filter /FlateDecode"
	}
	params := f.params
	if params == "" {
		params = fmt.Sprintf("<< /Size %d /CheckSum <%x> /ModDate (D:20260615150000+07'00') >>", len(f.data), md5.Sum([]byte(f.data)))
	}
	stream := p.add(fmt.Sprintf("<< /Type /EmbeddedFile /Subtype /application#2Fjson /Length %d%s%s /Params %s >>\nstream\n%s\nendstream",
		len(body), filter, f.streamExtra, params, body))
	spec := f.spec
	if spec == "" {
		spec = "<< /Type /Filespec /F (" + f.key + ") /UF <FEFF004E0067006801290061002E006A0073006F006E>" +
			" /Desc (Ban du lieu) /AFRelationship /Source /EF << /F %d 0 R /UF %[1]d 0 R >> >>"
	}
	return p.add(fmt.Sprintf(spec, stream))
}

// embeddedDoc is a one-page document whose catalog holds names as its
// /EmbeddedFiles name tree and, when af is not empty, the /AF array af.
// build adds the files and returns both.
func embeddedDoc(build func(p *handPDF) (names, af string)) []byte {
	var p handPDF
	catalog := p.add("")
	pages := p.add("")
	page := p.add("")
	text := "BT /F1 12 Tf 20 100 Td (" + holderName + ") Tj ET"
	content := p.add(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(text), text))
	font := p.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	info := p.add("<< /Producer (kyso test) >>")
	names, af := build(&p)
	cat := fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R /Names << /EmbeddedFiles %s >>", pages, names)
	if af != "" {
		cat += " /AF " + af
	}
	p.objs[catalog-1] = cat + " >>"
	p.objs[pages-1] = fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", page)
	p.objs[page-1] = fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 300 200] /Contents %d 0 R /Resources << /Font << /F1 %d 0 R >> >> >>", pages, content, font)
	return p.bytes(catalog, fmt.Sprintf("/Info %d 0 R ", info))
}

// oneFileDoc embeds f as the only file, listed in /AF.
func oneFileDoc(f handFile) []byte {
	return embeddedDoc(func(p *handPDF) (string, string) {
		spec := addFile(p, f)
		return fmt.Sprintf("<< /Names [(%s) %d 0 R] >>", f.key, spec), fmt.Sprintf("[%d 0 R]", spec)
	})
}

func mustEmbedded(t testing.TB, data []byte) []EmbeddedFile {
	t.Helper()
	files, err := EmbeddedFiles(data, 0)
	if err != nil {
		t.Fatalf("EmbeddedFiles: %v", err)
	}
	return files
}

func TestEmbeddedFilesReadsEveryEntry(t *testing.T) {
	for _, flate := range []bool{false, true} {
		t.Run(fmt.Sprintf("flate=%v", flate), func(t *testing.T) {
			files := mustEmbedded(t, oneFileDoc(handFile{key: "kyso-record.json", data: handRecord, flate: flate}))
			if len(files) != 1 {
				t.Fatalf("got %d files, want 1", len(files))
			}
			f := files[0]
			want := EmbeddedFile{
				Key: "kyso-record.json", Name: "Nghĩa.json", MIME: "application/json", Description: "Ban du lieu",
				Relationship: "Source", Associated: true, Data: []byte(handRecord),
			}
			if f.Key != want.Key || f.Name != want.Name || f.MIME != want.MIME || f.Description != want.Description ||
				f.Relationship != want.Relationship || f.Associated != want.Associated || !bytes.Equal(f.Data, want.Data) || f.InSignedRange {
				t.Errorf("got %+v, want %+v", f, want)
			}
			if wantTime := time.Date(2026, 6, 15, 8, 0, 0, 0, time.UTC); !f.ModTime.Equal(wantTime) {
				t.Errorf("ModTime: got %v, want %v", f.ModTime, wantTime)
			}
		})
	}
}

func TestEmbeddedFilesNameTree(t *testing.T) {
	// An intermediate node with two leaves; the second file is not in /AF
	// and its specification names itself with /F only.
	doc := embeddedDoc(func(p *handPDF) (string, string) {
		a := addFile(p, handFile{key: "a.json", data: `{"a":1}`})
		b := addFile(p, handFile{key: "b.txt", data: "b", spec: "<< /Type /Filespec /F (b.txt) /EF << /F %d 0 R >> >>"})
		leaf1 := p.add(fmt.Sprintf("<< /Limits [(a.json) (a.json)] /Names [(a.json) %d 0 R] >>", a))
		leaf2 := p.add(fmt.Sprintf("<< /Limits [(b.txt) (b.txt)] /Names [(b.txt) %d 0 R] >>", b))
		return fmt.Sprintf("<< /Kids [%d 0 R %d 0 R] >>", leaf1, leaf2), fmt.Sprintf("[%d 0 R]", a)
	})
	files := mustEmbedded(t, doc)
	if len(files) != 2 || files[0].Key != "a.json" || files[1].Key != "b.txt" {
		t.Fatalf("got %+v, want a.json then b.txt", files)
	}
	if !files[0].Associated || files[1].Associated {
		t.Errorf("Associated: got %v, %v; want true, false", files[0].Associated, files[1].Associated)
	}
	if files[1].Name != "b.txt" || string(files[1].Data) != "b" {
		t.Errorf("second file: got name %q, data %q", files[1].Name, files[1].Data)
	}
}

func TestEmbeddedFilesNone(t *testing.T) {
	var noNames handPDF
	noNames.add("<< /Type /Catalog /Pages 2 0 R >>")
	noNames.add("<< /Type /Pages /Kids [] /Count 0 >>")
	for name, data := range map[string][]byte{
		"fpdf's empty tree": plainPDF(t),
		"no /Names":         noNames.bytes(1, ""),
		"signed":            newEnv(t).signed(t),
	} {
		t.Run(name, func(t *testing.T) {
			if files := mustEmbedded(t, data); len(files) != 0 {
				t.Errorf("got %d files, want none", len(files))
			}
		})
	}
}

// TestEmbeddedFilesSurviveSigning signs documents with pdfsign, which
// rewrites the catalog in an incremental update: the name tree must still
// lead to the file, inside the signed range.
func TestEmbeddedFilesSurviveSigning(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name string
		doc  []byte
	}{
		{"direct name tree", oneFileDoc(handFile{key: "kyso-record.json", data: handRecord, flate: true})},
		{"indirect name tree", embeddedDoc(func(p *handPDF) (string, string) {
			spec := addFile(p, handFile{key: "kyso-record.json", data: handRecord, flate: true})
			tree := p.add(fmt.Sprintf("<< /Names [(kyso-record.json) %d 0 R] >>", spec))
			return fmt.Sprintf("%d 0 R", tree), fmt.Sprintf("[%d 0 R]", spec)
		})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			signed := pdfsignSign(t, tt.doc, e.key, e.cert, e.ca.Chain(), crypto.SHA256)
			wantVerdict(t, mustVerify(t, signed, e.opts()), TotalPassed, "")
			files := mustEmbedded(t, signed)
			if len(files) != 1 || string(files[0].Data) != handRecord || !files[0].InSignedRange || !files[0].Associated {
				t.Fatalf("got %+v, want the record, in the signed range, associated", files)
			}
		})
	}
}

// replaceFileUpdate appends an incremental update that replaces object
// obj, an embedded file stream, with one holding data.
func replaceFileUpdate(t testing.TB, doc []byte, obj int, data string) []byte {
	t.Helper()
	rd, err := pdf.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		t.Fatal(err)
	}
	rootPtr := rd.Trailer().Key("Root").GetPtr()
	root := rootPtr.GetID()
	size := rd.Trailer().Key("Size").Int64()
	prev, err := startXref(doc)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.Write(doc)
	off := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /EmbeddedFile /Subtype /application#2Fjson /Length %d >>\nstream\n%s\nendstream\nendobj\n", obj, len(data), data)
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", obj, off, size, root, prev, xref)
	return b.Bytes()
}

// TestEmbeddedFilesAfterSigning: what is changed after signing is never
// returned as signed.
func TestEmbeddedFilesAfterSigning(t *testing.T) {
	e := newEnv(t)
	doc := oneFileDoc(handFile{key: "kyso-record.json", data: handRecord})
	const stream = 7 // addFile's first object after the six of embeddedDoc
	signed := pdfsignSign(t, doc, e.key, e.cert, e.ca.Chain(), crypto.SHA256)
	forged := `{"schema":"kyso.record/v1","kind":"forged"}`

	t.Run("appended update", func(t *testing.T) {
		changed := replaceFileUpdate(t, signed, stream, forged)
		// Read whole, the file is the forged one: the test means something.
		whole, err := readEmbeddedFiles(changed, DefaultMaxSize)
		if err != nil || len(whole) != 1 || string(whole[0].Data) != forged {
			t.Fatalf("the update does not replace the file: %+v, %v", whole, err)
		}
		files := mustEmbedded(t, changed)
		if len(files) != 1 || string(files[0].Data) != handRecord || !files[0].InSignedRange {
			t.Errorf("got %+v, want the signed record", files)
		}
		wantVerdict(t, mustVerify(t, changed, e.opts()), TotalFailed, HashFailure)
	})

	t.Run("stream changed in place", func(t *testing.T) {
		changed := replaceOnce(t, signed, `"kind":"diploma"`, `"kind":"diplomb"`)
		// The stream still parses and lies inside the byte range, so it is
		// returned as in the signed range; the signature check fails.
		wantVerdict(t, mustVerify(t, changed, e.opts()), TotalFailed, HashFailure)
		if _, err := EmbeddedFiles(changed, 0); !errors.Is(err, ErrBadEmbeddedFile) {
			t.Errorf("got %v, want ErrBadEmbeddedFile (the checksum no longer matches)", err)
		}
		noSum := pdfsignSign(t, oneFileDoc(handFile{key: "k", data: handRecord, params: "<< >>"}), e.key, e.cert, e.ca.Chain(), crypto.SHA256)
		changed = replaceOnce(t, noSum, `"kind":"diploma"`, `"kind":"diplomb"`)
		wantVerdict(t, mustVerify(t, changed, e.opts()), TotalFailed, HashFailure)
		files := mustEmbedded(t, changed)
		if len(files) != 1 || !files[0].InSignedRange || !strings.Contains(string(files[0].Data), "diplomb") {
			t.Errorf("got %+v, want the changed data, in the signed range", files)
		}
	})
}

func TestEmbeddedFilesErrors(t *testing.T) {
	ok := handFile{key: "k", data: handRecord}
	with := func(mod func(f *handFile)) []byte {
		f := ok
		mod(&f)
		return oneFileDoc(f)
	}
	tree := func(names string) []byte {
		return embeddedDoc(func(p *handPDF) (string, string) {
			spec := addFile(p, ok)
			if strings.Contains(names, "%d") {
				names = fmt.Sprintf(names, spec)
			}
			return names, ""
		})
	}
	var many strings.Builder
	manyDoc := embeddedDoc(func(p *handPDF) (string, string) {
		many.WriteString("<< /Names [")
		for i := 0; i <= MaxEmbeddedFiles; i++ {
			fmt.Fprintf(&many, "(f%03d) %d 0 R ", i, addFile(p, ok))
		}
		many.WriteString("] >>")
		return many.String(), ""
	})
	loop := embeddedDoc(func(p *handPDF) (string, string) {
		node := p.add("")
		p.objs[node-1] = fmt.Sprintf("<< /Kids [%d 0 R] >>", node)
		return fmt.Sprintf("%d 0 R", node), ""
	})
	bomb := with(func(f *handFile) { f.data, f.flate, f.params = strings.Repeat("0", 1<<20), true, "<< >>" })

	tests := []struct {
		name    string
		data    []byte
		maxSize int64
		want    error
	}{
		{"not a PDF", []byte("not a PDF\n%%EOF\n"), 0, ErrMalformedPDF},
		{"cross-reference stream", xrefStreamPDF(), 0, ErrMalformedPDF},
		{"objects nested to exhaust the stack", deepNamesPDF(4 << 20), 0, ErrMalformedPDF},
		{"array meeting endobj", endobjInArrayPDF(), 0, ErrMalformedPDF},
		{"overlapping objects", overlappingPDF(2000), 0, ErrMalformedPDF},
		{"file over maxSize", oneFileDoc(ok), 100, ErrTooLarge},
		{"decodes to more than maxSize", bomb, 64 << 10, ErrTooLarge},
		{"tree not a dictionary", tree("[1 2]"), 0, ErrBadEmbeddedFile},
		{"names not an array", tree("<< /Names (x) >>"), 0, ErrBadEmbeddedFile},
		{"kids not an array", tree("<< /Kids 3 >>"), 0, ErrBadEmbeddedFile},
		{"odd names", tree("<< /Names [(k) %d 0 R (x)] >>"), 0, ErrBadEmbeddedFile},
		{"key not a string", tree("<< /Names [/k %d 0 R] >>"), 0, ErrBadEmbeddedFile},
		{"specification not a dictionary", tree("<< /Names [(k) (file.json)] >>"), 0, ErrBadEmbeddedFile},
		{"kids loop", loop, 0, ErrBadEmbeddedFile},
		{"too many files", manyDoc, 0, ErrBadEmbeddedFile},
		{"no /EF", with(func(f *handFile) { f.spec = "<< /Type /Filespec /F (k) /X %d >>" }), 0, ErrBadEmbeddedFile},
		{"/EF without a stream", with(func(f *handFile) { f.spec = "<< /Type /Filespec /F (k) /EF << /F %d >> >>" }), 0, ErrBadEmbeddedFile},
		{"unsupported filter", with(func(f *handFile) { f.streamExtra = " /Filter /ASCIIHexDecode" }), 0, ErrBadEmbeddedFile},
		{"predictor", with(func(f *handFile) {
			f.flate, f.streamExtra = true, " /DecodeParms << /Predictor 15 /Columns 99999999 >>"
		}), 0, ErrBadEmbeddedFile},
		{"size mismatch", with(func(f *handFile) { f.params = "<< /Size 3 >>" }), 0, ErrBadEmbeddedFile},
		{"checksum mismatch", with(func(f *handFile) { f.params = "<< /CheckSum <00112233445566778899aabbccddeeff> >>" }), 0, ErrBadEmbeddedFile},
		{"corrupt flate data", with(func(f *handFile) { f.streamExtra = " /Filter /FlateDecode" }), 0, ErrBadEmbeddedFile},
		{"/AF not an array", embeddedDoc(func(p *handPDF) (string, string) {
			return fmt.Sprintf("<< /Names [(k) %d 0 R] >>", addFile(p, ok)), "(x)"
		}), 0, ErrBadEmbeddedFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := EmbeddedFiles(tt.data, tt.maxSize)
			if !errors.Is(err, tt.want) || files != nil {
				t.Fatalf("got (%d files, %v), want no files and %v", len(files), err, tt.want)
			}
		})
	}
	// The bomb itself is fine within a larger limit.
	if files := mustEmbedded(t, bomb); len(files) != 1 || len(files[0].Data) != 1<<20 {
		t.Errorf("the 1 MiB file within the default limit: got %d files", len(files))
	}
}

// deepNamesPDF is a PDF whose /EmbeddedFiles tree is an array nested depth
// times.
func deepNamesPDF(depth int) []byte {
	var d handPDF
	d.add("<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>")
	d.add("<< /Type /Pages /Kids [] /Count 0 >>")
	d.add(strings.Repeat("[", depth) + strings.Repeat("]", depth))
	return d.bytes(1, "")
}

// endobjInArrayPDF has a name tree whose /Names array is cut short by
// endobj: the PDF parser would loop on it forever.
func endobjInArrayPDF() []byte {
	var d handPDF
	d.add("<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>")
	d.add("<< /Type /Pages /Kids [] /Count 0 >>")
	d.add("<< /Names [(k) 4 0")
	return d.bytes(1, "")
}

// overlappingPDF has n well-formed objects each nested in a string of the
// one before, so that lexing each from its own offset costs quadratic time.
func overlappingPDF(n int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offsets := make([]int, n+1)
	for i := 1; i <= n; i++ {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj (", i)
	}
	for i := n; i >= 1; i-- {
		b.WriteString(") endobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", n+1)
	for _, off := range offsets[1:] {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", n+1, xref)
	return b.Bytes()
}

func TestCheckObjects(t *testing.T) {
	fixtures, err := filepath.Glob(filepath.Join(fixtureDir, "*.pdf"))
	if err != nil || len(fixtures) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, name := range fixtures {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkObjects(data); err != nil {
			t.Errorf("%s: %v", filepath.Base(name), err)
		}
	}
	if err := checkObjects(overlappingPDF(50)); err != nil {
		t.Errorf("50 nested objects, well within the budget: %v", err)
	}
	if err := checkObjects(overlappingPDF(2000)); !errors.Is(err, errTooManyObjects) {
		t.Errorf("2000 nested objects: got %v, want errTooManyObjects", err)
	}
	if err := checkObjects(endobjInArrayPDF()); !errors.Is(err, errMalformedObject) {
		t.Errorf("endobj inside an array: got %v, want errMalformedObject", err)
	}
}

func TestSignedRevision(t *testing.T) {
	e := newEnv(t)
	signed := e.signed(t)
	if rev, ok := signedRevision(signed); !ok || len(rev) != len(signed) {
		t.Errorf("signed file: got (%d bytes, %v), want the whole file and true", len(rev), ok)
	}
	appended := appendUpdate(t, signed)
	if rev, ok := signedRevision(appended); !ok || !bytes.Equal(rev, signed) {
		t.Errorf("with an update after signing: got (%d bytes, %v), want the signed %d bytes", len(rev), ok, len(signed))
	}
	if rev, ok := signedRevision(plainPDF(t)); ok || len(rev) != len(plainPDF(t)) {
		t.Errorf("unsigned: got (%d bytes, %v), want the whole file and false", len(rev), ok)
	}
	// A /ByteRange whose gap is not a hex string marks nothing.
	lt, _ := sigGap(t, signed)
	broken := bytes.Clone(signed)
	broken[lt+1] = 'x'
	if _, ok := signedRevision(broken); ok {
		t.Error("a malformed gap was taken as a signature")
	}
}

func TestParsePDFDate(t *testing.T) {
	ict := time.FixedZone("", 7*3600)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"D:20240715090000Z", time.Date(2024, 7, 15, 9, 0, 0, 0, time.UTC), true},
		{"D:20240715090000+07'00'", time.Date(2024, 7, 15, 9, 0, 0, 0, ict), true},
		{"D:20240715090000+07'00", time.Date(2024, 7, 15, 9, 0, 0, 0, ict), true},
		{"D:20240715090000-03'30'", time.Date(2024, 7, 15, 9, 0, 0, 0, time.FixedZone("", -(3*3600+1800))), true},
		{"D:20240715090000", time.Date(2024, 7, 15, 9, 0, 0, 0, time.UTC), true},
		{"20240715", time.Date(2024, 7, 15, 0, 0, 0, 0, time.UTC), true},
		{"D:2024", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"D:20240230", time.Time{}, false},
		{"D:20241315", time.Time{}, false},
		{"D:2024071509000", time.Time{}, false},
		{"D:20240715090000X", time.Time{}, false},
		{"D:20240715090000+7", time.Time{}, false},
		{"D:+0240715", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := parsePDFDate(tt.in)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parsePDFDate(%q): got (%v, %v), want (%v, %v)", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzEmbeddedFiles feeds arbitrary bytes to EmbeddedFiles, seeded from
// hand-made documents with embedded files, signed and not. It must never
// panic or hang, and what it returns must respect its limits.
//
//	go test ./verify/ -run '^$' -fuzz FuzzEmbeddedFiles -fuzztime 5m
func FuzzEmbeddedFiles(f *testing.F) {
	e := newEnv(f)
	doc := oneFileDoc(handFile{key: "kyso-record.json", data: handRecord, flate: true})
	f.Add(doc)
	f.Add(oneFileDoc(handFile{key: "k", data: handRecord}))
	f.Add(pdfsignSign(f, doc, e.key, e.cert, e.ca.Chain(), crypto.SHA256))
	f.Add(embeddedDoc(func(p *handPDF) (string, string) {
		a := addFile(p, handFile{key: "a", data: "a"})
		leaf := p.add(fmt.Sprintf("<< /Names [(a) %d 0 R] >>", a))
		return fmt.Sprintf("<< /Kids [%d 0 R] >>", leaf), fmt.Sprintf("[%d 0 R]", a)
	}))
	f.Add(plainPDF(f))
	f.Add([]byte("%PDF-1.7\n%%EOF\n"))

	const limit = 1 << 20
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := EmbeddedFiles(data, limit)
		if err != nil {
			if files != nil {
				t.Fatalf("files and an error: %v", err)
			}
			if !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrMalformedPDF) && !errors.Is(err, ErrBadEmbeddedFile) {
				t.Fatalf("error outside the documented ones: %v", err)
			}
			return
		}
		if len(files) > MaxEmbeddedFiles {
			t.Fatalf("%d files, limit %d", len(files), MaxEmbeddedFiles)
		}
		_, signed := signedRevision(data)
		var total int
		for _, file := range files {
			total += len(file.Data)
			if file.InSignedRange != signed {
				t.Fatalf("InSignedRange %v, but the file has a signed range: %v", file.InSignedRange, signed)
			}
		}
		if total > limit {
			t.Fatalf("files decode to %d bytes, limit %d", total, limit)
		}
	})
}
