package assessment

import "testing"

func TestYearTitle(t *testing.T) {
	tests := []struct {
		name    string
		conduct Level
		year    []SubjectResult
		want    Title
	}{
		{"Điều 15: Tốt/Tốt and exactly 6 subjects at 9,0 → Xuất sắc", LevelTot, results(rep(90, 6, 80, 80)), TitleXuatSac},
		{"Điều 15: Tốt/Tốt and 8 subjects at 10 → Xuất sắc", LevelTot, results(rep(100, 8)), TitleXuatSac},
		{"Điều 15: Tốt/Tốt, only 5 at 9,0 (one at 8,9) → Giỏi", LevelTot, results(rep(90, 5, 89, 80, 80)), TitleGioi},
		{"Điều 15: Tốt/Tốt at the Tốt minimum → Giỏi", LevelTot, results(rep(80, 6, 65, 65)), TitleGioi},
		{"Điều 15: conduct Khá → no title", LevelKha, results(rep(100, 8)), NoTitle},
		{"Điều 15: learning Khá (one subject 6,4) → no title", LevelTot, results(rep(95, 7, 64)), NoTitle},
		{"Điều 15 with Điều 9 khoản 3: adjusted Khá earns no title", LevelTot, results(rep(100, 8), gdtc), NoTitle},
	}
	for _, tt := range tests {
		got, err := YearTitle(tt.conduct, tt.year)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	_, err := YearTitle(0, results(rep(100, 8)))
	checkReason(t, "conduct unset", err, ReasonLevel, 0)
	_, err = YearTitle(LevelTot, nil)
	checkReason(t, "no subjects", err, ReasonNoSubjects, 0)
}

func TestParseTitle(t *testing.T) {
	tests := []struct {
		in   string
		want Title
	}{
		{"Học sinh Xuất sắc", TitleXuatSac}, {"học sinh xuất sắc", TitleXuatSac}, {"Xuất sắc", TitleXuatSac},
		{"Học sinh Giỏi", TitleGioi}, {" Giỏi ", TitleGioi},
		{"", NoTitle}, {"  ", NoTitle},
	}
	for _, tt := range tests {
		got, err := ParseTitle(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseTitle(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"Học sinh Tiên tiến", "Giỏi!", "Tốt"} {
		_, err := ParseTitle(in)
		checkReason(t, "ParseTitle("+in+")", err, ReasonTitle, 0)
	}
}
