package tabular

import (
	"archive/zip"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/xuri/excelize/v2"
)

// writeBigSheet writes a one-sheet class list of n students with the
// streaming writer, as a school's export of a whole year would be.
func writeBigSheet(t testing.TB, path string, n int) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	must(t, err)
	header := make([]any, len(unicodeHeader))
	for i, h := range unicodeHeader {
		header[i] = h
	}
	must(t, sw.SetRow("A1", header))
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middle := []string{"Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Thuỳ"}
	given := []string{"An", "Bình", "Chí", "Dũng", "Đức", "Hà", "Hạnh", "Khánh", "Linh", "Lĩnh", "Mỹ", "Nghĩa", "Phúc", "Quỳnh", "Trường", "Tuyết", "Yến", "Ánh"}
	for i := range n {
		name := fmt.Sprintf("%s %s %s", family[i%len(family)], middle[(i/len(family))%len(middle)], given[(i/7)%len(given)])
		gender := "Nam"
		if i%2 == 1 {
			gender = "Nữ"
		}
		row := []any{i + 1, name, fmt.Sprintf("%02d/%02d/2008", 1+i%28, 1+i%12), gender, "Kinh",
			float64(i%101) / 10, float64((i*7)%101) / 10}
		must(t, sw.SetRow(cellName(1, i+2), row))
	}
	must(t, sw.Flush())
	must(t, f.SaveAs(path))
}

// unpackedSize returns the size of a part of an .xlsx once unzipped.
func unpackedSize(t testing.TB, path, part string) uint64 {
	zr, err := zip.OpenReader(path)
	must(t, err)
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == part {
			return f.UncompressedSize64
		}
	}
	t.Fatalf("%s has no part %s", path, part)
	return 0
}

func heapAfterGC() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC() // a second cycle frees what finalizers released in the first
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestRead10000RowsStreams reads a 10,000-row sheet and checks, from the
// live heap after garbage collection, that the reader holds neither the
// rows it has returned nor the sheet: the heap does not grow between row
// 1,000 and row 10,000, and what the reader holds is well under the size
// of the sheet's XML.
func TestRead10000RowsStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-row workbook")
	}
	path := filepath.Join(t.TempDir(), "big.xlsx")
	writeBigSheet(t, path, 10000)
	sheetXML := unpackedSize(t, path, "xl/worksheets/sheet1.xml")

	base := heapAfterGC()
	r, err := OpenFile(path, Options{Match: gradeMatch, Required: []string{"ho_ten"}, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n int
	var at1k, at10k uint64
	for row, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if row.Number != n+1 {
			t.Fatalf("row %d numbered %d", n, row.Number)
		}
		if n == 1000 {
			at1k = heapAfterGC()
		}
	}
	at10k = heapAfterGC()
	if n != 10000 {
		t.Fatalf("read %d rows, want 10000", n)
	}
	grew := int64(at10k) - int64(at1k)
	held := int64(at10k) - int64(base)
	t.Logf("sheet XML %d KiB; heap held at row 1,000: %d KiB, at row 10,000: %d KiB",
		sheetXML>>10, (int64(at1k)-int64(base))>>10, held>>10)
	if grew > 256<<10 {
		t.Errorf("heap grew by %d KiB between row 1,000 and row 10,000: rows are being kept", grew>>10)
	}
	if held > int64(sheetXML/2) {
		t.Errorf("reader holds %d KiB, the sheet's XML is %d KiB: the sheet is in memory", held>>10, sheetXML>>10)
	}
}

// BenchmarkRead10000Rows reads a 10,000-row sheet from disk; B/op and
// allocs/op are per whole sheet.
func BenchmarkRead10000Rows(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.xlsx")
	writeBigSheet(b, path, 10000)
	tmp := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		r, err := OpenFile(path, Options{Match: gradeMatch, TempDir: tmp})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, err := range r.All() {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
		if n != 10000 {
			b.Fatalf("read %d rows", n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10000, "ns/row")
}
