package templates

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Sample school data: one fictitious class, 10A1 of Trường THPT Chuyên Bến
// Tre in the school year 2024-2025, with its subjects, teachers and every
// mark of the year. The same generator feeds the gradebooks and the học bạ,
// so that a student's averages in SampleTranscript are the ones in the
// gradebooks of SampleGradebook.
//
// The marks follow the arithmetic of Thông tư 22/2021/TT-BGDĐT Điều 9
// khoản 1, computed in integer tenths:
//
//	ĐTBmhk = (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (number of ĐĐGtx + 5)
//	ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3
//
// each rounded half up to one decimal. The learning results, titles and
// promotion decisions follow Điều 9 khoản 2, Điều 12, Điều 13 and Điều 15.
// Nothing here is a real person.

// SampleClassSize is the number of students in the sample class.
const SampleClassSize = 45

// Fixed facts of the sample class.
const (
	sampleDepartment = "Sở Giáo dục và Đào tạo Bến Tre"
	sampleSchool     = "Trường THPT Chuyên Bến Tre"
	samplePlace      = "Bến Tre"
	sampleYear       = "2024-2025"
	sampleClass      = "10A1"
	sampleHomeroom   = "Đỗ Thị Kim Oanh"
	samplePrincipal  = "Trần Văn Đông"
)

// sampleSubject is one subject of the sample class's timetable.
type sampleSubject struct {
	name    string
	kind    SubjectKind
	regular int // ĐĐGtx per term
	teacher string
}

// sampleSubjectList is the sample class's year: the compulsory subjects and
// activities of the 2018 upper secondary programme and four natural science
// electives. The regular counts follow the periods per year (Thông tư
// 22/2021 Điều 6: 35 periods 2, up to 70 periods 3, more 4).
func sampleSubjectList() []sampleSubject {
	return []sampleSubject{
		{"Ngữ văn", SubjectScored, 4, "Trần Thị Bích Ngọc"},
		{"Toán", SubjectScored, 4, "Nguyễn Thị Thu Hà"},
		{"Tiếng Anh", SubjectScored, 4, "Lê Minh Tuấn"},
		{"Lịch sử", SubjectScored, 3, "Phạm Văn Lũy"},
		{"Giáo dục thể chất", SubjectComment, 2, "Huỳnh Văn Dũng"},
		{"Giáo dục quốc phòng và an ninh", SubjectScored, 2, "Võ Thanh Sĩ"},
		{"Vật lí", SubjectScored, 3, "Đặng Văn Khiêm"},
		{"Hóa học", SubjectScored, 3, "Ngô Thị Mỹ Lệ"},
		{"Sinh học", SubjectScored, 3, "Bùi Thị Hồng Nhung"},
		{"Tin học", SubjectScored, 3, "Trương Quốc Việt"},
		{"Hoạt động trải nghiệm, hướng nghiệp", SubjectComment, 2, sampleHomeroom},
		{"Nội dung giáo dục của địa phương", SubjectComment, 2, "Lâm Văn Thọ"},
	}
}

// SampleSubjects returns the subjects of the sample class, in the order the
// học bạ prints them. Any of them can be given to SampleGradebook.
func SampleSubjects() []string {
	var out []string
	for _, s := range sampleSubjectList() {
		out = append(out, s.name)
	}
	return out
}

// samplePupil is one hand-written student of the sample class.
type samplePupil struct {
	name, gender, ethnicity, place string
}

// samplePupils are 45 fictitious students whose names use every Vietnamese
// tone mark and vowel, Đ, ĩ, and capital letters with marks (Ẩ, Ứ, Ý, Ỷ,
// Â, Ô).
func samplePupils() []samplePupil {
	m, f := GenderMale, GenderFemale
	return []samplePupil{
		{"Nguyễn Hoàng Ân", m, "Kinh", "Bến Tre"},
		{"Trần Thị Ngọc Ánh", f, "Kinh", "Bến Tre"},
		{"Lê Gia Bảo", m, "Kinh", "Thành phố Hồ Chí Minh"},
		{"Phạm Minh Châu", f, "Kinh", "Bến Tre"},
		{"Võ Thành Đạt", m, "Kinh", "Bến Tre"},
		{"Huỳnh Thị Mỹ Duyên", f, "Kinh", "Tiền Giang"},
		{"Đặng Quốc Dũng", m, "Kinh", "Bến Tre"},
		{"Bùi Thị Thu Hà", f, "Kinh", "Vĩnh Long"},
		{"Trương Công Hậu", m, "Kinh", "Bến Tre"},
		{"Ngô Thị Diễm Hằng", f, "Kinh", "Bến Tre"},
		{"Đỗ Trung Hiếu", m, "Kinh", "Bến Tre"},
		{"Lâm Thị Thanh Hương", f, "Hoa", "Bến Tre"},
		{"Thạch Minh Khang", m, "Khmer", "Trà Vinh"},
		{"Dương Ngọc Khánh Linh", f, "Kinh", "Bến Tre"},
		{"Hồ Tấn Lộc", m, "Kinh", "Bến Tre"},
		{"Phan Thị Trúc Ly", f, "Kinh", "Bến Tre"},
		{"Lý Hữu Nghĩa", m, "Kinh", "Bến Tre"},
		{"Châu Bảo Ngọc", f, "Hoa", "Bến Tre"},
		{"Mai Thanh Nhàn", f, "Kinh", "Bến Tre"},
		{"Từ Ý Nhi", f, "Kinh", "Cần Thơ"},
		{"Ông Thiện Nhân", m, "Kinh", "Bến Tre"},
		{"Nguyễn Thị Hồng Nhung", f, "Kinh", "Bến Tre"},
		{"Trần Văn Phát", m, "Kinh", "Bến Tre"},
		{"Lê Hoàng Phúc", m, "Kinh", "Bến Tre"},
		{"Võ Thị Kim Phượng", f, "Kinh", "Bến Tre"},
		{"Kiều Minh Quân", m, "Kinh", "Long An"},
		{"Nguyễn Thị Lệ Quyên", f, "Kinh", "Bến Tre"},
		{"Âu Trường Sơn", m, "Kinh", "Bến Tre"},
		{"Phạm Tấn Tài", m, "Kinh", "Bến Tre"},
		{"Huỳnh Thị Thanh Thảo", f, "Kinh", "Bến Tre"},
		{"Đoàn Đức Thịnh", m, "Kinh", "Bến Tre"},
		{"Trịnh Thị Thủy", f, "Kinh", "Bến Tre"},
		{"Lương Thị Ngọc Trâm", f, "Kinh", "Bến Tre"},
		{"Ứng Quang Triều", m, "Kinh", "Bến Tre"},
		{"Công Tằng Tôn Nữ Mỹ Tiên", f, "Kinh", "Thừa Thiên Huế"},
		{"Giang Văn Toàn", m, "Kinh", "Bến Tre"},
		{"Hà Thị Ỷ Lan", f, "Kinh", "Bến Tre"},
		{"Nguyễn Quốc Việt", m, "Kinh", "Bến Tre"},
		{"Trần Thị Tường Vi", f, "Kinh", "Bến Tre"},
		{"Huỳnh Quốc Vĩ", m, "Kinh", "Bến Tre"},
		{"Lê Thị Thảo Vy", f, "Kinh", "Bến Tre"},
		{"Cao Đình Vũ", m, "Kinh", "Bến Tre"},
		{"Đinh Thị Xuân", f, "Kinh", "Bến Tre"},
		{"Quách Hải Yến", f, "Hoa", "Bến Tre"},
		{"Ngụy Văn Ẩn", m, "Kinh", "Bến Tre"},
	}
}

func sampleAreas() []string {
	return []string{
		"phường Phú Khương, thành phố Bến Tre",
		"xã Phú Túc, huyện Châu Thành",
		"xã Mỹ Thạnh An, thành phố Bến Tre",
		"thị trấn Giồng Trôm, huyện Giồng Trôm",
		"xã Sơn Đông, thành phố Bến Tre",
		"xã Tân Thạch, huyện Châu Thành",
		"phường 7, thành phố Bến Tre",
		"xã Hữu Định, huyện Châu Thành",
	}
}

// Positions, in the sorted class list, of the students the samples single
// out: the strongest (whose học bạ is testdata/samples/hocba.json) and one
// who fails the year and passes after re-tests.
const (
	sampleStrong = 0
	sampleWeak   = 29
)

// sampleMix is a deterministic hash (SplitMix64 over the arguments) used as
// the samples' source of variation.
func sampleMix(parts ...int) uint64 {
	x := uint64(0x9E3779B97F4A7C15)
	for _, p := range parts {
		x += uint64(p) + 0x9E3779B97F4A7C15
		x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
		x = (x ^ x>>27) * 0x94D049BB133111EB
		x ^= x >> 31
	}
	return x
}

// sampleNoise returns a value in [-spread, spread] from the hash of parts.
func sampleNoise(spread int, parts ...int) int {
	return int(sampleMix(parts...)%uint64(2*spread+1)) - spread
}

func clampTenths(t int) int { return max(0, min(maxScoreTenths, t)) }

// termAverageTenths is ĐTBmhk in tenths (Thông tư 22/2021 Điều 9 khoản 1):
// (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (n + 5), rounded half up.
func termAverageTenths(regular []int, mid, final int) int {
	num := 2*mid + 3*final
	for _, r := range regular {
		num += r
	}
	return divRoundHalfUp(num, len(regular)+5)
}

// yearAverageTenths is ĐTBmcn in tenths: (ĐTBmhkI + 2·ĐTBmhkII) / 3,
// rounded half up.
func yearAverageTenths(t1, t2 int) int { return divRoundHalfUp(t1+2*t2, 3) }

// divRoundHalfUp returns num/den rounded half up, for num ≥ 0 and den > 0.
func divRoundHalfUp(num, den int) int { return (2*num + den) / (2 * den) }

// sampleMarks are one student's marks in one subject for one term.
type sampleMarks struct {
	regular    []Mark
	mid, final Mark
	average    Mark
	tenths     int  // the average in tenths, for a scored subject
	pass       bool // the term's verdict, for a subject assessed by comment
}

// sampleStudentYear is one student of the sample class with every mark.
type sampleStudentYear struct {
	pupil   samplePupil
	id      string
	birth   Date
	address string
	// terms[subject][0 or 1] are the marks of HK1 and HK2.
	terms [][2]sampleMarks
	// year[subject] is the year mark.
	year        []Mark
	yearTenths  []int
	yearPass    []bool
	conduct     Rating
	daysAbsent  int
	ability     int
	weak        bool
	subjectList []sampleSubject
}

// sampleClassYear builds n students of the sample class (n ≤ 100), sorted
// as Vietnamese class lists are: by given name, then by full name, in
// Vietnamese alphabetical order.
func sampleClassYear(n int) []sampleStudentYear {
	pupils := samplePupils()
	for i := len(pupils); i < n; i++ {
		// Beyond the hand-written list, combine names from the parts of
		// the diploma samples.
		surnames, middleM, middleF, givenM, givenF := sampleNameParts()
		k := i - len(samplePupils())
		p := samplePupil{gender: GenderMale, ethnicity: "Kinh", place: "Bến Tre"}
		middle, given := middleM, givenM
		if k%2 == 1 {
			p.gender, middle, given = GenderFemale, middleF, givenF
		}
		p.name = surnames[(k*7+3)%len(surnames)] + " " + middle[(k/2+1)%len(middle)] + " " + given[(k*3+k/len(given))%len(given)]
		pupils = append(pupils, p)
	}
	pupils = pupils[:n]
	col := collate.New(language.Vietnamese)
	given := func(name string) string { return name[strings.LastIndexByte(name, ' ')+1:] }
	slices.SortStableFunc(pupils, func(a, b samplePupil) int {
		if c := col.CompareString(given(a.name), given(b.name)); c != 0 {
			return c
		}
		return col.CompareString(a.name, b.name)
	})

	subjects := sampleSubjectList()
	areas := sampleAreas()
	out := make([]sampleStudentYear, n)
	for i, p := range pupils {
		st := sampleStudentYear{
			pupil:       p,
			id:          fmt.Sprintf("83%08d", 20241001+i*37),
			address:     fmt.Sprintf("Số %d, %s, tỉnh Bến Tre", 3+(i*37)%180, areas[i%len(areas)]),
			ability:     58 + int(sampleMix(i, 1)%34),
			conduct:     RatingGood,
			daysAbsent:  int(sampleMix(i, 2) % 6),
			subjectList: subjects,
		}
		birthYear := 2009
		if i%17 == 11 {
			birthYear = 2008 // started school a year late
		}
		st.birth = Date{Year: birthYear, Month: time.Month(1 + int(sampleMix(i, 3)%12)), Day: 1 + int(sampleMix(i, 4)%28)}
		if sampleMix(i, 5)%6 == 0 {
			st.conduct = RatingFair
		}
		switch i {
		case sampleStrong:
			st.ability, st.conduct, st.daysAbsent = 94, RatingGood, 0
		case sampleWeak:
			st.ability, st.conduct, st.daysAbsent, st.weak = 57, RatingPass, 14, true
		}
		st.fill(i)
		out[i] = st
	}
	return out
}

// fill computes the student's marks in every subject and term.
func (st *sampleStudentYear) fill(i int) {
	for j, sub := range st.subjectList {
		var terms [2]sampleMarks
		affinity := sampleNoise(7, i, j, 10)
		if i == sampleStrong || st.weak {
			affinity = max(affinity, 0)
		}
		for t := 0; t < 2; t++ {
			level := st.ability + affinity + 2*t // a little better in term II
			if st.weak {
				// The weak student struggles with Toán and Vật lí.
				switch sub.name {
				case "Toán":
					level -= 32
				case "Vật lí":
					level -= 18
				}
			}
			m := sampleMarks{}
			if sub.kind == SubjectComment {
				v := VerdictPass
				// The weak student fails physical education.
				m.pass = !(st.weak && sub.name == "Giáo dục thể chất")
				if !m.pass {
					v = VerdictFail
				}
				for k := 0; k < sub.regular; k++ {
					m.regular = append(m.regular, Mark(v))
				}
				m.mid, m.final, m.average = Mark(v), Mark(v), Mark(v)
				terms[t] = m
				continue
			}
			var regular []int
			for k := 0; k < sub.regular; k++ {
				// Regular scores are whole or half points.
				r := clampTenths(level + sampleNoise(14, i, j, t, k, 20))
				r = clampTenths((r + 2) / 5 * 5)
				regular = append(regular, r)
				m.regular = append(m.regular, Mark(scoreOfTenths(r)))
			}
			mid := clampTenths(level + sampleNoise(12, i, j, t, 30))
			final := clampTenths(level + sampleNoise(12, i, j, t, 40))
			m.mid, m.final = Mark(scoreOfTenths(mid)), Mark(scoreOfTenths(final))
			m.tenths = termAverageTenths(regular, mid, final)
			m.average = Mark(scoreOfTenths(m.tenths))
			terms[t] = m
		}
		st.terms = append(st.terms, terms)
		switch sub.kind {
		case SubjectComment:
			// The year's verdict is term II's (Thông tư 22/2021 Điều 9
			// khoản 1 điểm a).
			pass := terms[1].pass
			st.yearPass = append(st.yearPass, pass)
			st.yearTenths = append(st.yearTenths, 0)
			st.year = append(st.year, terms[1].average)
		default:
			y := yearAverageTenths(terms[0].tenths, terms[1].tenths)
			st.yearPass = append(st.yearPass, true)
			st.yearTenths = append(st.yearTenths, y)
			st.year = append(st.year, Mark(scoreOfTenths(y)))
		}
	}
}

// learning returns the learning result of a term (0, 1) or of the year (2),
// with the given marks replacing the year marks of some subjects (re-tests).
func (st *sampleStudentYear) learning(period int, retest map[int]Mark) Rating {
	var scores []int
	var passes []bool
	for j, sub := range st.subjectList {
		var tenths int
		var pass bool
		if period < 2 {
			tenths, pass = st.terms[j][period].tenths, st.terms[j][period].pass
		} else {
			tenths, pass = st.yearTenths[j], st.yearPass[j]
			if m, ok := retest[j]; ok {
				if s, ok := m.Score(); ok {
					tenths, _ = s.Tenths()
				}
				v, _ := m.Verdict()
				pass = v == VerdictPass
			}
		}
		if sub.kind == SubjectComment {
			passes = append(passes, pass)
		} else {
			scores = append(scores, tenths)
		}
	}
	return sampleLearningRating(scores, passes)
}

// ratingRank orders ratings: Chưa đạt 0, Đạt 1, Khá 2, Tốt 3.
func ratingRank(r Rating) int {
	switch r {
	case RatingGood:
		return 3
	case RatingFair:
		return 2
	case RatingPass:
		return 1
	}
	return 0
}

func ratingOfRank(k int) Rating {
	return [...]Rating{RatingFail, RatingPass, RatingFair, RatingGood}[k]
}

// sampleLearningRating is the learning result of Thông tư 22/2021 Điều 9
// khoản 2 from the averages of the scored subjects (tenths) and the
// verdicts of the others, with the rule of điểm đ: a result two or more
// levels below what it would be but for one subject is raised one level.
func sampleLearningRating(scores []int, passes []bool) Rating {
	base := sampleBaseRating(scores, passes)
	best := ratingRank(base)
	for i := range scores {
		s := slices.Clone(scores)
		s[i] = maxScoreTenths
		best = max(best, ratingRank(sampleBaseRating(s, passes)))
	}
	for i := range passes {
		p := slices.Clone(passes)
		p[i] = true
		best = max(best, ratingRank(sampleBaseRating(scores, p)))
	}
	if best-ratingRank(base) >= 2 {
		return ratingOfRank(ratingRank(base) + 1)
	}
	return base
}

func sampleBaseRating(scores []int, passes []bool) Rating {
	fails := 0
	for _, p := range passes {
		if !p {
			fails++
		}
	}
	count := func(atLeast int) int {
		n := 0
		for _, s := range scores {
			if s >= atLeast {
				n++
			}
		}
		return n
	}
	lowest := maxScoreTenths
	for _, s := range scores {
		lowest = min(lowest, s)
	}
	switch {
	case fails == 0 && lowest >= 65 && count(80) >= 6:
		return RatingGood
	case fails == 0 && lowest >= 50 && count(65) >= 6:
		return RatingFair
	case fails <= 1 && count(50) >= 6 && lowest >= 35:
		return RatingPass
	}
	return RatingFail
}

// SampleGradebook returns the gradebook of one subject (one of
// SampleSubjects) of the sample class for a term, with n students (1 to
// MaxGradebookStudents; the class has SampleClassSize). It is the same every
// time. The first SampleClassSize names cover every Vietnamese vowel and
// tone mark, Đ and ĩ; the averages follow Thông tư 22/2021.
func SampleGradebook(n int, term Term, subject string) (Gradebook, error) {
	if n < 1 || n > MaxGradebookStudents {
		return Gradebook{}, fmt.Errorf("sample gradebook: %d students, want 1–%d", n, MaxGradebookStudents)
	}
	t, ok := parseTerm(string(term))
	if !ok {
		return Gradebook{}, fmt.Errorf("sample gradebook: unknown term %q", term)
	}
	j := slices.IndexFunc(sampleSubjectList(), func(s sampleSubject) bool { return s.name == subject })
	if j < 0 {
		return Gradebook{}, fmt.Errorf("sample gradebook: unknown subject %q", subject)
	}
	sub := sampleSubjectList()[j]
	g := Gradebook{
		Department:  sampleDepartment,
		School:      sampleSchool,
		SchoolYear:  sampleYear,
		Term:        t,
		Class:       sampleClass,
		Subject:     sub.name,
		SubjectKind: sub.kind,
		Teacher:     sub.teacher,
		Place:       samplePlace,
	}
	switch t {
	case TermI:
		g.RegularCount, g.SignDate = sub.regular, Date{Year: 2025, Month: time.January, Day: 10}
	case TermII:
		g.RegularCount, g.SignDate = sub.regular, Date{Year: 2025, Month: time.May, Day: 16}
	default:
		g.SignDate = Date{Year: 2025, Month: time.May, Day: 23}
	}
	for i, st := range sampleClassYear(n) {
		row := GradebookStudent{No: i + 1, ID: st.id, FullName: st.pupil.name, DateOfBirth: st.birth}
		switch t {
		case TermYear:
			row.TermI, row.TermII, row.Year = st.terms[j][0].average, st.terms[j][1].average, st.year[j]
		default:
			m := st.terms[j][0]
			if t == TermII {
				m = st.terms[j][1]
			}
			row.Regular = slices.Clone(m.regular)
			row.MidTerm, row.Final, row.TermAverage = m.mid, m.final, m.average
		}
		g.Students = append(g.Students, row)
	}
	return g, nil
}

// SampleTranscript returns the học bạ for the school year 2024-2025 of the
// student at position i (from 0) of the sample class list. It is the same
// every time. Student 0 is an excellent student (Học sinh Xuất sắc);
// student 29 fails the year, passes after re-tests in the subjects below
// 5,0 or Chưa đạt, and has two corrections in the subject table.
func SampleTranscript(i int) (Transcript, error) {
	if i < 0 || i >= SampleClassSize {
		return Transcript{}, fmt.Errorf("sample transcript: student %d, want 0–%d", i, SampleClassSize-1)
	}
	st := sampleClassYear(SampleClassSize)[i]
	t := Transcript{
		Department: sampleDepartment,
		School:     sampleSchool,
		Place:      samplePlace,
		SchoolYear: sampleYear,
		Class:      sampleClass,
		Student: StudentInfo{
			ID: st.id, FullName: st.pupil.name, DateOfBirth: st.birth, Gender: st.pupil.gender,
			Ethnicity: st.pupil.ethnicity, PlaceOfBirth: st.pupil.place, Address: st.address,
		},
		DaysAbsent:      st.daysAbsent,
		HomeroomTeacher: sampleHomeroom,
		Principal:       samplePrincipal,
		ApprovalDate:    Date{Year: 2025, Month: time.May, Day: 31},
	}
	retest := map[int]Mark{}
	for j, sub := range st.subjectList {
		row := TranscriptSubject{Name: sub.name, Kind: sub.kind, Teacher: sub.teacher,
			TermI: st.terms[j][0].average, TermII: st.terms[j][1].average, Year: st.year[j]}
		// Re-tests only after a failed year (Thông tư 22/2021 Điều 13):
		// in each subject below 5,0 or Chưa đạt.
		t.Subjects = append(t.Subjects, row)
		if sub.kind == SubjectComment && !st.yearPass[j] {
			retest[j] = Mark(VerdictPass)
		} else if sub.kind == SubjectScored && st.yearTenths[j] < 50 {
			retest[j] = Mark(scoreOfTenths(55 + int(sampleMix(i, j, 50)%15)))
		}
	}
	for p, r := range []*TermResult{&t.TermI, &t.TermII, &t.Year} {
		r.Learning, r.Conduct = st.learning(p, nil), st.conduct
	}
	learning := t.Year.Learning
	switch {
	case t.DaysAbsent > 45:
		t.Promotion = PromotionRepeat
	case learning == RatingFail:
		t.Promotion = PromotionRetest
		for j, m := range retest {
			t.Subjects[j].Retest = m
		}
		t.LearningAfterRetest = st.learning(2, retest)
		t.PromotionAfter = PromotionUp
		if t.LearningAfterRetest == RatingFail {
			t.PromotionAfter = PromotionRepeat
		}
	case st.conduct == RatingFail:
		t.Promotion = PromotionSummer
	default:
		t.Promotion = PromotionUp
	}
	// Titles (Thông tư 22/2021 Điều 15).
	if learning == RatingGood && st.conduct == RatingGood {
		t.Title = TitleGood
		nines := 0
		for j, sub := range st.subjectList {
			if sub.kind == SubjectScored && st.yearTenths[j] >= 90 {
				nines++
			}
		}
		if nines >= 6 {
			t.Title = TitleExcellent
		}
	}
	switch {
	case i == sampleStrong:
		t.Awards = []string{
			"Giải Nhất kì thi Olympic Toán cấp trường năm học 2024-2025",
			"Giải Ba cuộc thi Khoa học kĩ thuật cấp tỉnh dành cho học sinh trung học",
		}
		t.HomeroomComment = "Em ngoan, lễ phép, có ý thức tự giác và tinh thần trách nhiệm cao trong học tập và rèn luyện; " +
			"học đều các môn, nổi bật ở Toán và các môn khoa học tự nhiên. Tích cực tham gia phong trào của lớp, " +
			"của trường và biết giúp đỡ bạn bè cùng tiến bộ. Cần tiếp tục phát huy."
	case st.weak:
		t.HomeroomComment = "Em hiền lành, chấp hành nội quy nhưng chưa chuyên cần; kết quả học tập chưa đồng đều, " +
			"còn yếu ở Toán và Vật lí. Đã cố gắng ôn tập trong hè và đạt yêu cầu khi kiểm tra lại. " +
			"Cần đi học đầy đủ, làm bài tập về nhà và mạnh dạn hỏi thầy cô khi chưa hiểu bài."
		t.Corrections, t.CorrectedSubjects = 2, []string{"Toán", "Vật lí"}
	case learning == RatingGood:
		t.HomeroomComment = "Em ngoan, chăm chỉ, có ý thức tự học tốt và kết quả học tập đều các môn. Cần tiếp tục phát huy."
	default:
		t.HomeroomComment = "Em có ý thức học tập và chấp hành tốt nội quy. Cần mạnh dạn phát biểu xây dựng bài " +
			"và đầu tư thêm thời gian cho các môn học còn chưa vững."
	}
	return t, nil
}
