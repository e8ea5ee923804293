package pdf_test

// Benchmarks of whole documents: the three sample documents of package
// templates rendered with this package, and the same diploma rendered the
// way the renderer worked before fonts were parsed once per process, in the
// same run, so that the ratio compares like with like. They live here, in
// the external test package, because only package pdf's tests can build
// that earlier renderer (export_test.go).
//
//	go test ./pdf -run '^$' -bench 'Render' -benchtime 2s -count 5
//
// Nothing here asserts a time.

import (
	"testing"
	"time"

	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/templates"
)

var (
	benchMeta = templates.IssueMeta{
		CredentialID: "7KQ2M9P-X4R8T1B-HC0WZ3D",
		VerifyURL:    "https://xacthuc.sogddt-bentre.example/v/7KQ2M9P-X4R8T1B-HC0WZ3D",
	}
	benchOpts = templates.RenderOptions{Now: time.Date(2024, 7, 15, 9, 0, 0, 0, time.UTC), Deterministic: true}
)

// sampleRenders returns a function rendering each sample document with p.
func sampleRenders(tb testing.TB, p *pdf.Renderer) map[string]func() ([]byte, error) {
	tb.Helper()
	dr, err := templates.NewDiplomaRenderer(p, benchOpts)
	if err != nil {
		tb.Fatal(err)
	}
	tr, err := templates.NewTranscriptRenderer(p, benchOpts)
	if err != nil {
		tb.Fatal(err)
	}
	gr, err := templates.NewGradebookRenderer(p, benchOpts)
	if err != nil {
		tb.Fatal(err)
	}
	diploma := templates.SampleGraduates(1)[0]
	transcript, err := templates.SampleTranscript(0)
	if err != nil {
		tb.Fatal(err)
	}
	gradebook, err := templates.SampleGradebook(templates.SampleClassSize, templates.TermI, "Toán")
	if err != nil {
		tb.Fatal(err)
	}
	return map[string]func() ([]byte, error){
		"diploma":    func() ([]byte, error) { return dr.Render(&diploma, benchMeta) },
		"transcript": func() ([]byte, error) { return tr.Render(&transcript, benchMeta) },
		"gradebook":  func() ([]byte, error) { return gr.Render(&gradebook, benchMeta) },
	}
}

func newRenderer(tb testing.TB) *pdf.Renderer {
	tb.Helper()
	p, err := pdf.NewRenderer()
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func newEarlier(tb testing.TB, e pdf.Earlier) *pdf.Renderer {
	tb.Helper()
	p, err := pdf.NewEarlierRenderer(e)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func benchRender(b *testing.B, render func() ([]byte, error)) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := render(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderDiploma renders SampleGraduates(1)[0] as diploma/v1.
func BenchmarkRenderDiploma(b *testing.B) {
	benchRender(b, sampleRenders(b, newRenderer(b))["diploma"])
}

// BenchmarkRenderTranscript renders one school year of học bạ,
// SampleTranscript(0).
func BenchmarkRenderTranscript(b *testing.B) {
	benchRender(b, sampleRenders(b, newRenderer(b))["transcript"])
}

// BenchmarkRenderGradebook renders the gradebook of a class of 45,
// SampleGradebook(45, HK1, Toán).
func BenchmarkRenderGradebook(b *testing.B) {
	benchRender(b, sampleRenders(b, newRenderer(b))["gradebook"])
}

// BenchmarkRenderDiplomaEarlier renders the same diploma as
// BenchmarkRenderDiploma with the earlier renderer: "fonts-per-document"
// has fpdf parse and subset the fonts for each document; "end-to-end" also
// encodes the QR code with boombuler/barcode, as the renderer of the
// end-to-end issue did.
func BenchmarkRenderDiplomaEarlier(b *testing.B) {
	for _, tc := range []struct {
		name string
		e    pdf.Earlier
	}{
		{"fonts-per-document", pdf.Earlier{FontsPerDocument: true}},
		{"end-to-end", pdf.Earlier{FontsPerDocument: true, BoombulerQR: true}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			benchRender(b, sampleRenders(b, newEarlier(b, tc.e))["diploma"])
		})
	}
}

// BenchmarkRenderDiplomaRatio renders the diploma alternately with this
// renderer and the end-to-end issue's, and reports the time per document
// of each and their ratio, measured over the same period.
func BenchmarkRenderDiplomaRatio(b *testing.B) {
	now := sampleRenders(b, newRenderer(b))["diploma"]
	then := sampleRenders(b, newEarlier(b, pdf.Earlier{FontsPerDocument: true, BoombulerQR: true}))["diploma"]
	var tNow, tThen time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := now(); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if _, err := then(); err != nil {
			b.Fatal(err)
		}
		tNow += mid.Sub(start)
		tThen += time.Since(mid)
	}
	b.ReportMetric(float64(tNow.Nanoseconds())/float64(b.N), "ns/diploma")
	b.ReportMetric(float64(tThen.Nanoseconds())/float64(b.N), "ns/earlier-diploma")
	b.ReportMetric(float64(tThen)/float64(tNow), "x-faster")
}
