package assessment

import "testing"

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in   string
		want Level
	}{
		{"Tốt", LevelTot}, {"tốt", LevelTot}, {"T", LevelTot},
		{"Khá", LevelKha}, {"KHÁ", LevelKha}, {"k", LevelKha},
		{"Đạt", LevelDat}, {" đạt ", LevelDat}, {"Đ", LevelDat},
		{"Chưa đạt", LevelChuaDat}, {"CHƯA ĐẠT", LevelChuaDat}, {"CĐ", LevelChuaDat}, {"cđ", LevelChuaDat},
	}
	for _, tt := range tests {
		got, err := ParseLevel(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if back, err := ParseLevel(got.String()); err != nil || back != got {
			t.Errorf("ParseLevel(%q) does not read back: %v, %v", got.String(), back, err)
		}
	}
	for _, in := range []string{"", "Giỏi", "Trung bình", "Dat", "Chưa  đạt", "Tot"} {
		_, err := ParseLevel(in)
		checkReason(t, "ParseLevel("+in+")", err, ReasonLevel, 0)
	}
}

func TestConductYear(t *testing.T) {
	T, K, D, C := LevelTot, LevelKha, LevelDat, LevelChuaDat
	// Điều 8 khoản 2: want[hk2][hk1] in the order Tốt, Khá, Đạt, Chưa đạt.
	table := []struct {
		hk2  Level
		want [4]Level
		rule string
	}{
		{T, [4]Level{T, T, K, K}, "Điều 8 khoản 2a/2b: HKII Tốt: Tốt if HKI ≥ Khá, else Khá"},
		{K, [4]Level{K, K, K, D}, "Điều 8 khoản 2b/2c: HKII Khá: Khá if HKI ≥ Đạt, else Đạt"},
		{D, [4]Level{K, D, D, D}, "Điều 8 khoản 2b/2c: HKII Đạt: Khá if HKI Tốt, else Đạt"},
		{C, [4]Level{C, C, C, C}, "Điều 8 khoản 2d: HKII Chưa đạt: Chưa đạt"},
	}
	for _, row := range table {
		for i, hk1 := range []Level{T, K, D, C} {
			got, err := ConductYear(hk1, row.hk2)
			if err != nil || got != row.want[i] {
				t.Errorf("%s: ConductYear(HKI %v, HKII %v) = %v, %v; want %v", row.rule, hk1, row.hk2, got, err, row.want[i])
			}
		}
	}
	for _, bad := range [][2]Level{{0, T}, {T, 0}, {5, T}} {
		_, err := ConductYear(bad[0], bad[1])
		checkReason(t, "invalid conduct level", err, ReasonLevel, 0)
	}
}
