package templates

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Diploma is one upper secondary school graduation diploma (Bằng tốt nghiệp
// trung học phổ thông). The title is fixed by the layout, not stored here.
//
// The JSON member names are the CSV column names (see DiplomaCSVColumns).
// All text is NFC once Normalize has run; ReadDiplomas and RenderDiploma run
// it.
type Diploma struct {
	FullName         string `json:"ho_ten"`             // họ và tên
	DateOfBirth      Date   `json:"ngay_sinh"`          // ngày sinh
	PlaceOfBirth     string `json:"noi_sinh"`           // nơi sinh
	Gender           string `json:"gioi_tinh"`          // giới tính: GenderMale or GenderFemale
	Ethnicity        string `json:"dan_toc"`            // dân tộc, e.g. "Kinh"
	School           string `json:"truong"`             // học sinh trường, e.g. "Trường THPT Chuyên Bến Tre"
	GraduationYear   int    `json:"nam_tot_nghiep"`     // năm tốt nghiệp
	IssuingAuthority string `json:"so_gddt"`            // e.g. "Sở Giáo dục và Đào tạo Bến Tre"
	IssuePlace       string `json:"noi_cap"`            // place of issue, e.g. "Bến Tre"
	IssueDate        Date   `json:"ngay_cap"`           // ngày cấp
	Serial           string `json:"so_hieu"`            // số hiệu, e.g. "T 00516292"
	RegisterNumber   string `json:"so_vao_so"`          // số vào sổ cấp bằng
	SignerTitle      string `json:"chuc_danh_nguoi_ky"` // e.g. "Giám đốc"
	SignerName       string `json:"nguoi_ky"`           // the signer's full name
}

// Field names: the CSV columns and JSON members of a Diploma.
const (
	FieldFullName         = "ho_ten"
	FieldDateOfBirth      = "ngay_sinh"
	FieldPlaceOfBirth     = "noi_sinh"
	FieldGender           = "gioi_tinh"
	FieldEthnicity        = "dan_toc"
	FieldSchool           = "truong"
	FieldGraduationYear   = "nam_tot_nghiep"
	FieldIssuingAuthority = "so_gddt"
	FieldIssuePlace       = "noi_cap"
	FieldIssueDate        = "ngay_cap"
	FieldSerial           = "so_hieu"
	FieldRegisterNumber   = "so_vao_so"
	FieldSignerTitle      = "chuc_danh_nguoi_ky"
	FieldSignerName       = "nguoi_ky"
)

// DiplomaCSVColumns returns the columns of a diploma CSV file, in the order
// kyso writes them. All are required; ReadDiplomas accepts them in any order,
// in any letter case, and also under their usual Vietnamese headings:
//
//	ho_ten              Họ và tên            full name
//	ngay_sinh           Ngày sinh            date of birth, dd/mm/yyyy or yyyy-mm-dd
//	noi_sinh            Nơi sinh             place of birth
//	gioi_tinh           Giới tính            Nam or Nữ
//	dan_toc             Dân tộc              ethnicity
//	truong              Trường               school
//	nam_tot_nghiep      Năm tốt nghiệp       graduation year
//	so_gddt             Sở GD&ĐT             issuing department of education
//	noi_cap             Nơi cấp              place of issue
//	ngay_cap            Ngày cấp             date of issue
//	so_hieu             Số hiệu              serial, e.g. T 00516292
//	so_vao_so           Số vào sổ cấp bằng   register number
//	chuc_danh_nguoi_ky  Chức danh người ký   signer's title, e.g. Giám đốc
//	nguoi_ky            Người ký             signer's name
func DiplomaCSVColumns() []string {
	return []string{
		FieldFullName, FieldDateOfBirth, FieldPlaceOfBirth, FieldGender, FieldEthnicity,
		FieldSchool, FieldGraduationYear, FieldIssuingAuthority, FieldIssuePlace, FieldIssueDate,
		FieldSerial, FieldRegisterNumber, FieldSignerTitle, FieldSignerName,
	}
}

// Genders as printed on the diploma.
const (
	GenderMale   = "Nam"
	GenderFemale = "Nữ"
)

// Limits on diploma fields.
const (
	// MinGraduationYear is the first graduation year accepted.
	MinGraduationYear = 1975
	// MinGraduationAge is the youngest age, in years, at which a record
	// may graduate (the difference between the graduation year and the
	// year of birth).
	MinGraduationAge = 14
)

// maxRunes gives each text field's maximum length in characters. The layout
// is tested to fit every field at its maximum length.
func maxRunes(field string) int {
	switch field {
	case FieldFullName, FieldSignerName:
		return 60
	case FieldPlaceOfBirth, FieldSchool, FieldIssuingAuthority:
		return 90
	case FieldEthnicity:
		return 30
	case FieldIssuePlace, FieldSignerTitle:
		return 40
	case FieldSerial:
		return 12
	case FieldRegisterNumber:
		return 30
	}
	return 100
}

// Normalize cleans every text field in place: NFC normalisation, runs of
// white space collapsed to one space, leading and trailing space removed. It
// also writes the gender as GenderMale or GenderFemale and the serial in its
// canonical form ("t00516292" becomes "T 00516292") when they can be read.
// Normalize is idempotent; it does not validate.
func (d *Diploma) Normalize() {
	for _, p := range d.textFields() {
		*p.v = cleanText(*p.v)
	}
	if g, ok := normalizeGender(d.Gender); ok {
		d.Gender = g
	}
	if s, ok := normalizeSerial(d.Serial); ok {
		d.Serial = s
	}
}

type textField struct {
	name   string
	v      *string
	person bool // a person's name: letters, spaces and . ' - only
}

func (d *Diploma) textFields() []textField {
	return []textField{
		{FieldFullName, &d.FullName, true},
		{FieldPlaceOfBirth, &d.PlaceOfBirth, false},
		{FieldGender, &d.Gender, false},
		{FieldEthnicity, &d.Ethnicity, false},
		{FieldSchool, &d.School, false},
		{FieldIssuingAuthority, &d.IssuingAuthority, false},
		{FieldIssuePlace, &d.IssuePlace, false},
		{FieldSerial, &d.Serial, false},
		{FieldRegisterNumber, &d.RegisterNumber, false},
		{FieldSignerTitle, &d.SignerTitle, false},
		{FieldSignerName, &d.SignerName, true},
	}
}

// cleanText NFC-normalises s, collapses runs of white space into one space
// and trims it.
func cleanText(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func normalizeGender(s string) (string, bool) {
	switch strings.ToLower(cleanText(s)) {
	case "nam":
		return GenderMale, true
	case "nữ", "nu":
		return GenderFemale, true
	}
	return s, false
}

// normalizeSerial reads a serial such as "T 00516292", "t00516292" or
// "TA 1234567": one to three Latin capital letters, then six to eight
// digits. It returns the canonical form, letters, one space, digits.
func normalizeSerial(s string) (string, bool) {
	var letters, nums []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			if len(nums) > 0 {
				return s, false
			}
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			if len(nums) > 0 {
				return s, false
			}
			letters = append(letters, c&^0x20)
		case c >= '0' && c <= '9':
			nums = append(nums, c)
		default:
			return s, false
		}
	}
	if len(letters) < 1 || len(letters) > 3 || len(nums) < 6 || len(nums) > 8 {
		return s, false
	}
	return string(letters) + " " + string(nums), true
}

// validRegisterNumber checks a số vào sổ cấp bằng: 1–30 letters, digits and
// "/", ".", "-", with at least one digit.
func validRegisterNumber(s string) bool {
	n, digit := 0, false
	for _, r := range s {
		n++
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r == '/' || r == '.' || r == '-':
		case isLatinLetter(r):
		default:
			return false
		}
	}
	return n >= 1 && n <= 30 && digit
}

// isLatinLetter reports whether r is a letter of the Latin ranges that
// Vietnamese uses and the diploma fonts draw.
func isLatinLetter(r rune) bool {
	if r < 0x80 {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	return (r >= 0xC0 && r <= 0x24F || r >= 0x1E00 && r <= 0x1EFF) && unicode.IsLetter(r)
}

// textCharProblem returns a description of the first character of s that a
// field may not hold, or "".
func textCharProblem(s string, personName bool) string {
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return "U+FFFD replacement character: the text was probably converted from a legacy encoding badly"
		case unicode.IsControl(r):
			return fmt.Sprintf("control character %U", r)
		case unicode.In(r, unicode.Cf, unicode.Co, unicode.Cs):
			return fmt.Sprintf("invisible or private character %U", r)
		case isLatinLetter(r), r == ' ':
		case unicode.Is(unicode.Mn, r):
			// A combining mark that NFC could not compose with its base
			// letter: fpdf would draw it colliding with the letter.
			return fmt.Sprintf("stray combining mark %U", r)
		case personName:
			if !strings.ContainsRune(".'’-", r) {
				return fmt.Sprintf("character %q (%U) in a name", r, r)
			}
		case r >= '0' && r <= '9':
		case strings.ContainsRune(",.;:-–—/()'’\"“”&#+", r):
		default:
			return fmt.Sprintf("character %q (%U)", r, r)
		}
	}
	return ""
}

// Validate reports every problem with d as a ValidationErrors, or nil. It
// expects d to have been normalised (see Normalize); a field that Normalize
// would change counts as a problem.
func (d *Diploma) Validate() error {
	if probs := d.problems(nil); len(probs) > 0 {
		return ValidationErrors(probs)
	}
	return nil
}

// problems lists the problems with d, skipping the fields in skip (fields
// whose raw input could not be parsed and have been reported already).
func (d *Diploma) problems(skip map[string]bool) []*FieldError {
	var out []*FieldError
	add := func(field, value string, r Reason, detail string) {
		out = append(out, &FieldError{Field: field, Value: value, Reason: r, Detail: detail})
	}
	bad := map[string]bool{}
	for k := range skip {
		bad[k] = true
	}

	for _, f := range d.textFields() {
		if skip[f.name] {
			continue
		}
		v := *f.v
		switch {
		case strings.TrimSpace(v) == "":
			add(f.name, "", ReasonRequired, "")
		case utf8.RuneCountInString(v) > maxRunes(f.name):
			add(f.name, v, ReasonTooLong, fmt.Sprintf("%d characters, want at most %d", utf8.RuneCountInString(v), maxRunes(f.name)))
		case !utf8.ValidString(v):
			add(f.name, v, ReasonBadCharacter, "not valid UTF-8")
		case textCharProblem(v, f.person) != "":
			add(f.name, v, ReasonBadCharacter, textCharProblem(v, f.person))
		case cleanText(v) != v:
			add(f.name, v, ReasonBadFormat, "not normalised: want NFC with single spaces and no surrounding space")
		default:
			continue
		}
		bad[f.name] = true
	}

	if !bad[FieldGender] {
		if g, ok := normalizeGender(d.Gender); !ok || g != d.Gender {
			add(FieldGender, d.Gender, ReasonBadValue, "want Nam or Nữ")
		}
	}
	if !bad[FieldSerial] {
		if s, ok := normalizeSerial(d.Serial); !ok {
			add(FieldSerial, d.Serial, ReasonBadFormat, "want 1–3 capital letters, a space and 6–8 digits, e.g. T 00516292")
		} else if s != d.Serial {
			add(FieldSerial, d.Serial, ReasonBadFormat, "want the canonical form "+s)
		}
	}
	if !bad[FieldRegisterNumber] && !validRegisterNumber(d.RegisterNumber) {
		add(FieldRegisterNumber, d.RegisterNumber, ReasonBadFormat, "want 1–30 letters, digits, / . or -, with at least one digit")
	}

	dates := []struct {
		name string
		d    Date
	}{{FieldDateOfBirth, d.DateOfBirth}, {FieldIssueDate, d.IssueDate}}
	for _, x := range dates {
		switch {
		case skip[x.name]:
		case x.d.IsZero():
			add(x.name, "", ReasonRequired, "")
			bad[x.name] = true
		case !x.d.Valid():
			out = append(out, &FieldError{Field: x.name, Value: fmt.Sprintf("%04d-%02d-%02d", x.d.Year, int(x.d.Month), x.d.Day),
				Reason: ReasonNotDate, Detail: fmt.Sprintf("want a real date in %d–%d", MinYear, MaxYear), Err: ErrNotDate})
			bad[x.name] = true
		}
	}
	if !skip[FieldGraduationYear] {
		switch y := d.GraduationYear; {
		case y == 0:
			add(FieldGraduationYear, "", ReasonRequired, "")
			bad[FieldGraduationYear] = true
		case y < MinGraduationYear || y > MaxYear:
			add(FieldGraduationYear, fmt.Sprint(y), ReasonOutOfRange, fmt.Sprintf("want %d–%d", MinGraduationYear, MaxYear))
			bad[FieldGraduationYear] = true
		}
	}

	// Cross-field rules, only between fields that are themselves sound.
	if !bad[FieldDateOfBirth] && !bad[FieldIssueDate] && !d.DateOfBirth.Before(d.IssueDate) {
		add(FieldDateOfBirth, d.DateOfBirth.String(), ReasonInconsistent, "must be before ngay_cap "+d.IssueDate.String())
	}
	if !bad[FieldGraduationYear] && !bad[FieldIssueDate] && d.GraduationYear > d.IssueDate.Year {
		add(FieldGraduationYear, fmt.Sprint(d.GraduationYear), ReasonInconsistent,
			fmt.Sprintf("after the year of ngay_cap %s", d.IssueDate))
	}
	if !bad[FieldGraduationYear] && !bad[FieldDateOfBirth] && d.GraduationYear-d.DateOfBirth.Year < MinGraduationAge {
		add(FieldDateOfBirth, d.DateOfBirth.String(), ReasonInconsistent,
			fmt.Sprintf("the graduate would be %d in %d, want at least %d", d.GraduationYear-d.DateOfBirth.Year, d.GraduationYear, MinGraduationAge))
	}
	return out
}
