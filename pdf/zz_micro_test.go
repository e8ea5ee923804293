package pdf

import (
	"bytes"
	"compress/flate"
	"fmt"
	"testing"
	"time"
)

func BenchmarkZParts(b *testing.B) {
	r := newTestRenderer(b)
	d, _ := r.NewDocument(Options{Created: time.Unix(0, 0)})
	d.AddPage()
	d.SetFont(Regular, 12)
	d.Text(10, 10, vietnameseLetters()+" CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập Tự do Hạnh phúc 0123456789")
	fc := &r.faces[Regular]
	used := d.used[Regular]
	keep := newGlyphSet(fc.font.numGlyphs)
	maxc := 0
	for c := range fc.glyphs {
		if used.has(rune(c)) {
			keep.add(fc.glyphs[c].gid)
			maxc = c
		}
	}
	fc.font.closure(keep)
	gid := make([]uint16, fc.font.numGlyphs)
	font := fc.font.subset(nil, keep, gid)
	m := make([]byte, 2*(maxc+1))
	for c := range fc.glyphs {
		if used.has(rune(c)) {
			m[2*c] = byte(gid[fc.glyphs[c].gid] >> 8)
			m[2*c+1] = byte(gid[fc.glyphs[c].gid])
		}
	}
	var z bytes.Buffer
	b.Run("font", func(b *testing.B) {
		for b.Loop() {
			z.Reset()
			r.deflateFont(&z, font, fc.font, fc.fixedZ)
		}
		b.ReportMetric(float64(len(font)), "raw")
		b.ReportMetric(float64(z.Len()), "z")
	})
	b.Run("cidmap", func(b *testing.B) {
		for b.Loop() {
			z.Reset()
			r.deflate(&z, m)
		}
		b.ReportMetric(float64(len(m)), "raw")
		b.ReportMetric(float64(z.Len()), "z")
	})
	b.Run("subset", func(b *testing.B) {
		for b.Loop() {
			font = fc.font.subset(font[:0], keep, gid)
		}
	})
	b.Run("qr", func(b *testing.B) {
		for b.Loop() {
			qrEncode("https://xacthuc.sogddt-bentre.example/v/7KQ2M9P-X4R8T1B-HC0WZ3D", QRLevelM)
		}
	})
}

func BenchmarkZLevels(b *testing.B) {
	r := newTestRenderer(b)
	fc := &r.faces[Regular]
	keep := newGlyphSet(fc.font.numGlyphs)
	for _, c := range "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập Tự do Hạnh phúc 0123456789 Nguyễn Văn Nghĩa Bến Tre ngày tháng năm Giám đốc Sở Giáo dục và Đào tạo" {
		keep.add(fc.glyphs[c].gid)
	}
	fc.font.closure(keep)
	gid := make([]uint16, fc.font.numGlyphs)
	font := fc.font.subset(nil, keep, gid)
	rest := font[fc.font.subsetDirLen()+len(fc.font.fixedBlock):]
	for _, lvl := range []int{-2, 1, 2, 3, 6} {
		b.Run(fmt.Sprint(lvl), func(b *testing.B) {
			var z bytes.Buffer
			w, _ := flate.NewWriter(&z, lvl)
			for b.Loop() {
				z.Reset()
				w.Reset(&z)
				w.Write(rest)
				w.Close()
			}
			b.ReportMetric(float64(len(rest)), "raw")
			b.ReportMetric(float64(z.Len()), "z")
		})
	}
}
