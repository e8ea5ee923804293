package tabular

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// The legacy strings below are written by hand from what old Vietnamese
// documents look like when opened without their fonts, not generated from
// the tables under test.

func TestDecodeTCVN3KnownWords(t *testing.T) {
	tests := []struct {
		in   string // as Excel keeps it: the bytes through Windows-1252
		want string
	}{
		{"NguyÔn V¨n NghÜa", "Nguyễn Văn Nghĩa"},
		{"Tr\u00adêng", "Trường"},
		{"§µo t¹o", "Đào tạo"},
		{"Bé Gi¸o dôc vµ §µo t¹o", "Bộ Giáo dục và Đào tạo"},
		{"VÜnh Long", "Vĩnh Long"},
		{"BÕn Tre", "Bến Tre"},
		{"Huúnh", "Huỳnh"},
		{"Céng hßa x· héi chñ nghÜa ViÖt Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"},
		{"§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"},
		{"Hä vµ tªn", "Họ và tên"},
		{"Gi÷a kú", "Giữa kỳ"},
		{"Cuèi kú", "Cuối kỳ"},
		{"Giíi tÝnh", "Giới tính"},
		{"Ngµy sinh", "Ngày sinh"},
		// All-capital text typed with the .VnTimeH font.
		{"NGUYÔN V¡N A", "NGUYỄN VĂN A"},
		{"Hµ NéI", "HÀ NỘI"},
	}
	for _, tt := range tests {
		b, ok := ansiBytes(tt.in, charmap.Windows1252)
		if !ok {
			t.Fatalf("ansiBytes(%q) failed", tt.in)
		}
		if got := decodeTCVN3(b); got != tt.want {
			t.Errorf("decodeTCVN3(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecodeTCVN3Bytes(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{[]byte("Nguy\xd4n V\xa8n Ngh\xdca"), "Nguyễn Văn Nghĩa"},
		{[]byte("Tr\xad\xeang"), "Trường"},
		{[]byte("\xa7\xb5o t\xb9o"), "Đào tạo"},
		{[]byte("\x01"), "Ú"},                  // a capital at a control position (VN1)
		{[]byte("Hu\xfanh"), "Huỳnh"},          // ỳ
		{[]byte("a\xb3"), "á"},                 // combining acute composes
		{[]byte("plain ASCII"), "plain ASCII"}, // unchanged
	}
	for _, tt := range tests {
		if got := decodeTCVN3(tt.in); got != tt.want {
			t.Errorf("decodeTCVN3(% x) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecodeVNIKnownWords(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"Nguyeãn Vaên Nghóa", "Nguyễn Văn Nghĩa"},
		{"Tröôøng", "Trường"},
		{"Ñaøo taïo", "Đào tạo"},
		{"Boä Giaùo duïc vaø Ñaøo taïo", "Bộ Giáo dục và Đào tạo"},
		{"Vónh Long", "Vĩnh Long"},
		{"Beán Tre", "Bến Tre"},
		{"Huyønh", "Huỳnh"},
		{"Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"},
		{"Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"},
		{"Ñaëng Baéc Baèng", "Đặng Bắc Bằng"},
		{"Hieåu Myõ Kyø", "Hiểu Mỹ Kỳ"},
		{"Hoï vaø teân", "Họ và tên"},
		{"Giöõa kyø", "Giữa kỳ"},
		{"NGUYEÃN VAÊN AÙNH", "NGUYỄN VĂN ÁNH"},
		{"ÑÖÔØNG", "ĐƯỜNG"},
		{"Lyù Thò Mî", "Lý Thị Mỵ"},
	}
	for _, tt := range tests {
		b, ok := ansiBytes(tt.in, charmap.Windows1252)
		if !ok {
			t.Fatalf("ansiBytes(%q) failed", tt.in)
		}
		got, ok := decodeVNI(b)
		if !ok || got != tt.want {
			t.Errorf("decodeVNI(%q) = %q, %v; want %q, true", tt.in, got, ok, tt.want)
		}
	}
}

func TestDecodeVNIRejects(t *testing.T) {
	for _, in := range []string{
		"nù",     // a tone on a consonant
		"uâ",     // a circumflex on u
		"eê",     // a breve on e
		"aùù",    // two tones
		"ù",      // a mark with nothing before it
		"a\x80",  // a byte VNI does not use
		"Müller", // ü after u is a breve + tilde, which u cannot take
	} {
		b := []byte(in)
		if s, ok := ansiBytes(in, charmap.Windows1252); ok {
			b = s
		}
		if got, ok := decodeVNI(b); ok {
			t.Errorf("decodeVNI(%q) = %q, true; want failure", in, got)
		}
	}
}

func TestDecodeWindows1258(t *testing.T) {
	// "Nguyễn Văn Nghĩa" in Windows-1258: ê + combining tilde (DE), ă (E3),
	// i + combining tilde; "Trường": ư (FD), ơ (F5) + combining grave (CC).
	tests := []struct {
		in   []byte
		want string
	}{
		{[]byte("Nguy\xea\xden V\xe3n Nghi\xdea"), "Nguyễn Văn Nghĩa"},
		{[]byte("Tr\xfd\xf5\xccng"), "Trường"},
		{[]byte("\xd0a\xcco ta\xf2o"), "Đào tạo"},
	}
	for _, tt := range tests {
		got := decodeWindows1258(tt.in)
		if got != tt.want {
			t.Errorf("decodeWindows1258(% x) = %q, want %q", tt.in, got, tt.want)
		}
		if !norm.NFC.IsNormalString(got) {
			t.Errorf("decodeWindows1258(% x) = %q is not NFC", tt.in, got)
		}
	}
}

// TestTCVN3TableIsInjective checks the table by its structure: every byte
// maps to a different character, every toned Vietnamese letter appears
// exactly once, and every lower-case one among the VN3 places.
func TestTCVN3TableIsInjective(t *testing.T) {
	seen := map[rune]byte{}
	for i, r := range tcvn3High {
		b := byte(0x80 + i)
		if prev, dup := seen[r]; dup {
			t.Errorf("bytes %02X and %02X both map to %q", prev, b, r)
		}
		seen[r] = b
	}
	for b := byte(0); b < 0x20; b++ {
		if r := tcvn3Control(b); r != 0 {
			if prev, dup := seen[r]; dup {
				t.Errorf("bytes %02X and %02X both map to %q", prev, b, r)
			}
			seen[r] = b
		}
	}
	var letters []rune
	for _, base := range "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY" {
		for _, tone := range "\u0300\u0309\u0303\u0301\u0323" {
			letters = append(letters, []rune(norm.NFC.String(string(base)+string(tone)))...)
		}
	}
	for _, r := range letters {
		if _, ok := seen[r]; !ok {
			t.Errorf("%q has no byte", r)
		}
	}
	for _, r := range "ăâêôơưđĂÂÊÔƠƯĐ" {
		if _, ok := seen[r]; !ok {
			t.Errorf("%q has no byte", r)
		}
	}
}

func TestFixTCVN3Case(t *testing.T) {
	tests := []struct{ in, want string }{
		{"NGUYễN", "NGUYỄN"},
		{"Bộ GD", "Bộ GD"},   // one capital: a title-case word
		{"Hà NộI", "HÀ NỘI"}, // a cell in capitals
		{"Nguyễn Văn", "Nguyễn Văn"},
		{"ờ", "ờ"},
	}
	for _, tt := range tests {
		if got := fixTCVN3Case(tt.in); got != tt.want {
			t.Errorf("fixTCVN3Case(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPlausibleWord(t *testing.T) {
	yes := strings.Fields("Nguyễn Văn Nghĩa Trường Đào tạo Vĩnh Long Bến Tre Huỳnh Quỳnh Giang gì gìn " +
		"Họ và tên Ngày sinh Giới tính Giữa kỳ Cuối kỳ Khuê Thuỷ Thủy Xuân Tuấn Yến Oanh ánh Điểm " +
		"Đạt Chưa Lớp Tốt Khá Giỏi Xuất sắc Dân tộc Phượng Ngọc Nguyệt Huyền Thoại Khuyên Quyên người " +
		"rượu khuỷu NGUYỄN HÀ NỘI Kinh Mỹ Lý")
	for _, w := range yes {
		if !plausibleWord(norm.NFC.String(w)) {
			t.Errorf("plausibleWord(%q) = false, want true", w)
		}
	}
	no := strings.Fields("NguyÔn V¨n NghÜa Tr\u00adêng §µo Huúnh Nguyeãn Vaên Nghóa Tröôøng Ñaøo " +
		"Müller José kú ka tă ghu ngi hoc ă NGUYễN Ngh a1 ca\u0301\u0300")
	for _, w := range no {
		if plausibleWord(norm.NFC.String(w)) {
			t.Errorf("plausibleWord(%q) = true, want false", w)
		}
	}
}

func TestDetectLegacy(t *testing.T) {
	tests := []struct {
		name  string
		texts []string
		want  Encoding
		ex    string // expected Converted example, if any
	}{
		{"unicode names", []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Hà"}, Unicode, ""},
		{"unicode latin-1 only", []string{"Lê Hà", "Bình", "Võ Ánh"}, Unicode, ""},
		{"tcvn3 names", []string{"NguyÔn V¨n An", "TrÇn ThÞ B×nh", "Lª Hoµng Nam"}, TCVN3, "Nguyễn"},
		{"tcvn3 header", []string{"Gi÷a kú"}, TCVN3, "Giữa"},
		{"vni names", []string{"Nguyeãn Vaên An", "Traàn Thò Bình", "Leâ Hoaøng Nam"}, VNI, "Nguyễn"},
		{"western names", []string{"Müller", "José", "François"}, Unicode, ""},
		{"ascii", []string{"Nguyen Van An", "8.5"}, Unicode, ""},
		{"tcvn3 bytes", []string{"Nguy\xd4n V\xa8n Ngh\xdca", "Tr\xad\xeang"}, TCVN3, "Nguyễn"},
		{"vni bytes", []string{"Nguye\xe3n Va\xean Ngh\xf3a"}, VNI, "Nguyễn"},
		{"windows-1258 bytes", []string{"Nguy\xea\xden V\xe3n Nghi\xdea", "Tr\xfd\xf5\xccng"}, Windows1258, "Nguyễn"},
		{"latin-1 bytes", []string{"M\xfcller", "Jos\xe9"}, Unicode, ""},
		// TCVN3 typed on a Vietnamese-locale Windows: Excel kept the bytes
		// through Windows-1258, where D2 is a combining hook.
		{"tcvn3 through windows-1258", []string{through1258("Ki\xd2u Th\xfd Nguy\xd4n"), through1258("Ph\xd2 Tr\xad\xeang")}, TCVN3, "Nguyễn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := DetectLegacy(tt.texts)
			if d.Encoding != tt.want {
				t.Fatalf("Encoding = %v (words %d, as is %d, plausible %d), want %v",
					d.Encoding, d.Words, d.AsIs, d.Plausible, tt.want)
			}
			if tt.ex != "" && d.Converted != tt.ex {
				t.Errorf("Converted = %q (from %q), want %q", d.Converted, d.Example, tt.ex)
			}
		})
	}
}

func TestDetectionConvertKeepsUnicodeCells(t *testing.T) {
	d := DetectLegacy([]string{"NguyÔn V¨n An", "TrÇn ThÞ B×nh", "Lª Hoµng Nam"})
	if d.Encoding != TCVN3 {
		t.Fatalf("Encoding = %v, want TCVN3", d.Encoding)
	}
	tests := []struct{ in, want string }{
		{"Ph¹m V¨n §øc", "Phạm Văn Đức"},
		{"Nguyễn Văn Bình", "Nguyễn Văn Bình"}, // already Unicode: not encodable, kept
		{"Lê Thị Hà", "Lê Thị Hà"},             // already Unicode
		{"Müller", "Müller"},                   // reads as neither: kept
	}
	for _, tt := range tests {
		got, ok := d.Convert(tt.in)
		if !ok || got != tt.want {
			t.Errorf("Convert(%q) = %q, %v; want %q, true", tt.in, got, ok, tt.want)
		}
	}
}

// through1258 is what Excel keeps of legacy bytes typed on a machine whose
// ANSI code page is Windows-1258.
func through1258(b string) string {
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		sb.WriteRune(charmap.Windows1258.DecodeByte(b[i]))
	}
	return sb.String()
}

// TestMarkAbbreviationsAreUnicode: a column of bare Đ / CĐ (comment-graded
// results) is Unicode text, not TCVN3.
func TestMarkAbbreviationsAreUnicode(t *testing.T) {
	for _, in := range [][]string{{"Đ", "CĐ", "Đ", "Đ"}, {"Đ"}, {"CĐ", "CĐ"}} {
		if d := DetectLegacy(in); d.Encoding != Unicode {
			t.Errorf("DetectLegacy(%q) = %v, want Unicode", in, d.Encoding)
		}
	}
	// Real TCVN3 still is.
	if d := DetectLegacy([]string{"NguyÔn V¨n NghÜa", "TrÇn ThÞ Ngäc H©n"}); d.Encoding != TCVN3 {
		t.Errorf("TCVN3 names detected as %v", d.Encoding)
	}
}
