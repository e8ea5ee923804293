package assessment

import (
	"fmt"
	"strings"
)

// Level is a result level of Thông tư 22: for learning (Điều 9 khoản 2) and
// conduct (Điều 8) the four levels Tốt, Khá, Đạt, Chưa đạt; for a
// comment-graded subject (Điều 9 khoản 1 điểm a) only Đạt and Chưa đạt.
// Levels are ordered: LevelTot > LevelKha > LevelDat > LevelChuaDat. The zero
// Level is invalid, so a forgotten field is refused rather than read as a
// result.
type Level int

// The levels, lowest first.
const (
	LevelChuaDat Level = iota + 1 // Chưa đạt
	LevelDat                      // Đạt
	LevelKha                      // Khá
	LevelTot                      // Tốt
)

// Valid reports whether l is one of the four levels.
func (l Level) Valid() bool { return l >= LevelChuaDat && l <= LevelTot }

// String returns the level's Vietnamese name as printed on a học bạ.
func (l Level) String() string {
	switch l {
	case LevelChuaDat:
		return "Chưa đạt"
	case LevelDat:
		return "Đạt"
	case LevelKha:
		return "Khá"
	case LevelTot:
		return "Tốt"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// ParseLevel reads a level written in full ("Tốt", "Khá", "Đạt", "Chưa đạt")
// or abbreviated as on học bạ forms ("T", "K", "Đ", "CĐ"), ignoring case and
// surrounding white space. The text must be NFC (imports normalise it).
func ParseLevel(s string) (Level, error) {
	t := strings.TrimSpace(s)
	for _, c := range []struct {
		l     Level
		names []string
	}{
		{LevelTot, []string{"Tốt", "T"}},
		{LevelKha, []string{"Khá", "K"}},
		{LevelDat, []string{"Đạt", "Đ"}},
		{LevelChuaDat, []string{"Chưa đạt", "CĐ"}},
	} {
		for _, n := range c.names {
			if strings.EqualFold(t, n) {
				return c.l, nil
			}
		}
	}
	in := s
	if len(in) > maxQuoted {
		in = in[:maxQuoted] + "…"
	}
	return 0, &InputError{Reason: ReasonLevel, Detail: fmt.Sprintf("%q", in)}
}

// checkLevel refuses anything but the four levels; what names the value in
// the error.
func checkLevel(what string, l Level) error {
	if !l.Valid() {
		return &InputError{Reason: ReasonLevel, Detail: fmt.Sprintf("%s: %s", what, l)}
	}
	return nil
}

// ConductYear gives the year conduct result from the two term results set by
// the homeroom teacher (Điều 8 khoản 2):
//
//	Tốt:      HKII Tốt and HKI Tốt or Khá.
//	Khá:      HKII Khá and HKI Đạt or better; HKII Đạt and HKI Tốt;
//	          HKII Tốt and HKI Đạt or Chưa đạt.
//	Đạt:      HKII Đạt and HKI Khá, Đạt or Chưa đạt; HKII Khá and HKI Chưa đạt.
//	Chưa đạt: every other case, that is HKII Chưa đạt.
func ConductYear(hk1, hk2 Level) (Level, error) {
	if err := checkLevel("conduct HKI", hk1); err != nil {
		return 0, err
	}
	if err := checkLevel("conduct HKII", hk2); err != nil {
		return 0, err
	}
	switch hk2 {
	case LevelTot:
		if hk1 >= LevelKha {
			return LevelTot, nil
		}
		return LevelKha, nil
	case LevelKha:
		if hk1 >= LevelDat {
			return LevelKha, nil
		}
		return LevelDat, nil
	case LevelDat:
		if hk1 == LevelTot {
			return LevelKha, nil
		}
		return LevelDat, nil
	}
	return LevelChuaDat, nil
}
