package templates

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseScore(t *testing.T) {
	tests := []struct {
		in   string
		want Score
		why  Reason // 0: valid
	}{
		{"8,5", "8.5", 0},
		{"8.5", "8.5", 0},
		{" 8 ", "8.0", 0},
		{"08", "8.0", 0},
		{"10", "10.0", 0},
		{"10,0", "10.0", 0},
		{"0", "0.0", 0},
		{"0,0", "0.0", 0},
		{"-0", "0.0", 0},
		{"9.9", "9.9", 0},
		{"", "", ReasonRequired},
		{"11", "", ReasonOutOfRange},
		{"10,1", "", ReasonOutOfRange},
		{"100", "", ReasonOutOfRange},
		{"-1", "", ReasonOutOfRange},
		{"8,25", "", ReasonBadFormat},
		{"8,50", "", ReasonBadFormat},
		{"8,5a", "", ReasonBadFormat},
		{"8.", "", ReasonBadFormat},
		{",5", "", ReasonBadFormat},
		{"8,5,1", "", ReasonBadFormat},
		{"1e1", "", ReasonBadFormat},
		{"Đ", "", ReasonBadFormat},
		{"８", "", ReasonBadFormat}, // full-width digit
		{"1000", "", ReasonBadFormat},
	}
	for _, tc := range tests {
		got, err := ParseScore(tc.in)
		if tc.why == 0 {
			if err != nil || got != tc.want {
				t.Errorf("ParseScore(%q): got (%q, %v), want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		if !errors.Is(err, ErrNotScore) {
			t.Errorf("ParseScore(%q): got (%q, %v), want ErrNotScore", tc.in, got, err)
		}
		if _, r, why := parseScoreTenths(tc.in); r != tc.why || why == "" {
			t.Errorf("parseScoreTenths(%q): got reason %v, want %v", tc.in, r, tc.why)
		}
	}
}

func TestScoreMethods(t *testing.T) {
	for tenths := 0; tenths <= 100; tenths++ {
		s, err := ScoreFromTenths(tenths)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := s.Tenths(); !ok || got != tenths {
			t.Errorf("ScoreFromTenths(%d).Tenths(): got (%d, %v)", tenths, got, ok)
		}
		p, err := ParseScore(s.Vietnamese())
		if err != nil || p != s {
			t.Errorf("ParseScore(%q): got (%q, %v), want %q", s.Vietnamese(), p, err, s)
		}
	}
	for _, bad := range []int{-1, 101} {
		if _, err := ScoreFromTenths(bad); !errors.Is(err, ErrNotScore) {
			t.Errorf("ScoreFromTenths(%d): got %v, want ErrNotScore", bad, err)
		}
	}
	if got := Score("8.5").Vietnamese(); got != "8,5" {
		t.Errorf("Vietnamese: got %q, want 8,5", got)
	}
	for _, s := range []Score{"8", "8,5", "08.5", "10.5", "", " 8.5"} {
		if s.Valid() {
			t.Errorf("Score(%q).Valid(): got true, want false (not canonical or out of range)", s)
		}
	}
}

func TestVerdictsAndMarks(t *testing.T) {
	for in, want := range map[string]Verdict{
		"Đ": VerdictPass, "đ": VerdictPass, "Đạt": VerdictPass, "dat": VerdictPass, "D": VerdictPass,
		"CĐ": VerdictFail, "cđ": VerdictFail, "Chưa đạt": VerdictFail, "CD": VerdictFail, "chua dat": VerdictFail,
	} {
		if got, ok := ParseVerdict(in); !ok || got != want {
			t.Errorf("ParseVerdict(%q): got (%q, %v), want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "Tốt", "8", "Đ Đ"} {
		if got, ok := ParseVerdict(in); ok {
			t.Errorf("ParseVerdict(%q): got %q, want no verdict", in, got)
		}
	}
	if VerdictPass.Word() != "Đạt" || VerdictFail.Word() != "Chưa đạt" {
		t.Error("Verdict.Word: want Đạt and Chưa đạt")
	}
	for in, want := range map[Mark]Mark{"8,5": "8.5", " 9 ": "9.0", "đạt": "Đ", "Chưa  đạt": "CĐ", "x": "x", "": ""} {
		if got := normalizeMark(in); got != want {
			t.Errorf("normalizeMark(%q): got %q, want %q", in, got, want)
		}
	}
	if got := Mark("8.5").Display(); got != "8,5" {
		t.Errorf("Display: got %q, want 8,5", got)
	}
	if got := Mark("CĐ").Display(); got != "CĐ" {
		t.Errorf("Display: got %q, want CĐ", got)
	}
	if _, ok := Mark("CĐ").Score(); ok {
		t.Error("Mark(CĐ).Score(): got a score")
	}
	if _, ok := Mark("8.5").Verdict(); ok {
		t.Error("Mark(8.5).Verdict(): got a verdict")
	}
}

func TestMarkJSON(t *testing.T) {
	var v struct {
		M []Mark `json:"m"`
	}
	if err := json.Unmarshal([]byte(`{"m": ["8.5", 9, 7.5, "Đ", null, 8.25]}`), &v); err != nil {
		t.Fatal(err)
	}
	want := []Mark{"8.5", "9", "7.5", "Đ", "", "8.25"}
	if len(v.M) != len(want) {
		t.Fatalf("got %q, want %q", v.M, want)
	}
	for i := range want {
		if v.M[i] != want[i] {
			t.Errorf("m[%d]: got %q, want %q", i, v.M[i], want[i])
		}
	}
	for _, bad := range []string{`{"m": [true]}`, `{"m": [{}]}`, `{"m": [-]}`} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("Unmarshal(%s): got no error", bad)
		}
	}
}

func TestEnumsParse(t *testing.T) {
	terms := map[string]Term{"HK1": TermI, "hk i": TermI, "Học kì I": TermI, "học kỳ 1": TermI,
		"HK2": TermII, "HKII": TermII, "Học kì II": TermII, "CN": TermYear, "Cả năm": TermYear}
	for in, want := range terms {
		if got, ok := parseTerm(in); !ok || got != want {
			t.Errorf("parseTerm(%q): got (%q, %v), want %q", in, got, ok, want)
		}
	}
	if _, ok := parseTerm("HK3"); ok {
		t.Error("parseTerm(HK3): got ok")
	}
	kinds := map[string]SubjectKind{"diem": SubjectScored, "Điểm số": SubjectScored, "nhan_xet": SubjectComment,
		"Đánh giá bằng nhận xét": SubjectComment}
	for in, want := range kinds {
		if got, ok := parseSubjectKind(in); !ok || got != want {
			t.Errorf("parseSubjectKind(%q): got (%q, %v), want %q", in, got, ok, want)
		}
	}
	ratings := map[string]Rating{"Tốt": RatingGood, "tot": RatingGood, "KHÁ": RatingFair, "đạt": RatingPass, "Chưa đạt": RatingFail}
	for in, want := range ratings {
		if got, ok := parseRating(in); !ok || got != want {
			t.Errorf("parseRating(%q): got (%q, %v), want %q", in, got, ok, want)
		}
	}
	if _, ok := parseRating("Giỏi"); ok {
		t.Error("parseRating(Giỏi): the rating of the old rules must be refused")
	}
	promos := map[string]Promotion{"được lên lớp": PromotionUp, "Lên lớp": PromotionUp, "ở lại lớp": PromotionRepeat,
		"Rèn luyện trong hè": PromotionSummer, "kiem tra lai": PromotionRetest}
	for in, want := range promos {
		if got, ok := parsePromotion(in); !ok || got != want {
			t.Errorf("parsePromotion(%q): got (%q, %v), want %q", in, got, ok, want)
		}
	}
}

func TestSchoolYearAndClass(t *testing.T) {
	for in, want := range map[string]string{"2024-2025": "2024-2025", "2024 - 2025": "2024-2025", "2024–2025": "2024-2025", "2024/2025": "2024-2025"} {
		if got, y1, ok := normalizeSchoolYear(in); !ok || got != want || y1 != 2024 {
			t.Errorf("normalizeSchoolYear(%q): got (%q, %d, %v), want %q", in, got, y1, ok, want)
		}
	}
	for _, in := range []string{"2024-2026", "2024", "24-25", "2025-2024", "abcd-efgh"} {
		if _, _, ok := normalizeSchoolYear(in); ok {
			t.Errorf("normalizeSchoolYear(%q): got ok", in)
		}
	}
	for _, c := range []string{"10A1", "6/3", "12 Chuyên Toán", "9A", "11CL"} {
		if !validClass(c) {
			t.Errorf("validClass(%q): got false", c)
		}
	}
	for _, c := range []string{"A1", "5A", "13A", "10A1 <b>", "100"} {
		if validClass(c) {
			t.Errorf("validClass(%q): got true", c)
		}
	}
	for _, s := range []struct {
		class, want string
	}{{"10A1", "TRUNG HỌC PHỔ THÔNG"}, {"9A", "TRUNG HỌC CƠ SỞ"}, {"6/3", "TRUNG HỌC CƠ SỞ"}} {
		if got := schoolLevel(s.class); got != s.want {
			t.Errorf("schoolLevel(%q): got %q, want %q", s.class, got, s.want)
		}
	}
}
