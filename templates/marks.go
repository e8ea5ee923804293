package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The values that gradebooks and học bạ carry: scores, Đạt/Chưa đạt marks,
// terms, subject kinds, ratings and promotion decisions, under the rules of
// Thông tư 22/2021/TT-BGDĐT (assessment of lower and upper secondary
// students). The types hold the values as the school gives them; computing
// and checking averages and results is a separate step.

// Score is a score on the 10-point scale with one decimal, as text in its
// canonical form: whole part, a decimal point, one digit ("8.5", "10.0",
// "0.0"). Thông tư 22/2021 (Điều 6 and Điều 9) gives every assessment score
// and every average as a whole number or a number with one decimal, from 0
// to 10. Printed the Vietnamese way, with a decimal comma: see Vietnamese.
type Score string

// ErrNotScore is returned (wrapped) by ParseScore.
var ErrNotScore = errors.New("not a score")

// maxScoreTenths is 10.0 in tenths.
const maxScoreTenths = 100

// ParseScore reads a score written "8,5", "8.5", "8" or "10,0": at most two
// digits, then optionally a decimal comma or point and one digit. Surrounding
// spaces are ignored. It returns the canonical form ("8.5", "8.0").
func ParseScore(s string) (Score, error) {
	t, _, why := parseScoreTenths(s)
	if why != "" {
		return "", fmt.Errorf("%w: %q: %s", ErrNotScore, strings.TrimSpace(s), why)
	}
	return scoreOfTenths(t), nil
}

// ScoreFromTenths returns the score of t tenths (85 is "8.5"); t must be in
// 0–100.
func ScoreFromTenths(t int) (Score, error) {
	if t < 0 || t > maxScoreTenths {
		return "", fmt.Errorf("%w: %d tenths: want 0–%d", ErrNotScore, t, maxScoreTenths)
	}
	return scoreOfTenths(t), nil
}

func scoreOfTenths(t int) Score {
	return Score(strconv.Itoa(t/10) + "." + strconv.Itoa(t%10))
}

// parseScoreTenths reads a score in tenths. On failure it returns the reason
// (ReasonBadFormat or ReasonOutOfRange) and why.
func parseScoreTenths(s string) (int, Reason, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ReasonRequired, "empty"
	}
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	whole, frac, hasSep := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if !allDigits(whole) || len(whole) > 3 || hasSep && !allDigits(frac) {
		return 0, ReasonBadFormat, "want a number such as 8,5 or 8.5"
	}
	if len(frac) > 1 {
		return 0, ReasonBadFormat, "want at most one decimal (Thông tư 22/2021 rounds to one decimal)"
	}
	w, _ := strconv.Atoi(whole)
	t := w * 10
	if frac != "" {
		t += int(frac[0] - '0')
	}
	if neg && t != 0 || t > maxScoreTenths {
		return 0, ReasonOutOfRange, "want 0 to 10"
	}
	return t, 0, ""
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Tenths returns the score in tenths (85 for "8.5") and true, or 0 and false
// when s is not a score in canonical form.
func (s Score) Tenths() (int, bool) {
	t, _, why := parseScoreTenths(string(s))
	if why != "" || scoreOfTenths(t) != s {
		return 0, false
	}
	return t, true
}

// Valid reports whether s is a score from 0 to 10 in canonical form.
func (s Score) Valid() bool {
	_, ok := s.Tenths()
	return ok
}

// Vietnamese returns the score with a decimal comma, as printed: "8,5".
func (s Score) Vietnamese() string { return strings.Replace(string(s), ".", ",", 1) }

// Verdict is the mark of a subject assessed by comment only (môn học đánh
// giá bằng nhận xét, Thông tư 22/2021 Điều 5 and Điều 9): Đạt or Chưa đạt,
// written in tables as Đ and CĐ.
type Verdict string

// Verdicts, in the short form tables use.
const (
	VerdictPass Verdict = "Đ"  // Đạt
	VerdictFail Verdict = "CĐ" // Chưa đạt
)

// ParseVerdict reads Đ, CĐ, Đạt or Chưa đạt, in any letter case, with or
// without diacritics.
func ParseVerdict(s string) (Verdict, bool) {
	switch foldHeader(s) {
	case "d", "dat":
		return VerdictPass, true
	case "cd", "chua_dat":
		return VerdictFail, true
	}
	return "", false
}

// Word returns the verdict in full: "Đạt" or "Chưa đạt".
func (v Verdict) Word() string {
	switch v {
	case VerdictPass:
		return "Đạt"
	case VerdictFail:
		return "Chưa đạt"
	}
	return string(v)
}

// Mark is one assessment result as a gradebook or học bạ holds it: a Score
// for a subject assessed with scores, or a Verdict (Đ / CĐ) for a subject
// assessed by comment only. Which one a mark must be depends on the
// subject's SubjectKind. The empty Mark means "no mark".
//
// In JSON a Mark is a string ("8.5", "Đ"); a JSON number (8.5) is accepted
// too.
type Mark string

// Score returns the mark as a score, if it is one in canonical form.
func (m Mark) Score() (Score, bool) {
	s := Score(m)
	return s, s.Valid()
}

// Verdict returns the mark as a verdict, if it is one in canonical form.
func (m Mark) Verdict() (Verdict, bool) {
	switch v := Verdict(m); v {
	case VerdictPass, VerdictFail:
		return v, true
	}
	return "", false
}

// Display returns the mark as printed: a score with a decimal comma ("8,5"),
// or Đ / CĐ.
func (m Mark) Display() string {
	if s, ok := m.Score(); ok {
		return s.Vietnamese()
	}
	return string(m)
}

// normalizeMark returns the canonical form of m when m can be read as a
// score or a verdict, and m cleaned of surrounding space otherwise.
func normalizeMark(m Mark) Mark {
	s := cleanText(string(m))
	if t, _, why := parseScoreTenths(s); why == "" {
		return Mark(scoreOfTenths(t))
	}
	if v, ok := ParseVerdict(s); ok {
		return Mark(v)
	}
	return Mark(s)
}

// UnmarshalJSON reads a mark from a JSON string or number.
func (m *Mark) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9') {
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("%w: want a string such as \"8.5\" or \"Đ\"", ErrNotScore)
		}
		*m = Mark(n.String())
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%w: want a string such as \"8.5\" or \"Đ\"", ErrNotScore)
	}
	*m = Mark(s)
	return nil
}

// SubjectKind says how a subject is assessed (Thông tư 22/2021 Điều 5).
type SubjectKind string

// Subject kinds.
const (
	// SubjectScored: assessed by comment combined with scores (đánh giá
	// bằng nhận xét kết hợp với đánh giá bằng điểm số); marks are Scores.
	SubjectScored SubjectKind = "diem"
	// SubjectComment: assessed by comment only (đánh giá bằng nhận xét),
	// e.g. Giáo dục thể chất; marks are Verdicts.
	SubjectComment SubjectKind = "nhan_xet"
)

// parseSubjectKind reads a subject kind by its code or its Vietnamese name.
func parseSubjectKind(s string) (SubjectKind, bool) {
	switch foldHeader(s) {
	case "diem", "diem_so", "danh_gia_bang_diem_so", "danh_gia_bang_nhan_xet_ket_hop_voi_danh_gia_bang_diem_so",
		"nhan_xet_ket_hop_diem_so":
		return SubjectScored, true
	case "nhan_xet", "danh_gia_bang_nhan_xet":
		return SubjectComment, true
	}
	return "", false
}

// Description returns the kind as the regulation words it.
func (k SubjectKind) Description() string {
	switch k {
	case SubjectScored:
		return "đánh giá bằng nhận xét kết hợp với đánh giá bằng điểm số"
	case SubjectComment:
		return "đánh giá bằng nhận xét"
	}
	return string(k)
}

// Term is the period a gradebook covers.
type Term string

// Terms.
const (
	TermI    Term = "HK1" // học kì I
	TermII   Term = "HK2" // học kì II
	TermYear Term = "CN"  // cả năm, the whole school year
)

// parseTerm reads a term by its code or its Vietnamese name.
func parseTerm(s string) (Term, bool) {
	switch foldHeader(s) {
	case "hk1", "hki", "hk_1", "hk_i", "hoc_ki_1", "hoc_ki_i", "hoc_ky_1", "hoc_ky_i", "1", "i":
		return TermI, true
	case "hk2", "hkii", "hk_2", "hk_ii", "hoc_ki_2", "hoc_ki_ii", "hoc_ky_2", "hoc_ky_ii", "2", "ii":
		return TermII, true
	case "cn", "ca_nam", "canam":
		return TermYear, true
	}
	return "", false
}

// Label returns the term as printed: "Học kì I", "Học kì II", "Cả năm".
func (t Term) Label() string {
	switch t {
	case TermI:
		return "Học kì I"
	case TermII:
		return "Học kì II"
	case TermYear:
		return "Cả năm"
	}
	return string(t)
}

// Rating is a learning result (kết quả học tập) or conduct result (kết quả
// rèn luyện) for a term or a year (Thông tư 22/2021 Điều 8 and Điều 9).
type Rating string

// Ratings.
const (
	RatingGood Rating = "Tốt"
	RatingFair Rating = "Khá"
	RatingPass Rating = "Đạt"
	RatingFail Rating = "Chưa đạt"
)

// parseRating reads a rating in any letter case, with or without diacritics.
func parseRating(s string) (Rating, bool) {
	switch foldHeader(s) {
	case "tot":
		return RatingGood, true
	case "kha":
		return RatingFair, true
	case "dat":
		return RatingPass, true
	case "chua_dat":
		return RatingFail, true
	}
	return "", false
}

// Promotion is the decision at the end of a school year (Thông tư 22/2021
// Điều 12 and Điều 13).
type Promotion string

// Promotion decisions, as printed.
const (
	PromotionUp     Promotion = "Được lên lớp"
	PromotionRepeat Promotion = "Ở lại lớp"
	PromotionSummer Promotion = "Rèn luyện trong hè" // conduct Chưa đạt: summer training, then a new decision
	PromotionRetest Promotion = "Kiểm tra lại"       // learning Chưa đạt: re-tests, then a new decision
)

// parsePromotion reads a promotion decision in any letter case, with or
// without diacritics.
func parsePromotion(s string) (Promotion, bool) {
	switch foldHeader(s) {
	case "duoc_len_lop", "len_lop":
		return PromotionUp, true
	case "o_lai_lop", "o_lai", "khong_duoc_len_lop", "luu_ban":
		return PromotionRepeat, true
	case "ren_luyen_trong_he", "ren_luyen_he":
		return PromotionSummer, true
	case "kiem_tra_lai":
		return PromotionRetest, true
	}
	return "", false
}

// Titles (danh hiệu) awarded for a school year (Thông tư 22/2021 Điều 15).
const (
	TitleExcellent = "Học sinh Xuất sắc"
	TitleGood      = "Học sinh Giỏi"
)

func parseTitle(s string) (string, bool) {
	switch foldHeader(s) {
	case "hoc_sinh_xuat_sac", "xuat_sac":
		return TitleExcellent, true
	case "hoc_sinh_gioi", "gioi":
		return TitleGood, true
	}
	return "", false
}

// MinSchoolYear is the first school year (its starting calendar year)
// accepted for gradebooks and học bạ: Thông tư 22/2021 applies from the
// school year 2021-2022 (grade 6 first).
const MinSchoolYear = 2021

// normalizeSchoolYear reads a school year such as "2024-2025", "2024 - 2025",
// "2024–2025" or "2024/2025" and returns it as "2024-2025" with its first
// calendar year. It does not check the range.
func normalizeSchoolYear(s string) (string, int, bool) {
	s = strings.NewReplacer(" ", "", "–", "-", "—", "-", "/", "-").Replace(cleanText(s))
	a, b, ok := strings.Cut(s, "-")
	if !ok || len(a) != 4 || len(b) != 4 || !allDigits(a) || !allDigits(b) {
		return s, 0, false
	}
	y1, _ := strconv.Atoi(a)
	y2, _ := strconv.Atoi(b)
	if y2 != y1+1 {
		return s, 0, false
	}
	return a + "-" + b, y1, true
}

// classGrade returns the grade (khối) a class name starts with: 10 for
// "10A1", 6 for "6/3", 12 for "12 Chuyên Toán".
func classGrade(class string) (int, bool) {
	n := 0
	for n < len(class) && n < 2 && class[n] >= '0' && class[n] <= '9' {
		n++
	}
	if n == 0 {
		return 0, false
	}
	g, _ := strconv.Atoi(class[:n])
	return g, true
}

// validClass checks a class name: a grade from 6 to 12, then 1 to 18
// letters, digits, spaces, "/", "." or "-" ("10A1", "6/3", "12 Chuyên
// Toán").
func validClass(class string) bool {
	lead := len(class) - len(strings.TrimLeft(class, "0123456789"))
	g, ok := classGrade(class)
	if !ok || lead > 2 || g < 6 || g > 12 {
		return false
	}
	rest := class[lead:]
	if rest == "" || utf8.RuneCountInString(rest) > 18 {
		return false
	}
	for _, r := range rest {
		if !(isLatinLetter(r) || r >= '0' && r <= '9' || r == ' ' || r == '/' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

// validStudentID checks a student identifier (mã định danh học sinh, or the
// citizen ID now used as one): 6–20 ASCII letters and digits, at least one
// digit.
func validStudentID(s string) bool {
	if len(s) < 6 || len(s) > 20 {
		return false
	}
	digit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
		default:
			return false
		}
	}
	return digit
}
