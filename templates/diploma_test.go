package templates

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

func validDiploma() Diploma { return SampleGraduates(1)[0] }

func TestNormalize(t *testing.T) {
	d := Diploma{
		FullName:         norm.NFD.String("  Nguyễn \t Văn\u00a0\u00a0Nghĩa \n"),
		PlaceOfBirth:     norm.NFD.String("Vĩnh   Long"),
		Gender:           " NỮ ",
		Ethnicity:        "Kinh",
		School:           norm.NFD.String("Trường THPT Chuyên Bến Tre"),
		IssuingAuthority: "Sở Giáo dục  và Đào tạo Bến Tre",
		IssuePlace:       "Bến Tre",
		Serial:           " t00516292 ",
		RegisterNumber:   " BT-2024/01201",
		SignerTitle:      "Giám đốc",
		SignerName:       "Lê Hoàng Phúc",
	}
	d.Normalize()
	want := map[string]string{
		"FullName":         "Nguyễn Văn Nghĩa",
		"PlaceOfBirth":     "Vĩnh Long",
		"Gender":           GenderFemale,
		"School":           "Trường THPT Chuyên Bến Tre",
		"IssuingAuthority": "Sở Giáo dục và Đào tạo Bến Tre",
		"Serial":           "T 00516292",
		"RegisterNumber":   "BT-2024/01201",
	}
	got := map[string]string{
		"FullName": d.FullName, "PlaceOfBirth": d.PlaceOfBirth, "Gender": d.Gender, "School": d.School,
		"IssuingAuthority": d.IssuingAuthority, "Serial": d.Serial, "RegisterNumber": d.RegisterNumber,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
		if !norm.NFC.IsNormalString(got[k]) {
			t.Errorf("%s: %q is not NFC", k, got[k])
		}
	}
	again := d
	again.Normalize()
	if again != d {
		t.Errorf("Normalize is not idempotent: got %+v after %+v", again, d)
	}
}

func TestNormalizeSerial(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"T 00516292", "T 00516292", true},
		{"t00516292", "T 00516292", true},
		{"TA 123456", "TA 123456", true},
		{"abc12345678", "ABC 12345678", true},
		{"T 12345", "", false},
		{"T 123456789", "", false},
		{"ABCD 123456", "", false},
		{"00516292", "", false},
		{"T 0051 6292", "", false},
		{"T00516292A", "", false},
		{"Đ 00516292", "", false},
		{"T-00516292", "", false},
	}
	for _, tc := range tests {
		got, ok := normalizeSerial(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("normalizeSerial(%q): got (%q, %v), want (%q, %v)", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// reasonsOf returns "field:reason" for each problem in err.
func reasonsOf(t *testing.T, err error) []string {
	t.Helper()
	var v ValidationErrors
	if !errors.As(err, &v) {
		t.Fatalf("got %T %v, want ValidationErrors", err, err)
	}
	var out []string
	for _, e := range v {
		out = append(out, e.Field+":"+e.Reason.String())
	}
	return out
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(d *Diploma)
		want   []string // field:reason, in order
	}{
		{"valid", func(d *Diploma) {}, nil},
		{"blank name", func(d *Diploma) { d.FullName = "  " }, []string{"ho_ten:" + ReasonRequired.String()}},
		{"all text missing", func(d *Diploma) { *d = Diploma{} }, []string{
			"ho_ten:is required", "noi_sinh:is required", "gioi_tinh:is required", "dan_toc:is required",
			"truong:is required", "so_gddt:is required", "noi_cap:is required", "so_hieu:is required",
			"so_vao_so:is required", "chuc_danh_nguoi_ky:is required", "nguoi_ky:is required",
			"ngay_sinh:is required", "ngay_cap:is required", "nam_tot_nghiep:is required"}},
		{"digit in name", func(d *Diploma) { d.FullName = "Nguyễn Văn 2" }, []string{"ho_ten:" + ReasonBadCharacter.String()}},
		{"control character", func(d *Diploma) { d.School = "Trường\x07THPT" }, []string{"truong:" + ReasonBadCharacter.String()}},
		{"bidi override", func(d *Diploma) { d.PlaceOfBirth = "Vĩnh\u202eLong" }, []string{"noi_sinh:" + ReasonBadCharacter.String()}},
		{"replacement character", func(d *Diploma) { d.FullName = "Nguy\uFFFDn Văn" }, []string{"ho_ten:" + ReasonBadCharacter.String()}},
		{"Chinese characters", func(d *Diploma) { d.Ethnicity = "華" }, []string{"dan_toc:" + ReasonBadCharacter.String()}},
		{"not normalised", func(d *Diploma) { d.FullName = norm.NFD.String(d.FullName) }, []string{"ho_ten:" + ReasonBadCharacter.String()}},
		{"double space", func(d *Diploma) { d.School = "Trường  THPT" }, []string{"truong:" + ReasonBadFormat.String()}},
		{"too long", func(d *Diploma) { d.FullName = strings.Repeat("Nguyễn ", 10) + "A" }, []string{"ho_ten:" + ReasonTooLong.String()}},
		{"invalid UTF-8", func(d *Diploma) { d.SignerName = "L\xea" }, []string{"nguoi_ky:" + ReasonBadCharacter.String()}},
		{"gender", func(d *Diploma) { d.Gender = "Khác" }, []string{"gioi_tinh:" + ReasonBadValue.String()}},
		{"gender not canonical", func(d *Diploma) { d.Gender = "nam" }, []string{"gioi_tinh:" + ReasonBadValue.String()}},
		{"serial", func(d *Diploma) { d.Serial = "00516292" }, []string{"so_hieu:" + ReasonBadFormat.String()}},
		{"serial not canonical", func(d *Diploma) { d.Serial = "T00516292" }, []string{"so_hieu:" + ReasonBadFormat.String()}},
		{"register without digit", func(d *Diploma) { d.RegisterNumber = "BT-TN" }, []string{"so_vao_so:" + ReasonBadFormat.String()}},
		{"register with space", func(d *Diploma) { d.RegisterNumber = "BT 2024" }, []string{"so_vao_so:" + ReasonBadFormat.String()}},
		{"register with Đ", func(d *Diploma) { d.RegisterNumber = "123/QĐ-SGDĐT" }, nil},
		{"impossible date", func(d *Diploma) { d.DateOfBirth = Date{2007, time.February, 31} }, []string{"ngay_sinh:" + ReasonNotDate.String()}},
		{"born after issue", func(d *Diploma) { d.DateOfBirth = Date{2024, time.August, 1} },
			[]string{"ngay_sinh:" + ReasonInconsistent.String(), "ngay_sinh:" + ReasonInconsistent.String()}},
		{"too young", func(d *Diploma) { d.DateOfBirth = Date{2011, time.January, 1} }, []string{"ngay_sinh:" + ReasonInconsistent.String()}},
		{"fourteen is enough", func(d *Diploma) { d.DateOfBirth = Date{2010, time.December, 31} }, nil},
		{"graduated before 1975", func(d *Diploma) { d.GraduationYear = 1974 }, []string{"nam_tot_nghiep:" + ReasonOutOfRange.String()}},
		{"graduated after issue", func(d *Diploma) { d.GraduationYear = 2025 }, []string{"nam_tot_nghiep:" + ReasonInconsistent.String()}},
		{"issued years later", func(d *Diploma) { d.IssueDate = Date{2030, time.January, 2} }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := validDiploma()
			tc.change(&d)
			err := d.Validate()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if got := reasonsOf(t, err); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if !errors.Is(err, ErrInvalidRecord) || errors.Is(err, ErrInvalidFile) {
				t.Errorf("got %v, want it to match ErrInvalidRecord only", err)
			}
		})
	}
}

func TestFieldErrorFormat(t *testing.T) {
	tests := []struct {
		err  *FieldError
		want string
	}{
		{&FieldError{File: "graduates.csv", Row: 14, Field: "ngay_sinh", Value: "31/02/2007", Reason: ReasonNotDate},
			`graduates.csv row 14: field "ngay_sinh": "31/02/2007" is not a date`},
		{&FieldError{File: "g.csv", Row: 3, Field: "ho_ten", Reason: ReasonRequired}, `g.csv row 3: field "ho_ten" is required`},
		{&FieldError{File: "g.csv", Row: 1, Reason: ReasonMissingColumns, Columns: []string{"ngay_cap", "so_hieu"}},
			`g.csv row 1: file lacks required columns: "ngay_cap", "so_hieu"`},
		{&FieldError{File: "g.json", Line: 7, Reason: ReasonNotUTF8, Detail: "x"}, `g.json line 7: file is not UTF-8 (x)`},
		{&FieldError{Field: "so_hieu", Value: "T 1", Reason: ReasonDuplicate, Detail: "same as row 2"},
			`field "so_hieu": "T 1" is a duplicate (same as row 2)`},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	v := ValidationErrors{tests[0].err, tests[1].err}
	if got := v.Error(); !strings.HasPrefix(got, "2 problems:\n  graduates.csv row 14") || !strings.Contains(got, "\n  g.csv row 3") {
		t.Errorf("ValidationErrors.Error: got %q, want every problem on its own line", got)
	}
	if got := v.Rows(); !slices.Equal(got, []int{14, 3}) {
		t.Errorf("Rows: got %v, want [14 3]", got)
	}
}

func TestDiplomaCSVColumnsIsACopy(t *testing.T) {
	a := DiplomaCSVColumns()
	a[0] = "changed"
	if b := DiplomaCSVColumns(); b[0] != FieldFullName || len(b) != 14 {
		t.Errorf("got %v, want a fresh list of 14 starting with ho_ten", b)
	}
}
