package tabular

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestFoldHeader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Họ và tên", "ho_va_ten"},
		{"HỌ VÀ TÊN", "ho_va_ten"},
		{norm.NFD.String("Họ và tên"), "ho_va_ten"},
		{"Ngày sinh", "ngay_sinh"},
		{"Giới tính", "gioi_tinh"},
		{"Giữa kỳ", "giua_ky"},
		{"Cuối kỳ", "cuoi_ky"},
		{"Điểm TB (HK1)", "diem_tb_hk1"},
		{"Sở GD&ĐT", "so_gd_dt"},
		{"  STT  ", "stt"},
		{"ho_ten", "ho_ten"},
		{"Dân tộc", "dan_toc"},
		{"Ưu tiên", "uu_tien"},
		{"", ""},
		{"---", ""},
	}
	for _, tt := range tests {
		if got := FoldHeader(tt.in); got != tt.want {
			t.Errorf("FoldHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestColumnLetter(t *testing.T) {
	tests := []struct {
		i    int
		want string
	}{{0, "A"}, {5, "F"}, {25, "Z"}, {26, "AA"}, {51, "AZ"}, {52, "BA"}, {701, "ZZ"}, {702, "AAA"}, {16383, "XFD"}, {-1, ""}}
	for _, tt := range tests {
		if got := ColumnLetter(tt.i); got != tt.want {
			t.Errorf("ColumnLetter(%d) = %q, want %q", tt.i, got, tt.want)
		}
	}
}
