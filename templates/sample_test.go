package templates

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestSampleGraduates(t *testing.T) {
	for _, n := range []int{0, 1, 24, 300} {
		ds := SampleGraduates(n)
		if len(ds) != n {
			t.Fatalf("SampleGraduates(%d): got %d", n, len(ds))
		}
		serials, registers := map[string]bool{}, map[string]bool{}
		for i, d := range ds {
			if err := d.Validate(); err != nil {
				t.Errorf("SampleGraduates(%d)[%d] is invalid: %v", n, i, err)
			}
			if serials[d.Serial] || registers[d.RegisterNumber] {
				t.Errorf("SampleGraduates(%d)[%d]: serial %q or register %q repeats", n, i, d.Serial, d.RegisterNumber)
			}
			serials[d.Serial], registers[d.RegisterNumber] = true, true
		}
	}
	if !reflect.DeepEqual(SampleGraduates(30), SampleGraduates(30)) {
		t.Error("SampleGraduates is not deterministic")
	}
	first := SampleGraduates(1)[0]
	if first.FullName != "Nguyễn Văn Nghĩa" || first.PlaceOfBirth != "Vĩnh Long" || first.School != "Trường THPT Chuyên Bến Tre" {
		t.Errorf("first graduate: got %q, %q, %q", first.FullName, first.PlaceOfBirth, first.School)
	}
}

func TestSampleNamesCoverVietnamese(t *testing.T) {
	var names strings.Builder
	for _, d := range SampleGraduates(24) {
		names.WriteString(d.FullName + " ")
	}
	all := norm.NFD.String(names.String())
	for _, mark := range []struct{ name, s string }{
		{"grave", "\u0300"}, {"acute", "\u0301"}, {"hook above", "\u0309"}, {"tilde", "\u0303"}, {"dot below", "\u0323"},
		{"breve", "\u0306"}, {"circumflex", "\u0302"}, {"horn", "\u031b"},
	} {
		if !strings.Contains(all, mark.s) {
			t.Errorf("no name uses the %s", mark.name)
		}
	}
	for _, s := range []string{"Đ", "ĩ", "Ĩ", "Ẩ", "Ứ", "Ý"} {
		if !strings.Contains(strings.ToUpper(names.String()), s) && !strings.Contains(names.String(), s) {
			t.Errorf("no name uses %q", s)
		}
	}
	// A lower-case đ never starts a name's syllable; the other fields have it.
	if d := SampleGraduates(1)[0]; !strings.Contains(d.IssuingAuthority+d.SignerTitle, "đ") {
		t.Error("no sample text uses đ")
	}
}
