package pdf

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/boombuler/barcode/qr"
)

// boombulerLevel is the level of boombuler/barcode's encoder, which
// qrEncode replaced and must agree with.
func boombulerLevel(l QRLevel) qr.ErrorCorrectionLevel {
	return map[QRLevel]qr.ErrorCorrectionLevel{QRLevelL: qr.L, QRLevelM: qr.M, QRLevelQ: qr.Q, QRLevelH: qr.H}[l]
}

// TestQREncoderMatchesBoombuler encodes contents of every mode, and long
// enough to need every version, with both encoders at every level, and
// wants the same modules.
func TestQREncoderMatchesBoombuler(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const (
		digits = "0123456789"
		alnum  = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
		url    = "abcdefghijklmnopqrstuvwxyz0123456789-_./:?=&"
	)
	random := func(set string, n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(set[rng.IntN(len(set))])
		}
		return b.String()
	}
	contents := []string{
		"https://kyso.example/v/7KQ2M9P-X4R8T1B-HC0WZ3D",
		"https://xacthuc.sogddt-bentre.example/v/7KQ2M9P-X4R8T1B-HC0WZ3D",
		"HTTPS://KYSO.EXAMPLE/V/7KQ2M9P-X4R8T1B-HC0WZ3D",
		"0", "12", "123", "01234567890123456789", "A", "a", "Nghĩa", "\x00\xff",
	}
	type tc struct {
		content string
		level   QRLevel
	}
	var cases []tc
	levels := []QRLevel{QRLevelL, QRLevelM, QRLevelQ, QRLevelH}
	for _, c := range contents {
		for _, l := range levels {
			cases = append(cases, tc{c, l})
		}
	}
	// The longest content of each mode that fits a version and level (all
	// three must choose that version): every level up to version 10, one
	// per version above (boombuler's encoder takes long on large symbols).
	for v := 1; v <= 40; v++ {
		for i, l := range levels {
			if v > 10 && i != v%4 {
				continue
			}
			row, _, _ := l.qrRow()
			bits := 8*qrDataCodewords(v, row) - 4
			nb := (bits - qrCountBits(qrByte, v)) / 8
			na := (bits - qrCountBits(qrAlphanumeric, v)) / 11 * 2
			nd := (bits - qrCountBits(qrNumeric, v)) / 10 * 3
			cases = append(cases, tc{random(url, nb), l})
			if v <= 10 || v%5 == 0 {
				cases = append(cases, tc{random(alnum, na), l}, tc{random(digits, nd), l})
			}
		}
	}
	versions := map[int]bool{}
	for _, k := range cases {
		c, l := k.content, k.level
		{
			want, werr := qr.Encode(c, boombulerLevel(l), qr.Auto)
			got, gerr := qrEncode(c, l)
			if werr != nil || gerr != nil {
				if (werr == nil) != (gerr == nil) {
					t.Errorf("%d bytes at level %d: boombuler error %v, ours %v", len(c), l, werr, gerr)
				}
				continue
			}
			n := want.Bounds().Dx()
			if got.size != n {
				t.Errorf("%d bytes at level %d: %d modules, boombuler %d", len(c), l, got.size, n)
				continue
			}
			versions[(n-17)/4] = true
			if diff := qrDiff(got, func(x, y int) bool {
				r, g, b, _ := want.At(x, y).RGBA()
				return r+g+b < 3*0x8000
			}); diff != "" {
				t.Errorf("%q at level %d (version %d): %s", c, l, (n-17)/4, diff)
			}
		}
	}
	if len(versions) != 40 {
		t.Errorf("compared %d versions, want all 40", len(versions))
	}
}

func qrDiff(s *qrSymbol, want func(x, y int) bool) string {
	bad := 0
	first := ""
	for y := 0; y < s.size; y++ {
		for x := 0; x < s.size; x++ {
			if s.at(x, y) != want(x, y) {
				if bad == 0 {
					first = fmt.Sprintf("(%d, %d)", x, y)
				}
				bad++
			}
		}
	}
	if bad == 0 {
		return ""
	}
	return fmt.Sprintf("%d modules differ, first at %s", bad, first)
}

func TestQREncodeErrors(t *testing.T) {
	if _, err := qrEncode(strings.Repeat("a", 2954), QRLevelL); !errors.Is(err, errQRTooLong) {
		t.Errorf("2,954 bytes: got %v, want errQRTooLong", err)
	}
	if _, err := qrEncode(strings.Repeat("a", 2953), QRLevelL); err != nil {
		t.Errorf("2,953 bytes (version 40-L): got %v", err)
	}
	if _, err := encodeQR("x", QRLevel(9)); !errors.Is(err, ErrQRContent) {
		t.Errorf("unknown level: got %v, want ErrQRContent", err)
	}
}

// TestMaskPenaltyWords checks the word-wise penalty against the module by
// module one on random grids of every size it handles.
func TestMaskPenaltyWords(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 21; n <= 64; n++ {
		s := &qrSymbol{size: n, dark: make([]bool, n*n)}
		function := make([]bool, n*n)
		for i := range s.dark {
			s.dark[i] = rng.IntN(2) == 0
			function[i] = rng.IntN(5) == 0
		}
		w := s.words(function)
		for mask := range 8 {
			format := uint(rng.IntN(4))<<3 | uint(mask)
			trial := &qrSymbol{size: n, dark: slices.Clone(s.dark)}
			trial.applyMask(function, mask)
			trial.drawFormat(format)
			if got, want := w.maskPenalty(mask, format), trial.penalty(); got != want {
				t.Errorf("%d modules, mask %d: penalty %d, module by module %d", n, mask, got, want)
			}
		}
	}
}
