package templates

import (
	"fmt"
	"time"
)

// sampleGraduate is a hand-written graduate for the sample data.
type sampleGraduate struct {
	name, gender, place, ethnicity string
}

// sampleGraduates are fictitious graduates whose names use every Vietnamese
// tone mark and vowel (and Đ/đ, ĩ/Ĩ, capital letters with marks).
func sampleGraduates() []sampleGraduate {
	return []sampleGraduate{
		{"Nguyễn Văn Nghĩa", GenderMale, "Vĩnh Long", "Kinh"},
		{"Trần Thị Ngọc Hân", GenderFemale, "Bến Tre", "Kinh"},
		{"Lê Đức Thịnh", GenderMale, "Trà Vinh", "Kinh"},
		{"Phạm Thị Thùy Dương", GenderFemale, "Cần Thơ", "Kinh"},
		{"Huỳnh Quốc Vĩ", GenderMale, "Thừa Thiên Huế", "Kinh"},
		{"Võ Thị Mỹ Tiên", GenderFemale, "Bến Tre", "Kinh"},
		{"Đặng Hữu Lợi", GenderMale, "Tiền Giang", "Kinh"},
		{"Bùi Thị Ánh Tuyết", GenderFemale, "Đồng Tháp", "Kinh"},
		{"Thạch Sô Phát", GenderMale, "Trà Vinh", "Khmer"},
		{"Âu Dương Ý Nhi", GenderFemale, "Thành phố Hồ Chí Minh", "Hoa"},
		{"Ông Văn Ẩn", GenderMale, "Bến Tre", "Kinh"},
		{"Dương Thị Kiều Oanh", GenderFemale, "Sóc Trăng", "Kinh"},
		{"Trương Gia Bảo", GenderMale, "An Giang", "Kinh"},
		{"Ngô Thanh Tùng", GenderMale, "Long An", "Kinh"},
		{"Đỗ Hoàng Yến", GenderFemale, "Kiên Giang", "Kinh"},
		{"Lâm Quỳnh Như", GenderFemale, "Bạc Liêu", "Kinh"},
		{"Ứng Thị Ỷ Lan", GenderFemale, "Cà Mau", "Kinh"},
		{"Hồ Minh Khải", GenderMale, "Vĩnh Long", "Kinh"},
		{"Châu Ngọc Ẩn", GenderFemale, "Bến Tre", "Hoa"},
		{"Nguyễn Thị Diễm Hương", GenderFemale, "Quảng Ngãi", "Kinh"},
		{"Mai Xuân Trường", GenderMale, "Khánh Hòa", "Kinh"},
		{"Từ Thị Hiền Thục", GenderFemale, "Đà Nẵng", "Chăm"},
		{"Lý Đình Quý", GenderMale, "Hà Nội", "Tày"},
		{"Phan Thị Ửng Hồng", GenderFemale, "Bến Tre", "Kinh"},
	}
}

func sampleSchools() []string {
	return []string{
		"Trường THPT Chuyên Bến Tre",
		"Trường THPT Nguyễn Đình Chiểu",
		"Trường THPT Lạc Long Quân",
		"Trường THPT Phan Thanh Giản",
		"Trường THPT Trương Vĩnh Ký",
		"Trường THPT Ngô Văn Cấn",
		"Trường THPT Mạc Đĩnh Chi",
	}
}

// Further names are built from these parts once the hand-written list runs out.
func sampleNameParts() (surnames, middleM, middleF, givenM, givenF []string) {
	surnames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Phan", "Trương"}
	middleM = []string{"Văn", "Hữu", "Minh", "Quốc", "Đức", "Thành", "Hoàng", "Tấn"}
	middleF = []string{"Thị", "Ngọc", "Thùy", "Mỹ", "Bích", "Kim", "Thanh", "Diệu"}
	givenM = []string{"An", "Bình", "Cường", "Dũng", "Hiếu", "Khoa", "Lộc", "Nhân", "Phúc", "Quân", "Sơn", "Tài", "Việt", "Vũ"}
	givenF = []string{"Anh", "Châu", "Giang", "Hạnh", "Linh", "Mai", "Ngân", "Nhung", "Phương", "Quyên", "Thảo", "Trâm", "Vy", "Xuân"}
	return
}

func samplePlaces() []string {
	return []string{"Vĩnh Long", "Bến Tre", "Trà Vinh", "Cần Thơ", "Thừa Thiên Huế", "Tiền Giang", "Đồng Tháp", "Sóc Trăng"}
}

// SampleGraduates returns n fictitious, valid THPT diplomas of the class of
// 2024 from the Sở Giáo dục và Đào tạo Bến Tre, the same every time: the first
// is Nguyễn Văn Nghĩa, born in Vĩnh Long, of Trường THPT Chuyên Bến Tre.
// Serials and register numbers are unique. The first 24 names cover every
// Vietnamese vowel and tone mark; further ones are combined from name parts.
// It is meant for demos and tests.
func SampleGraduates(n int) []Diploma {
	if n <= 0 {
		return nil
	}
	hand := sampleGraduates()
	schools := sampleSchools()
	places := samplePlaces()
	surnames, middleM, middleF, givenM, givenF := sampleNameParts()
	out := make([]Diploma, n)
	for i := range out {
		var g sampleGraduate
		if i < len(hand) {
			g = hand[i]
		} else {
			k := i - len(hand)
			g = sampleGraduate{gender: GenderMale, place: places[k%len(places)], ethnicity: "Kinh"}
			middle, given := middleM, givenM
			if k%2 == 1 {
				g.gender, middle, given = GenderFemale, middleF, givenF
			}
			g.name = surnames[(k*7)%len(surnames)] + " " + middle[(k/2)%len(middle)] + " " + given[(k*5+k/len(given))%len(given)]
		}
		birthYear := 2006
		if i%9 == 4 {
			birthYear = 2005 // a few graduate a year late
		}
		out[i] = Diploma{
			FullName:         g.name,
			DateOfBirth:      Date{Year: birthYear, Month: time.Month(1 + (i*5)%12), Day: 1 + (i*11)%28},
			PlaceOfBirth:     g.place,
			Gender:           g.gender,
			Ethnicity:        g.ethnicity,
			School:           schools[i%len(schools)],
			GraduationYear:   2024,
			IssuingAuthority: "Sở Giáo dục và Đào tạo Bến Tre",
			IssuePlace:       "Bến Tre",
			IssueDate:        Date{Year: 2024, Month: time.July, Day: 15},
			Serial:           fmt.Sprintf("T %08d", 516292+i*37),
			RegisterNumber:   fmt.Sprintf("BT-2024/%05d", 1201+i),
			SignerTitle:      "Giám đốc",
			SignerName:       "Lê Hoàng Phúc",
		}
	}
	return out
}
