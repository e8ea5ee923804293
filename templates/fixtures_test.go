package templates

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

var update = flag.Bool("update", false, "rewrite the fixtures in testdata/diplomas and the golden hashes")

// fixtureDir holds the diploma fixtures shared with other packages.
const fixtureDir = "../testdata/diplomas"

// fixtureCount is the number of graduates in graduates.csv and graduates.json.
const fixtureCount = 24

// fixtures builds every fixture file from SampleGraduates. The files are
// checked in; TestFixtures proves they match this generator.
func fixtures(t *testing.T) map[string][]byte {
	t.Helper()
	all := SampleGraduates(fixtureCount)
	csvOf := func(ds []Diploma) []byte {
		b, err := DiplomasCSV(ds)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	out := map[string][]byte{}

	out["graduates.csv"] = csvOf(all)

	var j bytes.Buffer
	enc := json.NewEncoder(&j)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Diplomas []Diploma `json:"diplomas"`
	}{all}); err != nil {
		t.Fatal(err)
	}
	out["graduates.json"] = j.Bytes()

	// As a Vietnamese-locale spreadsheet exports it: byte order mark,
	// semicolons, Vietnamese headings, CRLF line ends.
	{
		var b strings.Builder
		b.WriteString("\uFEFF")
		b.WriteString("Họ và tên;Ngày sinh;Nơi sinh;Giới tính;Dân tộc;Học sinh trường;Năm tốt nghiệp;" +
			"Sở GD&ĐT;Nơi cấp;Ngày cấp;Số hiệu;Số vào sổ cấp bằng;Chức danh người ký;Người ký\r\n")
		for _, d := range all[:3] {
			b.WriteString(strings.Join([]string{d.FullName, d.DateOfBirth.String(), d.PlaceOfBirth,
				strings.ToLower(d.Gender), d.Ethnicity, d.School, "2024", d.IssuingAuthority, d.IssuePlace,
				d.IssueDate.String(), strings.ReplaceAll(strings.ToLower(d.Serial), " ", ""), d.RegisterNumber,
				d.SignerTitle, d.SignerName}, ";"))
			b.WriteString("\r\n")
		}
		out["graduates_excel_vi.csv"] = []byte(b.String())
	}

	// Decomposed (NFD) text, as some macOS tools write it.
	out["graduates_nfd.csv"] = []byte(norm.NFD.String(string(csvOf(all[:3]))))

	// The ngay_cap column is missing.
	{
		lines := strings.Split(strings.TrimSuffix(string(csvOf(all[:3])), "\n"), "\n")
		var b strings.Builder
		for _, l := range lines {
			cells := strings.Split(l, ",")
			cells = append(cells[:9], cells[10:]...) // ngay_cap is the 10th column
			b.WriteString(strings.Join(cells, ",") + "\n")
		}
		out["bad_missing_column.csv"] = []byte(b.String())
	}

	// Row 3 (the second record) was born on 31 February.
	{
		ds := append([]Diploma(nil), all[:4]...)
		s := string(csvOf(ds))
		s = strings.Replace(s, ds[1].DateOfBirth.String(), "31/02/2007", 1)
		out["bad_impossible_date.csv"] = []byte(s)
	}

	// Several broken records in one JSON file.
	out["bad_records.json"] = []byte(`[
  {"ho_ten": "Nguyễn Văn Nghĩa", "ngay_sinh": "2006-01-01", "noi_sinh": "Vĩnh Long", "gioi_tinh": "Nam",
   "dan_toc": "Kinh", "truong": "Trường THPT Chuyên Bến Tre", "nam_tot_nghiep": 2024,
   "so_gddt": "Sở Giáo dục và Đào tạo Bến Tre", "noi_cap": "Bến Tre", "ngay_cap": "2024-07-15",
   "so_hieu": "T 00516292", "so_vao_so": "BT-2024/01201", "chuc_danh_nguoi_ky": "Giám đốc", "nguoi_ky": "Lê Hoàng Phúc"},
  {"ho_ten": "Trần Thị Ngọc Hân", "ngay_sinh": "31/02/2007", "noi_sinh": "Bến Tre", "gioi_tinh": "N",
   "dan_toc": "Kinh", "truong": "Trường THPT Nguyễn Đình Chiểu", "nam_tot_nghiep": "2024",
   "so_gddt": "Sở Giáo dục và Đào tạo Bến Tre", "noi_cap": "Bến Tre", "ngay_cap": "15/07/2024",
   "so_hieu": "T 00516292", "so_vao_so": "BT-2024/01202", "chuc_danh_nguoi_ky": "Giám đốc", "nguoi_ky": "Lê Hoàng Phúc"},
  {"ho_ten": "Lê Đức Thịnh", "xep_loai": "Giỏi"},
  "not an object"
]
`)

	// The first records saved in Windows-1258 instead of UTF-8.
	out["bad_windows1258.csv"] = toWindows1258(t, csvOf(all[:3]))
	return out
}

// toWindows1258 encodes UTF-8 text in Windows-1258, which has few precomposed
// Vietnamese letters: the others are written as a base letter followed by a
// combining tone mark, as Windows does.
func toWindows1258(t *testing.T, utf []byte) []byte {
	t.Helper()
	enc := charmap.Windows1258.NewEncoder()
	encode := func(s string) ([]byte, bool) {
		b, err := enc.Bytes([]byte(s))
		return b, err == nil
	}
	var out []byte
	for _, r := range norm.NFC.String(string(utf)) {
		if b, ok := encode(string(r)); ok {
			out = append(out, b...)
			continue
		}
		// Split off the last combining mark and retry with the rest
		// recomposed: ễ = ê + combining tilde.
		d := []rune(norm.NFD.String(string(r)))
		base, ok1 := encode(norm.NFC.String(string(d[:len(d)-1])))
		mark, ok2 := encode(string(d[len(d)-1]))
		if !ok1 || !ok2 {
			t.Fatalf("cannot write %q in Windows-1258", r)
		}
		out = append(append(out, base...), mark...)
	}
	return out
}

// TestFixtures checks that the files in testdata/diplomas are what the
// generator makes; with -update it writes them.
func TestFixtures(t *testing.T) {
	for name, want := range fixtures(t) {
		path := filepath.Join(fixtureDir, name)
		if *update {
			if err := os.MkdirAll(fixtureDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./templates -run TestFixtures -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output (run go test ./templates -run TestFixtures -update)", path)
		}
	}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
