package assessment

import (
	"fmt"
	"strings"
)

// Title is a year title (danh hiệu) of Điều 15. The zero Title is NoTitle.
type Title int

// The titles.
const (
	NoTitle      Title = iota // no title
	TitleGioi                 // Học sinh Giỏi
	TitleXuatSac              // Học sinh Xuất sắc
)

// String returns the title as printed ("" for NoTitle).
func (t Title) String() string {
	switch t {
	case NoTitle:
		return ""
	case TitleGioi:
		return "Học sinh Giỏi"
	case TitleXuatSac:
		return "Học sinh Xuất sắc"
	}
	return fmt.Sprintf("Title(%d)", int(t))
}

// ParseTitle reads "Học sinh Xuất sắc" or "Học sinh Giỏi" (or just "Xuất
// sắc", "Giỏi"), ignoring case and surrounding white space; empty text is
// NoTitle. The text must be NFC.
func ParseTitle(s string) (Title, error) {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return NoTitle, nil
	case strings.EqualFold(t, "Học sinh Xuất sắc"), strings.EqualFold(t, "Xuất sắc"):
		return TitleXuatSac, nil
	case strings.EqualFold(t, "Học sinh Giỏi"), strings.EqualFold(t, "Giỏi"):
		return TitleGioi, nil
	}
	in := s
	if len(in) > maxQuoted {
		in = in[:maxQuoted] + "…"
	}
	return 0, &InputError{Reason: ReasonTitle, Detail: fmt.Sprintf("%q", in)}
}

// YearTitle gives the year title (Điều 15 khoản 1):
//
//	Học sinh Xuất sắc: year conduct Tốt, year learning Tốt, and at least 6
//	                   scored subjects with ĐTBmcn ≥ 9,0.
//	Học sinh Giỏi:     year conduct Tốt and year learning Tốt.
//
// The learning result is computed from year (the year's subject results) by
// LearningResult rather than taken as an argument, so it cannot disagree with
// the scores. An adjusted result (Điều 9 khoản 3) is at most Khá and never
// earns a title.
func YearTitle(conduct Level, year []SubjectResult) (Title, error) {
	if err := checkLevel("conduct", conduct); err != nil {
		return 0, err
	}
	learning, _, err := LearningResult(year)
	if err != nil {
		return 0, err
	}
	if conduct != LevelTot || learning != LevelTot {
		return NoTitle, nil
	}
	nine := 0
	for _, s := range year {
		if s.Kind == Scored && s.Average >= 90 {
			nine++
		}
	}
	if nine >= minAbove {
		return TitleXuatSac, nil
	}
	return TitleGioi, nil
}
