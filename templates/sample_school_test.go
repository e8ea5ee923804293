package templates

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// sampleDir holds the school document samples shared with other packages.
const sampleDir = "../testdata/samples"

// ratTenths reads a canonical score as an exact rational number.
func ratScore(t *testing.T, m Mark) *big.Rat {
	t.Helper()
	if _, ok := m.Score(); !ok {
		t.Fatalf("%q is not a canonical score", m)
	}
	r, ok := new(big.Rat).SetString(string(m))
	if !ok {
		t.Fatalf("big.Rat cannot read %q", m)
	}
	return r
}

// roundOneDecimal rounds r half up to one decimal and writes it as a
// canonical score, by exact arithmetic independent of the generator's.
func roundOneDecimal(r *big.Rat) Mark {
	x := new(big.Rat).Mul(r, big.NewRat(10, 1))
	x.Add(x, big.NewRat(1, 2))
	n := new(big.Int).Quo(x.Num(), x.Denom()) // floor for x ≥ 0
	s, err := ScoreFromTenths(int(n.Int64()))
	if err != nil {
		panic(err)
	}
	return Mark(s)
}

// TestSampleGradebookArithmetic checks every sample average against
// Thông tư 22/2021 Điều 9 khoản 1 with exact rational arithmetic.
func TestSampleGradebookArithmetic(t *testing.T) {
	for _, subj := range SampleSubjects() {
		hk1 := sampleGradebook(t, SampleClassSize, TermI, subj)
		hk2 := sampleGradebook(t, SampleClassSize, TermII, subj)
		cn := sampleGradebook(t, SampleClassSize, TermYear, subj)
		for _, g := range []*Gradebook{&hk1, &hk2, &cn} {
			if err := g.Validate(); err != nil {
				t.Fatalf("%s %s: %v", subj, g.Term, err)
			}
			if len(g.Students) != SampleClassSize {
				t.Fatalf("%s %s: %d students", subj, g.Term, len(g.Students))
			}
		}
		for i := range cn.Students {
			s1, s2, sy := hk1.Students[i], hk2.Students[i], cn.Students[i]
			if s1.ID != sy.ID || s2.ID != sy.ID {
				t.Fatalf("%s: student %d differs between the term and year gradebooks", subj, i+1)
			}
			if sy.TermI != s1.TermAverage || sy.TermII != s2.TermAverage {
				t.Errorf("%s student %d: CN holds %q/%q, the terms %q/%q", subj, i+1, sy.TermI, sy.TermII, s1.TermAverage, s2.TermAverage)
			}
			if hk1.SubjectKind == SubjectComment {
				for _, s := range []GradebookStudent{s1, s2} {
					// Đạt when every assessment is Đạt, Chưa đạt when every
					// one is Chưa đạt: the samples hold no mixed case.
					all := append(slices.Clone(s.Regular), s.MidTerm, s.Final)
					for _, m := range all {
						if m != s.TermAverage {
							t.Errorf("%s student %d: marks %q but term result %q", subj, i+1, all, s.TermAverage)
						}
					}
				}
				if sy.Year != sy.TermII {
					t.Errorf("%s student %d: year %q, want term II's %q", subj, i+1, sy.Year, sy.TermII)
				}
				continue
			}
			for _, s := range []GradebookStudent{s1, s2} {
				sum := new(big.Rat)
				for _, m := range s.Regular {
					sum.Add(sum, ratScore(t, m))
				}
				sum.Add(sum, new(big.Rat).Mul(big.NewRat(2, 1), ratScore(t, s.MidTerm)))
				sum.Add(sum, new(big.Rat).Mul(big.NewRat(3, 1), ratScore(t, s.Final)))
				sum.Quo(sum, big.NewRat(int64(len(s.Regular)+5), 1))
				if want := roundOneDecimal(sum); s.TermAverage != want {
					t.Errorf("%s student %d: ĐTBmhk %q, want %q", subj, i+1, s.TermAverage, want)
				}
			}
			y := new(big.Rat).Add(ratScore(t, s1.TermAverage), new(big.Rat).Mul(big.NewRat(2, 1), ratScore(t, s2.TermAverage)))
			y.Quo(y, big.NewRat(3, 1))
			if want := roundOneDecimal(y); sy.Year != want {
				t.Errorf("%s student %d: ĐTBmcn %q, want %q", subj, i+1, sy.Year, want)
			}
		}
	}
}

func TestRoundingHalfUp(t *testing.T) {
	tests := []struct {
		regular     []int
		mid, final  int
		wantTenths  int
		explanation string
	}{
		// (8+8+8+8 + 2·8 + 3·9) / 9 = 75/9 = 8.33… → 8.3
		{[]int{80, 80, 80, 80}, 80, 90, 83, "750/9 tenths"},
		// (7+8 + 2·6 + 3·5.5)/7 = 43.5/7 = 6.214… → 6.2
		{[]int{70, 80}, 60, 55, 62, "435/7 tenths"},
		// (6.5+6.5+6.5 + 2·6.5 + 3·6.5)/8 = 6.5 exactly
		{[]int{65, 65, 65}, 65, 65, 65, "exact"},
		// (5+6 + 2·7 + 3·6.5)/7 = 44.5/7 = 6.357… → 6.4
		{[]int{50, 60}, 70, 65, 64, "445/7 tenths"},
		// (9+9+9 + 2·8.5 + 3·8)/8 = 68/8 = 8.5 exactly
		{[]int{90, 90, 90}, 85, 80, 85, "exact"},
		// (4+4 + 2·4 + 3·4.5)/7 = 29.5/7 = 4.214… → 4.2
		{[]int{40, 40}, 40, 45, 42, "295/7 tenths"},
		// (8+9 + 2·8 + 3·8.1)/7 = 57.3/7 = 8.1857… → 8.2
		{[]int{80, 90}, 80, 81, 82, "573/7 tenths"},
		// x.x5 exactly: (7+7+7 + 2·7 + 3·7.4)/8 = 57.2/8 = 7.15 → 7.2
		{[]int{70, 70, 70}, 70, 74, 72, "572/8 tenths, half up"},
	}
	for _, tc := range tests {
		if got := termAverageTenths(tc.regular, tc.mid, tc.final); got != tc.wantTenths {
			t.Errorf("termAverageTenths(%v, %d, %d): got %d, want %d (%s)", tc.regular, tc.mid, tc.final, got, tc.wantTenths, tc.explanation)
		}
	}
	// Half-way cases round up: 5.25 → 5.3, 6.45 → 6.5.
	if got := divRoundHalfUp(105, 2); got != 53 {
		t.Errorf("divRoundHalfUp(105, 2): got %d, want 53", got)
	}
	if got := divRoundHalfUp(129, 2); got != 65 {
		t.Errorf("divRoundHalfUp(129, 2): got %d, want 65", got)
	}
	// ĐTBmcn = (6.4 + 2·6.5)/3 = 19.4/3 = 6.466… → 6.5.
	if got := yearAverageTenths(64, 65); got != 65 {
		t.Errorf("yearAverageTenths(64, 65): got %d, want 65", got)
	}
	// (7.0 + 2·7.1)/3 = 21.2/3 = 7.0666… → 7.1.
	if got := yearAverageTenths(70, 71); got != 71 {
		t.Errorf("yearAverageTenths(70, 71): got %d, want 71", got)
	}
}

// TestSampleLearningRating works through Thông tư 22/2021 Điều 9 khoản 2.
func TestSampleLearningRating(t *testing.T) {
	six := func(v int) []int { return []int{v, v, v, v, v, v} }
	tests := []struct {
		name   string
		scores []int
		passes []bool
		want   Rating
	}{
		{"Tốt: all ≥ 6.5, six ≥ 8.0", append(six(80), 65, 65), []bool{true, true}, RatingGood},
		{"Tốt needs six ≥ 8.0", append(six(79), 90), []bool{true}, RatingFair},
		{"one at 6.4 drops Tốt to Khá", append(six(90), 64), []bool{true}, RatingFair},
		{"Khá: all ≥ 5.0, six ≥ 6.5 (exactly 6.5)", append(six(65), 50), []bool{true}, RatingFair},
		{"a Chưa đạt verdict stops Khá", append(six(70), 70), []bool{true, false}, RatingPass},
		// Tốt but for one Chưa đạt verdict gives Đạt, two levels down:
		// raised to Khá.
		{"raised from Đạt to Khá", append(six(90), 80), []bool{true, false}, RatingFair},
		{"Đạt: six ≥ 5.0, none below 3.5", append(six(50), 35), []bool{true}, RatingPass},
		{"below 3.5 is Chưa đạt", append(six(50), 34), []bool{true}, RatingFail},
		{"two Chưa đạt verdicts", six(90), []bool{false, false}, RatingFail},
		{"five ≥ 5.0 is not enough", append([]int{50, 50, 50, 50, 50}, 49, 49), []bool{true}, RatingFail},
		// Điểm đ: Tốt but for one subject at 3.4 would be Chưa đạt, two
		// levels or more down: raised one level, to Đạt.
		{"raised one level", append(six(90), 34), []bool{true}, RatingPass},
		// Khá but for one Chưa đạt verdict gives Đạt: only one level down.
		{"one level down stays", append(six(70), 70), []bool{false}, RatingPass},
	}
	for _, tc := range tests {
		if got := sampleLearningRating(tc.scores, tc.passes); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestSampleTranscripts(t *testing.T) {
	gradebooks := map[string]Gradebook{}
	for _, subj := range SampleSubjects() {
		gradebooks[subj] = sampleGradebook(t, SampleClassSize, TermYear, subj)
	}
	titles := map[string]int{}
	for i := 0; i < SampleClassSize; i++ {
		tr := sampleTranscript(t, i)
		if err := tr.Validate(); err != nil {
			t.Fatalf("SampleTranscript(%d): %v", i, err)
		}
		titles[tr.Title]++
		for _, s := range tr.Subjects {
			row := gradebooks[s.Name].Students[i]
			if row.ID != tr.Student.ID || row.TermI != s.TermI || row.TermII != s.TermII || row.Year != s.Year {
				t.Errorf("student %d %s: học bạ %q/%q/%q, gradebook %q/%q/%q", i, s.Name, s.TermI, s.TermII, s.Year, row.TermI, row.TermII, row.Year)
			}
		}
	}
	strong := sampleTranscript(t, sampleStrong)
	if strong.Title != TitleExcellent || strong.Year != (TermResult{RatingGood, RatingGood}) || strong.Promotion != PromotionUp {
		t.Errorf("strong student: got %q %+v %q, want Học sinh Xuất sắc, Tốt/Tốt, Được lên lớp", strong.Title, strong.Year, strong.Promotion)
	}
	weak := sampleTranscript(t, sampleWeak)
	var retested []string
	for _, s := range weak.Subjects {
		if s.Retest != "" {
			retested = append(retested, s.Name)
		}
	}
	if weak.Year.Learning != RatingFail || weak.Promotion != PromotionRetest || weak.LearningAfterRetest != RatingPass ||
		weak.PromotionAfter != PromotionUp || !slices.Equal(retested, []string{"Toán", "Giáo dục thể chất", "Vật lí"}) {
		t.Errorf("weak student: got %q, %q, retests %q, then %q, %q", weak.Year.Learning, weak.Promotion, retested,
			weak.LearningAfterRetest, weak.PromotionAfter)
	}
	if titles[TitleGood] == 0 || titles[""] == 0 {
		t.Errorf("titles across the class: %v, want some Giỏi and some without a title", titles)
	}
	for _, i := range []int{-1, SampleClassSize} {
		if _, err := SampleTranscript(i); err == nil {
			t.Errorf("SampleTranscript(%d): got no error", i)
		}
	}
}

func TestSampleGradebookArguments(t *testing.T) {
	if !reflect.DeepEqual(sampleGradebook(t, 45, TermI, "Toán"), sampleGradebook(t, 45, TermI, "Toán")) {
		t.Error("SampleGradebook is not deterministic")
	}
	for _, tc := range []struct {
		n       int
		term    Term
		subject string
	}{{0, TermI, "Toán"}, {101, TermI, "Toán"}, {3, "HK3", "Toán"}, {3, TermI, "Âm nhạc"}} {
		if _, err := SampleGradebook(tc.n, tc.term, tc.subject); err == nil {
			t.Errorf("SampleGradebook(%d, %q, %q): got no error", tc.n, tc.term, tc.subject)
		}
	}
	big := sampleGradebook(t, MaxGradebookStudents, TermII, "Tin học")
	if err := big.Validate(); err != nil {
		t.Errorf("%d students: %v", MaxGradebookStudents, err)
	}
}

func TestSampleClassNames(t *testing.T) {
	g := sampleGradebook(t, SampleClassSize, TermI, "Toán")
	var names strings.Builder
	col := collate.New(language.Vietnamese)
	seen := map[string]bool{}
	for i, s := range g.Students {
		names.WriteString(s.FullName + " ")
		if seen[s.FullName] {
			t.Errorf("%q appears twice", s.FullName)
		}
		seen[s.FullName] = true
		if i == 0 {
			continue
		}
		prev := g.Students[i-1].FullName
		a, b := prev[strings.LastIndexByte(prev, ' ')+1:], s.FullName[strings.LastIndexByte(s.FullName, ' ')+1:]
		if col.CompareString(a, b) > 0 {
			t.Errorf("class list not in Vietnamese order of given names: %q before %q", prev, s.FullName)
		}
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
	for _, s := range []string{"Đ", "ĩ", "Ẩ", "Ứ", "Ý", "Ỷ", "Â", "Ô"} {
		if !strings.Contains(names.String(), s) {
			t.Errorf("no name uses %q", s)
		}
	}
	if !strings.Contains(g.Department, "đ") && !strings.Contains(g.SubjectKind.Description(), "đ") {
		t.Error("no sample text uses đ")
	}
}

// schoolSamples builds every file of testdata/samples from the generators.
func schoolSamples(t *testing.T) map[string][]byte {
	t.Helper()
	jsonOf := func(v any) []byte {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	g := sampleGradebook(t, SampleClassSize, TermI, "Toán")
	csvData, err := GradebookCSV(&g)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"gradebook.json": jsonOf(g),
		"gradebook.csv":  csvData,
		"hocba.json":     jsonOf(sampleTranscript(t, sampleStrong)),
	}
}

// TestSchoolSampleFixtures checks that the files in testdata/samples are
// what the generators make; with -update it writes them.
func TestSchoolSampleFixtures(t *testing.T) {
	for name, want := range schoolSamples(t) {
		path := filepath.Join(sampleDir, name)
		if *update {
			if err := os.MkdirAll(sampleDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./templates -run TestSchoolSampleFixtures -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output (run go test ./templates -run TestSchoolSampleFixtures -update)", path)
		}
	}
}

// TestSchoolSampleJSON reads the JSON samples back, refusing unknown members:
// they hold exactly the documented fields and validate.
func TestSchoolSampleJSON(t *testing.T) {
	decode := func(name string, v any) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(sampleDir, name))
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	var g Gradebook
	decode("gradebook.json", &g)
	if !reflect.DeepEqual(g, sampleGradebook(t, SampleClassSize, TermI, "Toán")) {
		t.Error("gradebook.json does not read back as the sample gradebook")
	}
	var tr Transcript
	decode("hocba.json", &tr)
	if err := tr.Validate(); err != nil {
		t.Errorf("hocba.json: %v", err)
	}
	if !reflect.DeepEqual(tr, sampleTranscript(t, sampleStrong)) {
		t.Error("hocba.json does not read back as the sample transcript")
	}
	readme, err := os.ReadFile(filepath.Join(sampleDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range GradebookCSVColumns() {
		if !bytes.Contains(readme, []byte("`"+c+"`")) {
			t.Errorf("README.md does not document the column %q", c)
		}
	}
}
