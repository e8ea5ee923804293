package templates

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/text/unicode/norm"
)

func TestReadFixtures(t *testing.T) {
	want := SampleGraduates(fixtureCount)
	for _, tc := range []struct {
		file     string
		firstRow int
	}{
		{"graduates.csv", 2},
		{"graduates.json", 1},
	} {
		t.Run(tc.file, func(t *testing.T) {
			rows, err := ReadDiplomas(tc.file, bytes.NewReader(readFixture(t, tc.file)))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(want) {
				t.Fatalf("got %d rows, want %d", len(rows), len(want))
			}
			for i, r := range rows {
				if r.Row != tc.firstRow+i {
					t.Errorf("record %d: got row %d, want %d", i, r.Row, tc.firstRow+i)
				}
				if r.Diploma != want[i] {
					t.Errorf("row %d: got %+v, want %+v", r.Row, r.Diploma, want[i])
				}
			}
		})
	}
}

func TestReadExcelVietnameseCSV(t *testing.T) {
	rows, err := ReadDiplomas("graduates_excel_vi.csv", bytes.NewReader(readFixture(t, "graduates_excel_vi.csv")))
	if err != nil {
		t.Fatal(err)
	}
	want := SampleGraduates(3)
	if len(rows) != 3 {
		t.Fatalf("got %d rows, want 3", len(rows))
	}
	for i, r := range rows {
		if r.Diploma != want[i] || r.Row != i+2 {
			t.Errorf("got row %d %+v, want row %d %+v", r.Row, r.Diploma, i+2, want[i])
		}
	}
}

// TestReadRowNumberColumn: the "STT" column schools' spreadsheets start with
// is accepted and dropped, not reported as unknown.
func TestReadRowNumberColumn(t *testing.T) {
	want := SampleGraduates(2)
	var b bytes.Buffer
	if err := WriteDiplomasCSV(&b, want); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(b.String(), "\n")
	var in strings.Builder
	for i, l := range lines {
		switch {
		case l == "":
		case i == 0:
			in.WriteString("STT," + l)
		default:
			in.WriteString(strconv.Itoa(i) + "," + l)
		}
	}
	rows, err := ReadDiplomas("stt.csv", strings.NewReader(in.String()))
	if err != nil {
		t.Fatalf("ReadDiplomas with an STT column: %v", err)
	}
	if len(rows) != 2 || rows[0].Diploma != want[0] || rows[1].Diploma != want[1] {
		t.Errorf("got %+v, want the two sample graduates", rows)
	}
}

func TestReadNFD(t *testing.T) {
	data := readFixture(t, "graduates_nfd.csv")
	if norm.NFC.IsNormal(data) {
		t.Fatal("fixture graduates_nfd.csv is not decomposed")
	}
	rows, err := ReadDiplomas("graduates_nfd.csv", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := SampleGraduates(3)
	for i, r := range rows {
		if r.Diploma != want[i] {
			t.Errorf("row %d: got %+v, want the NFC record %+v", r.Row, r.Diploma, want[i])
		}
	}
}

func TestReadBadFixtures(t *testing.T) {
	t.Run("missing column", func(t *testing.T) {
		rows, err := ReadDiplomas("bad_missing_column.csv", bytes.NewReader(readFixture(t, "bad_missing_column.csv")))
		var fe *FieldError
		if rows != nil || !errors.As(err, &fe) || fe.Reason != ReasonMissingColumns {
			t.Fatalf("got (%d rows, %v), want no rows and ReasonMissingColumns", len(rows), err)
		}
		if !slices.Equal(fe.Columns, []string{FieldIssueDate}) || fe.File != "bad_missing_column.csv" {
			t.Errorf("got columns %v in %q, want [ngay_cap] in bad_missing_column.csv", fe.Columns, fe.File)
		}
		if !errors.Is(err, ErrInvalidFile) {
			t.Error("want errors.Is(err, ErrInvalidFile)")
		}
	})
	t.Run("impossible date", func(t *testing.T) {
		rows, err := ReadDiplomas("bad_impossible_date.csv", bytes.NewReader(readFixture(t, "bad_impossible_date.csv")))
		var v ValidationErrors
		if !errors.As(err, &v) || len(v) != 1 {
			t.Fatalf("got %v, want one problem", err)
		}
		e := v[0]
		if e.File != "bad_impossible_date.csv" || e.Row != 3 || e.Field != FieldDateOfBirth || e.Value != "31/02/2007" || e.Reason != ReasonNotDate {
			t.Errorf("got %+v, want row 3 ngay_sinh \"31/02/2007\" ReasonNotDate", e)
		}
		if !errors.Is(err, ErrNotDate) || !errors.Is(err, ErrInvalidRecord) || errors.Is(err, ErrInvalidFile) {
			t.Errorf("got %v, want it to match ErrNotDate and ErrInvalidRecord only", err)
		}
		var got []int
		for _, r := range rows {
			got = append(got, r.Row)
		}
		if !slices.Equal(got, []int{2, 4, 5}) {
			t.Errorf("valid rows: got %v, want [2 4 5]", got)
		}
	})
	t.Run("Windows-1258", func(t *testing.T) {
		rows, err := ReadDiplomas("bad_windows1258.csv", bytes.NewReader(readFixture(t, "bad_windows1258.csv")))
		var fe *FieldError
		if rows != nil || !errors.As(err, &fe) {
			t.Fatalf("got (%d rows, %v), want no rows and a FieldError", len(rows), err)
		}
		if fe.Reason != ReasonNotUTF8 || fe.File != "bad_windows1258.csv" || fe.Row != 2 || fe.Field != FieldFullName {
			t.Errorf("got %+v, want ReasonNotUTF8 at bad_windows1258.csv row 2 field ho_ten", fe)
		}
		if !errors.Is(err, ErrInvalidFile) {
			t.Error("want errors.Is(err, ErrInvalidFile)")
		}
	})
	t.Run("broken JSON records", func(t *testing.T) {
		rows, err := ReadDiplomas("bad_records.json", bytes.NewReader(readFixture(t, "bad_records.json")))
		if len(rows) != 1 || rows[0].Row != 1 {
			t.Fatalf("got %d valid rows, want only row 1", len(rows))
		}
		var v ValidationErrors
		if !errors.As(err, &v) {
			t.Fatalf("got %v, want ValidationErrors", err)
		}
		var got []string
		for _, e := range v {
			got = append(got, e.Field+":"+e.Reason.String())
			if e.Row < 2 || e.File != "bad_records.json" {
				t.Errorf("problem %v: want a row ≥ 2 in bad_records.json", e)
			}
		}
		want := []string{
			"ngay_sinh:is not a date", "gioi_tinh:is not an allowed value", "so_hieu:is a duplicate",
			"ngay_sinh:is required", "nguoi_ky:is required",
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("problems %q lack %q", got, w)
			}
		}
		if !slices.Contains(got, "xep_loai:is not a known field") || !slices.Contains(got, ":is not a well-formed record") {
			t.Errorf("problems %q lack the unknown field and the non-object element", got)
		}
		if !slices.Equal(v.Rows(), []int{2, 3, 4}) {
			t.Errorf("rows with problems: got %v, want [2 3 4]", v.Rows())
		}
	})
}

// csvOf joins lines with \n after a header of all columns.
func csvOf(lines ...string) string {
	return strings.Join(DiplomaCSVColumns(), ",") + "\n" + strings.Join(lines, "\n") + "\n"
}

const goodRecord = "Nguyễn Văn Nghĩa,01/01/2006,Vĩnh Long,Nam,Kinh,Trường THPT Chuyên Bến Tre,2024," +
	"Sở Giáo dục và Đào tạo Bến Tre,Bến Tre,15/07/2024,T 00516292,BT-2024/01201,Giám đốc,Lê Hoàng Phúc"

// record returns goodRecord with the given serial and register number.
func record(serial, register string) string {
	r := strings.Replace(goodRecord, "T 00516292", serial, 1)
	return strings.Replace(r, "BT-2024/01201", register, 1)
}

func TestReadCSVCases(t *testing.T) {
	type want struct {
		rows    []int    // valid row numbers
		reasons []string // "row:field:reason" of the problems
		fatal   Reason   // file-level reason, 0 if none
	}
	tests := []struct {
		name string
		in   string
		want want
	}{
		{"one record", csvOf(goodRecord), want{rows: []int{2}}},
		{"BOM and CRLF", "\uFEFF" + strings.ReplaceAll(csvOf(goodRecord), "\n", "\r\n"), want{rows: []int{2}}},
		{"upper-case headers", strings.ToUpper(strings.Join(DiplomaCSVColumns(), ",")) + "\n" + goodRecord + "\n", want{rows: []int{2}}},
		{"headers without diacritics", "Ho va ten,Ngay sinh,Noi sinh,Gioi tinh,Dan toc,Truong,Nam tot nghiep,So GD&DT,Noi cap,Ngay cap,So hieu,So vao so,Chuc danh,Nguoi ky\n" + goodRecord + "\n",
			want{rows: []int{2}}},
		{"tab separated", strings.ReplaceAll(csvOf(goodRecord), ",", "\t"), want{rows: []int{2}}},
		{"columns reordered", "nguoi_ky,ho_ten,ngay_sinh,noi_sinh,gioi_tinh,dan_toc,truong,nam_tot_nghiep,so_gddt,noi_cap,ngay_cap,so_hieu,so_vao_so,chuc_danh_nguoi_ky\n" +
			"Lê Hoàng Phúc," + strings.TrimSuffix(goodRecord, ",Lê Hoàng Phúc") + "\n", want{rows: []int{2}}},
		{"blank lines count as rows", csvOf(record("T 00000001", "1"), "", record("T 00000002", "2"), ",,,,,,,,,,,,,", record("T 00000003", "3")),
			want{rows: []int{2, 4, 6}}},
		{"multi-line cell is one row", csvOf(strings.Replace(record("T 00000001", "1"), "Vĩnh Long", "\"Vĩnh\nLong\"", 1), record("T 00000002", "2")),
			want{rows: []int{2, 3}}},
		{"blank lines before the header", "\n\n" + csvOf(goodRecord), want{rows: []int{4}}},
		{"quoted comma", csvOf(strings.Replace(goodRecord, "Vĩnh Long", "\"Phường 1, Vĩnh Long\"", 1)), want{rows: []int{2}}},
		{"impossible date", csvOf(record("T 00000001", "1"), strings.Replace(record("T 00000002", "2"), "01/01/2006", "31/02/2007", 1)),
			want{rows: []int{2}, reasons: []string{"3:ngay_sinh:is not a date"}}},
		{"bad year", csvOf(strings.Replace(goodRecord, ",2024,", ",2024.0,", 1)),
			want{reasons: []string{"2:nam_tot_nghiep:is not a whole number"}}},
		{"duplicates", csvOf(record("T 00000001", "A1"), record("t00000001", "a1"), record("T 00000002", "A2")),
			want{rows: []int{2, 4}, reasons: []string{"3:so_hieu:is a duplicate", "3:so_vao_so:is a duplicate"}}},
		{"short row", csvOf(goodRecord, "Lê Đức Thịnh,01/01/2006"),
			want{rows: []int{2}, reasons: []string{"3::is not a well-formed record"}}},
		{"missing columns", "ho_ten,ngay_sinh\nA,01/01/2006\n", want{fatal: ReasonMissingColumns}},
		{"unknown column", strings.Join(DiplomaCSVColumns(), ",") + ",xep_loai\n" + goodRecord + ",Giỏi\n", want{fatal: ReasonUnknownColumns}},
		{"repeated column", strings.Join(DiplomaCSVColumns(), ",") + ",Họ và tên\n" + goodRecord + ",X\n", want{fatal: ReasonDuplicateColumn}},
		{"header only", csvOf()[:len(csvOf())-1], want{fatal: ReasonNoRecords}},
		{"empty", "", want{fatal: ReasonNoRecords}},
		{"blank", " \n\n", want{fatal: ReasonNoRecords}},
		{"bare quote", csvOf(goodRecord, `Lê "Đức",x`), want{fatal: ReasonMalformed}},
		{"UTF-16", "\xff\xfeh\x00o\x00", want{fatal: ReasonNotUTF8}},
		{"not UTF-8 in header", "ho_t\xean\n", want{fatal: ReasonNotUTF8}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := ReadDiplomas("g.csv", strings.NewReader(tc.in))
			if tc.want.fatal != 0 {
				if rows != nil || !HasReason(err, tc.want.fatal) || !errors.Is(err, ErrInvalidFile) {
					t.Fatalf("got (%d rows, %v), want no rows and %v", len(rows), err, tc.want.fatal)
				}
				return
			}
			var got []int
			for _, r := range rows {
				got = append(got, r.Row)
				if err := r.Diploma.Validate(); err != nil {
					t.Errorf("row %d returned as valid: %v", r.Row, err)
				}
			}
			if !slices.Equal(got, tc.want.rows) {
				t.Errorf("valid rows: got %v, want %v", got, tc.want.rows)
			}
			var reasons []string
			var v ValidationErrors
			if err != nil && !errors.As(err, &v) {
				t.Fatalf("got %T %v, want ValidationErrors", err, err)
			}
			for _, e := range v {
				reasons = append(reasons, strings.Join([]string{strconv.Itoa(e.Row), e.Field, e.Reason.String()}, ":"))
			}
			if !slices.Equal(reasons, tc.want.reasons) {
				t.Errorf("problems: got %q, want %q", reasons, tc.want.reasons)
			}
		})
	}
}

func TestReadJSONCases(t *testing.T) {
	obj := `{"ho_ten":"Nguyễn Văn Nghĩa","ngay_sinh":"01/01/2006","noi_sinh":"Vĩnh Long","gioi_tinh":"Nam","dan_toc":"Kinh",` +
		`"truong":"Trường THPT Chuyên Bến Tre","nam_tot_nghiep":2024,"so_gddt":"Sở Giáo dục và Đào tạo Bến Tre","noi_cap":"Bến Tre",` +
		`"ngay_cap":"2024-07-15","so_hieu":"T 00516292","so_vao_so":"BT-2024/01201","chuc_danh_nguoi_ky":"Giám đốc","nguoi_ky":"Lê Hoàng Phúc"}`
	tests := []struct {
		name    string
		in      string
		rows    int
		reasons []string // field:reason
		fatal   Reason
	}{
		{"array", "[" + obj + "]", 1, nil, 0},
		{"wrapped", `{"diplomas":[` + obj + "]}", 1, nil, 0},
		{"register as number", "[" + strings.Replace(obj, `"BT-2024/01201"`, "1201", 1) + "]", 1, nil, 0},
		{"year as string", "[" + strings.Replace(obj, "2024,", `"2024",`, 1) + "]", 1, nil, 0},
		{"null is missing", "[" + strings.Replace(obj, `"Kinh"`, "null", 1) + "]", 0, []string{"dan_toc:is required"}, 0},
		{"wrong type", "[" + strings.Replace(obj, `"Kinh"`, "true", 1) + "]", 0, []string{"dan_toc:has the wrong JSON type"}, 0},
		{"name as number", "[" + strings.Replace(obj, `"Nguyễn Văn Nghĩa"`, "12", 1) + "]", 0, []string{"ho_ten:has the wrong JSON type"}, 0},
		{"unknown field", "[" + strings.Replace(obj, `"ho_ten"`, `"xep_loai":"Giỏi","ho_ten"`, 1) + "]", 0, []string{"xep_loai:is not a known field"}, 0},
		{"upper-case member", "[" + strings.Replace(obj, `"ho_ten"`, `"HO_TEN"`, 1) + "]", 0,
			[]string{"ho_ten:is required", "HO_TEN:is not a known field"}, 0},
		{"element not an object", `[` + obj + `, 42]`, 1, []string{":is not a well-formed record"}, 0},
		{"other top-level member", `{"diplomas":[` + obj + `],"x":1}`, 0, nil, ReasonMalformed},
		{"diplomas not an array", `{"diplomas":{}}`, 0, nil, ReasonMalformed},
		{"top-level string", `"x"`, 0, nil, ReasonMalformed},
		{"trailing data", "[" + obj + "] []", 0, nil, ReasonMalformed},
		{"syntax error", "[\n" + obj + ",\n{]", 0, nil, ReasonMalformed},
		{"empty array", `[]`, 0, nil, ReasonNoRecords},
		{"not UTF-8", "[\n" + strings.Replace(obj, "Nghĩa", "Ngh\xecu", 1) + "]", 0, nil, ReasonNotUTF8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := ReadDiplomas("g.json", strings.NewReader(tc.in))
			if tc.fatal != 0 {
				if rows != nil || !HasReason(err, tc.fatal) {
					t.Fatalf("got (%d rows, %v), want %v", len(rows), err, tc.fatal)
				}
				return
			}
			if len(rows) != tc.rows {
				t.Errorf("got %d valid rows, want %d", len(rows), tc.rows)
			}
			var got []string
			var v ValidationErrors
			if err != nil && !errors.As(err, &v) {
				t.Fatalf("got %T %v, want ValidationErrors", err, err)
			}
			for _, e := range v {
				got = append(got, e.Field+":"+e.Reason.String())
			}
			if !slices.Equal(got, tc.reasons) {
				t.Errorf("problems: got %q, want %q", got, tc.reasons)
			}
		})
	}
}

func TestReadNotUTF8Line(t *testing.T) {
	in := "[\n{\"ho_ten\": \"Nguy\xd2n\"}\n]"
	_, err := ReadDiplomas("g.json", strings.NewReader(in))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Reason != ReasonNotUTF8 || fe.Line != 2 {
		t.Fatalf("got %v, want ReasonNotUTF8 on line 2", err)
	}
}

func TestReadFormatDetection(t *testing.T) {
	data := readFixture(t, "graduates.json")
	for _, name := range []string{"graduates.json", "upload", "graduates.JSON"} {
		if rows, err := ReadDiplomas(name, bytes.NewReader(data)); err != nil || len(rows) != fixtureCount {
			t.Errorf("%s: got (%d rows, %v), want %d rows", name, len(rows), err, fixtureCount)
		}
	}
	csvData := readFixture(t, "graduates.csv")
	if rows, err := ReadDiplomas("upload", bytes.NewReader(csvData)); err != nil || len(rows) != fixtureCount {
		t.Errorf("CSV without extension: got (%d rows, %v), want %d rows", len(rows), err, fixtureCount)
	}
}

func TestReadSizeLimit(t *testing.T) {
	big := io.MultiReader(strings.NewReader(csvOf()), bytes.NewReader(bytes.Repeat([]byte(" "), MaxInputSize)))
	rows, err := ReadDiplomas("big.csv", big)
	if rows != nil || !HasReason(err, ReasonTooLarge) {
		t.Fatalf("got (%d rows, %v), want ReasonTooLarge", len(rows), err)
	}
}

func TestReadUnreadable(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := ReadDiplomas("g.csv", iotest.ErrReader(boom))
	if !HasReason(err, ReasonUnreadable) || !errors.Is(err, boom) {
		t.Fatalf("got %v, want ReasonUnreadable wrapping the read error", err)
	}
}

func TestFoldHeader(t *testing.T) {
	tests := map[string]string{
		"Họ và tên":                  "ho_va_ten",
		"  SỐ VÀO SỔ CẤP BẰNG ":      "so_vao_so_cap_bang",
		"Sở GD&ĐT":                   "so_gd_dt",
		"so_hieu":                    "so_hieu",
		norm.NFD.String("Ngày sinh"): "ngay_sinh",
	}
	for in, want := range tests {
		if got := foldHeader(in); got != want {
			t.Errorf("foldHeader(%q): got %q, want %q", in, got, want)
		}
	}
}
