package templates

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/kyso-vn/kyso/tabular"
)

// Học bạ sheets (CSV or .xlsx) are in long form: one row per student and
// subject. A row holds three groups of cells:
//
//   - the subject's own: mon_hoc, loai_mon, hk1, hk2, cn, kiem_tra_lai,
//     giao_vien;
//   - the student's and the school year's (hbHeadFields): the particulars,
//     the school, the term and year results, the homeroom teacher's
//     comment, the corrections and the principal's approval;
//   - an optional STT, ignored.
//
// A student's rows follow one another. The student's cells are read from
// the student's first row; on the later rows they may be repeated (the same
// value) or left blank, as a sheet whose student cells are merged down the
// student's rows reads.
//
// Long form was chosen over a two-sheet workbook (students, marks) because
// it is the same in CSV, which has no sheets; because each subject row
// carries its kind and teacher, which a one-row-per-student sheet cannot
// without a second table; and because a student's rows come together, so
// the reader holds one student at a time instead of joining two sheets in
// memory.

// Columns of a học bạ sheet that are not members of Transcript by the same
// name.
const (
	hbColSubject   = "mon_hoc"
	hbColKind      = "loai_mon"
	hbColTermI     = "hk1"
	hbColTermII    = "hk2"
	hbColYear      = "cn"
	hbColRetest    = "kiem_tra_lai"
	hbColTeacher   = "giao_vien"
	hbColID        = "ma_hs"
	hbColName      = "ho_ten"
	hbColBirth     = "ngay_sinh"
	hbColSchoolYr  = "nam_hoc"
	hbColAbsent    = "so_buoi_nghi"
	hbColCorrect   = "so_cho_sua"
	hbColAwards    = "khen_thuong"
	hbColCorrected = "mon_sua_chua"
	hbColApproval  = "ngay_duyet"
)

// TranscriptCSVColumns returns the columns of a học bạ CSV file, in the
// order WriteTranscriptsCSV writes them. One row per student and subject:
//
//	so_gddt, truong, dia_danh, nam_hoc, lop           the school year (as in Transcript)
//	ma_hs, ho_ten, ngay_sinh, gioi_tinh, dan_toc,
//	noi_sinh, cho_o                                  the student (hoc_sinh)
//	mon_hoc, loai_mon, hk1, hk2, cn, kiem_tra_lai,
//	giao_vien                                        the subject (one of mon_hoc)
//	hk1_hoc_tap, hk1_ren_luyen, hk2_hoc_tap,
//	hk2_ren_luyen, cn_hoc_tap, cn_ren_luyen           the results (hk1, hk2, ca_nam)
//	hoc_tap_sau_kiem_tra_lai, ren_luyen_sau_he,
//	so_buoi_nghi, xet_len_lop, xet_len_lop_sau,
//	danh_hieu, khen_thuong, nhan_xet_gvcn, gvcn,
//	so_cho_sua, mon_sua_chua, hieu_truong,
//	ngay_duyet                                       the rest of the year, as in Transcript
//
// khen_thuong and mon_sua_chua hold several values separated by ";" or line
// breaks. testdata/samples/README.md lists the Vietnamese headings
// ReadTranscripts accepts for each.
func TranscriptCSVColumns() []string {
	return []string{
		"so_gddt", "truong", "dia_danh", hbColSchoolYr, "lop",
		hbColID, hbColName, hbColBirth, "gioi_tinh", "dan_toc", "noi_sinh", "cho_o",
		hbColSubject, hbColKind, hbColTermI, hbColTermII, hbColYear, hbColRetest, hbColTeacher,
		"hk1_hoc_tap", "hk1_ren_luyen", "hk2_hoc_tap", "hk2_ren_luyen", "cn_hoc_tap", "cn_ren_luyen",
		"hoc_tap_sau_kiem_tra_lai", "ren_luyen_sau_he", hbColAbsent, "xet_len_lop", "xet_len_lop_sau",
		"danh_hieu", hbColAwards, "nhan_xet_gvcn", "gvcn", hbColCorrect, hbColCorrected, "hieu_truong", hbColApproval,
	}
}

// hbSubjectFields are the columns that belong to one subject row.
func hbSubjectFields() []string {
	return []string{hbColSubject, hbColKind, hbColTermI, hbColTermII, hbColYear, hbColRetest, hbColTeacher}
}

// hbHeadFields are the columns that belong to the student's year: every
// column but the subject's.
func hbHeadFields() []string {
	sub := map[string]bool{}
	for _, f := range hbSubjectFields() {
		sub[f] = true
	}
	var out []string
	for _, c := range TranscriptCSVColumns() {
		if !sub[c] {
			out = append(out, c)
		}
	}
	return out
}

// transcriptRequired are the columns a học bạ sheet must have: every field
// Transcript.Validate requires, and so_buoi_nghi. loai_mon may be left out
// (the marks tell the kind); the re-test, after-retest, title, award and
// correction columns may be left out when no student has any.
func transcriptRequired() []string {
	return []string{
		"so_gddt", "truong", "dia_danh", hbColSchoolYr, "lop",
		hbColID, hbColName, hbColBirth, "gioi_tinh", "dan_toc", "noi_sinh", "cho_o",
		hbColSubject, hbColTermI, hbColTermII, hbColYear, hbColTeacher,
		"hk1_hoc_tap", "hk1_ren_luyen", "hk2_hoc_tap", "hk2_ren_luyen", "cn_hoc_tap", "cn_ren_luyen",
		hbColAbsent, "xet_len_lop", "nhan_xet_gvcn", "gvcn", "hieu_truong", hbColApproval,
	}
}

// transcriptHeadings maps the folded headings (foldHeader) a học bạ sheet
// may use to their columns: each column's own name, and the headings
// Vietnamese schools and their software (SMAS, vnEdu) write. The empty
// column ignores the row number (STT).
func transcriptHeadings() map[string]string {
	m := map[string]string{}
	add := func(field string, headings ...string) {
		m[field] = field
		for _, h := range headings {
			m[h] = field
		}
	}
	add("", "stt", "so_thu_tu", "tt")
	add("so_gddt", "so_gd_dt", "so_giao_duc_va_dao_tao", "so_giao_duc_dao_tao")
	add("truong", "ten_truong")
	add("dia_danh")
	add(hbColSchoolYr)
	add("lop", "ten_lop")
	add(hbColID, "ma_hoc_sinh", "ma_dinh_danh", "ma_dinh_danh_hoc_sinh", "ma_dinh_danh_hs", "ma_hs_dinh_danh")
	add(hbColName, "ho_va_ten", "hoten", "ho_ten_hoc_sinh", "ho_va_ten_hoc_sinh")
	add(hbColBirth, "ngaysinh")
	add("gioi_tinh", "gioitinh")
	add("dan_toc", "dantoc")
	add("noi_sinh", "noisinh")
	add("cho_o", "cho_o_hien_tai", "cho_o_hien_nay", "noi_o_hien_nay", "noi_o", "dia_chi")
	add(hbColSubject, "mon", "ten_mon", "ten_mon_hoc", "mon_hoc_va_hoat_dong_giao_duc")
	add(hbColKind, "loai", "hinh_thuc_danh_gia")
	// Term marks: "Điểm TB HK I", "ĐTBmhk I", "TBM HK1", "Học kì I", ...
	for _, t := range []struct {
		field string
		names []string
	}{
		{hbColTermI, []string{"hk_i", "hk1", "hki", "hk_1", "hoc_ky_i", "hoc_ki_i", "hoc_ky_1", "hoc_ki_1"}},
		{hbColTermII, []string{"hk_ii", "hk2", "hkii", "hk_2", "hoc_ky_ii", "hoc_ki_ii", "hoc_ky_2", "hoc_ki_2"}},
		{hbColYear, []string{"ca_nam", "cn", "ca_nam_hoc"}},
	} {
		for _, n := range t.names {
			m[n] = t.field
			for _, p := range []string{"diem_tb", "dtb", "tbm", "dtbm", "diem_trung_binh", "diem_trung_binh_mon", "tb"} {
				m[p+"_"+n] = t.field
			}
		}
	}
	for _, h := range []string{"dtbmhk_i", "dtbmhki", "dtbmhk1"} {
		m[h] = hbColTermI
	}
	for _, h := range []string{"dtbmhk_ii", "dtbmhkii", "dtbmhk2"} {
		m[h] = hbColTermII
	}
	m["dtbmcn"] = hbColYear
	add(hbColRetest, "diem_kt_lai", "diem_kiem_tra_lai", "kt_lai", "danh_gia_lai", "diem_danh_gia_lai",
		"diem_kiem_tra_lai_danh_gia_lai", "kiem_tra_lai_danh_gia_lai")
	add(hbColTeacher, "giao_vien_bo_mon", "gvbm", "ho_ten_giao_vien", "giao_vien_day")
	// Results: "Kết quả học tập HK I", "Học lực HK1", "Hạnh kiểm cả năm",
	// "KQRL CN", ...
	learning := []string{"hoc_tap", "ket_qua_hoc_tap", "kqht", "hoc_luc"}
	conduct := []string{"ren_luyen", "ket_qua_ren_luyen", "kqrl", "hanh_kiem"}
	for _, p := range []struct {
		prefix string
		names  []string
	}{
		{"hk1", []string{"hk_i", "hk1", "hki", "hk_1", "hoc_ky_i", "hoc_ki_i", "hoc_ky_1", "hoc_ki_1"}},
		{"hk2", []string{"hk_ii", "hk2", "hkii", "hk_2", "hoc_ky_ii", "hoc_ki_ii", "hoc_ky_2", "hoc_ki_2"}},
		{"cn", []string{"ca_nam", "cn", "ca_nam_hoc"}},
	} {
		for _, n := range p.names {
			for _, l := range learning {
				m[l+"_"+n], m[n+"_"+l] = p.prefix+"_hoc_tap", p.prefix+"_hoc_tap"
			}
			for _, c := range conduct {
				m[c+"_"+n], m[n+"_"+c] = p.prefix+"_ren_luyen", p.prefix+"_ren_luyen"
			}
		}
	}
	for _, l := range learning {
		for _, s := range []string{"sau_kiem_tra_lai", "sau_kt_lai", "sau_danh_gia_lai"} {
			m[l+"_"+s] = "hoc_tap_sau_kiem_tra_lai"
		}
	}
	for _, c := range conduct {
		for _, s := range []string{"sau_he", "sau_ren_luyen_he", "sau_ren_luyen_trong_he"} {
			m[c+"_"+s] = "ren_luyen_sau_he"
		}
	}
	add(hbColAbsent, "so_ngay_nghi", "tong_so_buoi_nghi", "so_buoi_nghi_hoc", "nghi", "nghi_hoc", "so_buoi_vang")
	add("xet_len_lop", "len_lop", "duoc_len_lop", "ket_qua_xet_len_lop", "xet_len_lop_cuoi_nam")
	add("xet_len_lop_sau", "len_lop_sau", "xet_len_lop_sau_kiem_tra_lai", "xet_len_lop_sau_kt_lai",
		"len_lop_sau_kt_lai", "len_lop_sau_kiem_tra_lai", "xet_len_lop_sau_kiem_tra_lai_ren_luyen_he")
	add("danh_hieu", "danh_hieu_thi_dua")
	add(hbColAwards, "khen_thuong_khac", "giai_thuong", "khen_thuong_dac_biet")
	add("nhan_xet_gvcn", "nhan_xet_cua_gvcn", "nhan_xet_cua_giao_vien_chu_nhiem", "nhan_xet_giao_vien_chu_nhiem")
	add("gvcn", "giao_vien_chu_nhiem", "ho_ten_gvcn", "ho_ten_giao_vien_chu_nhiem")
	add(hbColCorrect, "so_cho_sua_chua", "sua_chua", "so_cho_sua_chua_trong_bang")
	add(hbColCorrected, "mon_co_sua_chua", "cac_mon_sua_chua", "sua_chua_o_mon", "mon_sua")
	add("hieu_truong", "ho_ten_hieu_truong")
	add(hbColApproval, "ngay_phe_duyet", "ngay_hieu_truong_duyet", "ngay_xac_nhan", "ngay_ky")
	return m
}

// transcriptHeaderMatcher returns the HeaderMatcher of học bạ sheets.
func transcriptHeaderMatcher() tabular.HeaderMatcher {
	m := transcriptHeadings()
	return func(h string) (string, bool) {
		f, ok := m[foldHeader(h)]
		return f, ok
	}
}

// maxImportProblems bounds the problems one import reports; past it the
// rest of the file is not read.
const maxImportProblems = 500

// ReadTranscripts reads học bạ years from a JSON, CSV or Excel .xlsx file.
// name is used in error messages and, by its extension (.json, .csv,
// .xlsx), to pick the format; without one the content decides.
//
// JSON: one Transcript object, or an array of them, refusing unknown
// members and a student given twice for the same school year. Text that
// is Unicode but reads as TCVN3 or VNI typed through a Western code page
// ("NguyÔn" for "Nguyễn") is refused (ReasonNotUTF8).
//
// CSV and .xlsx (through package tabular: the first sheet with data, title
// rows above the header skipped, legacy TCVN3 / VNI / Windows-1258 text
// refused with what it is and how to convert it): one row per student and
// subject in the columns of TranscriptCSVColumns, under their names or the
// Vietnamese headings schools use ("Mã học sinh", "Họ và tên", "Môn học",
// "Điểm TB HK I", "Cả năm", "Điểm KT lại", "Kết quả học tập HK I", "Hạnh
// kiểm cả năm", "Số buổi nghỉ", "Lên lớp", "Nhận xét của GVCN", ...) in
// any letter case, with or without diacritics; marks with a decimal comma
// or point, or Đ / CĐ / Đạt / Chưa đạt; dates dd/mm/yyyy. A student's rows
// follow one another; the student's cells are read from the first of them
// and, on the others, are either the same or blank (merged cells). A
// loai_mon left blank is taken from the marks. The student's rows start
// when ma_hs (or nam_hoc) changes; a student who comes back after another
// one is refused.
//
// Every transcript is normalised, validated (Transcript.Validate) and its
// arithmetic checked (Transcript.CheckArithmetic): averages, results,
// title and promotion that do not follow Thông tư 22/2021 are refused with
// the student, the subject and the expected value. A file with any problem
// gives no transcripts: for CSV and .xlsx the error is a *tabular.CellError
// or tabular.Errors naming the file, sheet, row and column of each problem
// (errors.Is(err, tabular.ErrInvalidFile) for a file that cannot be read
// at all, tabular.ErrInvalidRow for bad rows; a problem found by Validate
// or CheckArithmetic also matches ErrInvalidRecord); for JSON it is a
// *FieldError or ValidationErrors naming the file and the position of the
// transcript in the array.
func ReadTranscripts(name string, r io.Reader) ([]Transcript, error) {
	var out []Transcript
	if err := ScanTranscripts(name, r, func(t Transcript) error {
		out = append(out, t)
		return nil
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// ScanTranscripts reads học bạ years as ReadTranscripts does, calling fn
// with each valid transcript as soon as it is complete, so that a large
// CSV or .xlsx is never held whole: what is held is the student being read,
// the rows tabular reads ahead, the identifiers of the students seen (to
// refuse one whose rows are split) and the problems found. A JSON file is
// read whole (it is limited to MaxInputSize). An error returned by fn stops
// the reading and is returned as is.
//
// fn may be called before a problem later in the file is found: a caller
// that must not act on a file with problems collects the transcripts and
// uses them only when ScanTranscripts returns nil, as ReadTranscripts does.
func ScanTranscripts(name string, r io.Reader, fn func(Transcript) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(512)
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".xlsx" && ext != ".csv" && isJSON(name, head) {
		data, err := io.ReadAll(io.LimitReader(br, MaxInputSize+1))
		if err != nil {
			return &FieldError{File: name, Reason: ReasonUnreadable, Err: err}
		}
		if len(data) > MaxInputSize {
			return &FieldError{File: name, Reason: ReasonTooLarge, Detail: fmt.Sprintf("more than %d MiB", MaxInputSize>>20)}
		}
		return scanTranscriptsJSON(name, bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")), fn)
	}
	// tabular tells CSV from .xlsx by the extension, then the content, and
	// explains .xls and .ods.
	rd, err := tabular.OpenReader(name, br, tabular.Options{
		Required: transcriptRequired(),
		Match:    transcriptHeaderMatcher(),
		MaxSize:  MaxInputSize,
	})
	if err != nil {
		return err
	}
	defer rd.Close()
	return (&hbScanner{name: name, rd: rd, fn: fn}).run()
}

// scanTranscriptsJSON reads one transcript object or an array of them.
func scanTranscriptsJSON(name string, data []byte, fn func(Transcript) error) error {
	if firstInvalid(data) >= 0 {
		return notUTF8File(name, data)
	}
	data = bytes.TrimSpace(data)
	var elems []json.RawMessage
	if len(data) > 0 && data[0] == '{' {
		elems = []json.RawMessage{data}
	} else if err := json.Unmarshal(data, &elems); err != nil {
		fe := &FieldError{File: name, Reason: ReasonMalformed, Err: err}
		var se *json.SyntaxError
		if errors.As(err, &se) && se.Offset <= int64(len(data)) {
			fe.Line = lineAt(data, int(se.Offset))
		}
		return fe
	}
	if len(elems) == 0 {
		return &FieldError{File: name, Reason: ReasonNoRecords}
	}
	var errs ValidationErrors
	seen := map[string]int{} // ma_hs|nam_hoc → position
	for i, el := range elems {
		var t Transcript
		dec := json.NewDecoder(bytes.NewReader(el))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&t); err != nil {
			errs = append(errs, &FieldError{File: name, Row: i + 1, Reason: ReasonBadRecord, Detail: err.Error(), Err: err})
			continue
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			errs = append(errs, &FieldError{File: name, Row: i + 1, Reason: ReasonMalformed, Detail: "data after the transcript object"})
			continue
		}
		if d := tabular.DetectLegacy(t.texts()); d.Encoding != tabular.Unicode {
			return &FieldError{File: name, Row: i + 1, Reason: ReasonNotUTF8, Detail: fmt.Sprintf(
				"the text is Unicode but reads as %s typed through a Western code page: %q would be %q; "+
					"convert it to Unicode (e.g. with UniKey's converter) and export it again", d.Encoding, d.Example, d.Converted)}
		}
		t.Normalize()
		if err := checkTranscript(&t); err != nil {
			var v ValidationErrors
			if !errors.As(err, &v) {
				return err
			}
			for _, fe := range v {
				fe.File, fe.Row = name, i+1
			}
			errs = append(errs, v...)
			continue
		}
		key := t.Student.ID + "|" + t.SchoolYear
		if first, dup := seen[key]; dup {
			errs = append(errs, &FieldError{File: name, Row: i + 1, Field: "hoc_sinh.ma_hs", Value: t.Student.ID,
				Reason: ReasonDuplicate, Detail: fmt.Sprintf("the same student and school year as transcript %d", first)})
			continue
		}
		seen[key] = i + 1
		if len(errs) == 0 {
			if err := fn(t); err != nil {
				return err
			}
		}
		if len(errs) >= maxImportProblems {
			break
		}
	}
	if len(errs) == 1 {
		return errs[0]
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// texts returns the free text of t, for the legacy-encoding test.
func (t *Transcript) texts() []string {
	st := &t.Student
	out := []string{t.Department, t.School, t.Place, t.Class, st.FullName, st.Ethnicity, st.PlaceOfBirth, st.Address,
		t.HomeroomComment, t.HomeroomTeacher, t.Principal, t.Title}
	for _, s := range t.Subjects {
		out = append(out, s.Name, s.Teacher)
	}
	out = append(out, t.Awards...)
	return append(out, t.CorrectedSubjects...)
}

// checkTranscript validates t and, when it is well formed, its arithmetic.
func checkTranscript(t *Transcript) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return t.CheckArithmetic()
}

// hbScanner reads the rows of a học bạ sheet, one student at a time.
type hbScanner struct {
	name string
	rd   *tabular.Reader
	fn   func(Transcript) error

	headers map[string]tabular.Header // column of each field
	errs    tabular.Errors
	// seen maps each student read (ma_hs|nam_hoc) to their first row.
	seen map[string]int
	cur  *hbStudent
}

// hbStudent is the student being read.
type hbStudent struct {
	key   string // ma_hs|nam_hoc, for seen
	year  string // nam_hoc as normalizeSchoolYear gives it
	t     Transcript
	first int               // the row the student's cells come from
	head  map[string]string // the student's cells on that row, cleaned
	rows  []int             // the row of each subject
	bad   bool              // a row had a problem already reported
}

func (s *hbScanner) run() error {
	s.headers = map[string]tabular.Header{}
	for _, h := range s.rd.Headers() {
		if h.Field != "" {
			s.headers[h.Field] = h
		}
	}
	s.seen = map[string]int{}
	for row, err := range s.rd.All() {
		if err != nil {
			var ce *tabular.CellError
			var ces tabular.Errors
			switch {
			case errors.As(err, &ces):
				s.errs = append(s.errs, ces...)
			case errors.As(err, &ce) && !ce.Reason.IsFileLevel():
				s.errs = append(s.errs, ce)
				if s.cur != nil {
					s.cur.bad = true
				}
			default:
				return err
			}
		} else if err := s.row(row); err != nil {
			return err
		}
		if len(s.errs) >= maxImportProblems {
			s.errs = append(s.errs, &tabular.CellError{File: s.name, Sheet: s.rd.Sheet(), Reason: tabular.ReasonInvalidValue,
				Detail: fmt.Sprintf("more than %d problems: the rest of the file was not checked", maxImportProblems)})
			return s.errs
		}
	}
	if err := s.finish(); err != nil {
		return err
	}
	if len(s.errs) > 0 {
		return oneOrMany(s.errs)
	}
	if len(s.seen) == 0 {
		return &tabular.CellError{File: s.name, Sheet: s.rd.Sheet(), Reason: tabular.ReasonNoRows}
	}
	return nil
}

// row adds one row: to the student being read, or as the first row of
// the next student.
func (s *hbScanner) row(row tabular.Row) error {
	id := cleanText(row.Value(hbColID))
	year, _, _ := normalizeSchoolYear(row.Value(hbColSchoolYr))
	newStudent := false
	switch {
	case s.cur == nil && id == "":
		s.errs = append(s.errs, row.Errorf(hbColID, "is required on a student's first row"))
		return nil
	case s.cur == nil:
		newStudent = true
	case id != "" && id != s.cur.t.Student.ID:
		newStudent = true
	case id != "" && year != "" && year != s.cur.year:
		newStudent = true
	}
	if newStudent {
		if err := s.finish(); err != nil {
			return err
		}
		key := id + "|" + year
		if first, dup := s.seen[key]; dup {
			s.errs = append(s.errs, row.Errorf(hbColID,
				"is the student of row %d again: a student's rows must follow one another", first))
			s.cur = &hbStudent{key: key, year: year, first: row.Number, bad: true}
			s.cur.t.Student.ID = id
			return nil
		}
		s.seen[key] = row.Number
		s.cur = s.start(row, key)
		s.cur.year = year
	} else if s.cur.head != nil {
		for _, f := range hbHeadFields() {
			if _, ok := s.headers[f]; !ok {
				continue
			}
			v := cleanText(row.Value(f))
			if v != "" && v != s.cur.head[f] {
				what := "differs from row %d of the same student"
				if s.cur.head[f] == "" {
					what = "is blank on row %d, the student's first: give the student's cells on their first row"
				}
				s.errs = append(s.errs, row.Errorf(f, what, s.cur.first))
				s.cur.bad = true
			}
		}
	}
	s.subject(row)
	return nil
}

// start reads the student's cells from their first row.
func (s *hbScanner) start(row tabular.Row, key string) *hbStudent {
	st := &hbStudent{key: key, first: row.Number, head: map[string]string{}}
	for _, f := range hbHeadFields() {
		st.head[f] = cleanText(row.Value(f))
	}
	t := &st.t
	t.Department, t.School, t.Place, t.SchoolYear, t.Class = row.Value("so_gddt"), row.Value("truong"),
		row.Value("dia_danh"), row.Value(hbColSchoolYr), row.Value("lop")
	t.Student = StudentInfo{
		ID: row.Value(hbColID), FullName: row.Value(hbColName), Gender: row.Value("gioi_tinh"),
		Ethnicity: row.Value("dan_toc"), PlaceOfBirth: row.Value("noi_sinh"), Address: row.Value("cho_o"),
	}
	t.TermI = TermResult{Learning: Rating(row.Value("hk1_hoc_tap")), Conduct: Rating(row.Value("hk1_ren_luyen"))}
	t.TermII = TermResult{Learning: Rating(row.Value("hk2_hoc_tap")), Conduct: Rating(row.Value("hk2_ren_luyen"))}
	t.Year = TermResult{Learning: Rating(row.Value("cn_hoc_tap")), Conduct: Rating(row.Value("cn_ren_luyen"))}
	t.LearningAfterRetest = Rating(row.Value("hoc_tap_sau_kiem_tra_lai"))
	t.ConductAfterSummer = Rating(row.Value("ren_luyen_sau_he"))
	t.Promotion = Promotion(row.Value("xet_len_lop"))
	t.PromotionAfter = Promotion(row.Value("xet_len_lop_sau"))
	t.Title = row.Value("danh_hieu")
	t.HomeroomComment, t.HomeroomTeacher, t.Principal = row.Value("nhan_xet_gvcn"), row.Value("gvcn"), row.Value("hieu_truong")
	t.Awards = splitList(row.Value(hbColAwards))
	t.CorrectedSubjects = splitList(row.Value(hbColCorrected))

	problem := func(ce *tabular.CellError) {
		s.errs = append(s.errs, ce)
		st.bad = true
	}
	for _, d := range []struct {
		field string
		dst   *Date
	}{{hbColBirth, &t.Student.DateOfBirth}, {hbColApproval, &t.ApprovalDate}} {
		v, err := row.Date(d.field)
		if err != nil {
			problem(asCellError(err))
			continue
		}
		*d.dst = Date{Year: v.Year, Month: v.Month, Day: v.Day}
	}
	for _, n := range []struct {
		field string
		dst   *int
	}{{hbColAbsent, &t.DaysAbsent}, {hbColCorrect, &t.Corrections}} {
		v := cleanText(row.Value(n.field))
		if v == "" {
			continue
		}
		k, err := strconv.Atoi(v)
		if err != nil || len(v) > 4 {
			problem(row.Errorf(n.field, "is not a whole number"))
			continue
		}
		*n.dst = k
	}
	return st
}

// subject reads the row's subject.
func (s *hbScanner) subject(row tabular.Row) {
	st := s.cur
	sub := TranscriptSubject{
		Name:    row.Value(hbColSubject),
		Kind:    SubjectKind(row.Value(hbColKind)),
		Teacher: row.Value(hbColTeacher),
	}
	mark := func(field string) Mark {
		v := cleanText(row.Value(field))
		if v == "" {
			return ""
		}
		if _, ok := ParseVerdict(v); !ok {
			if _, err := ParseScore(v); err != nil {
				s.errs = append(s.errs, row.Errorf(field, "is not a mark (a score 0–10 with at most one decimal, or Đạt / Chưa đạt): %w", err))
				st.bad = true
			}
		}
		return normalizeMark(Mark(v))
	}
	sub.TermI, sub.TermII, sub.Year, sub.Retest = mark(hbColTermI), mark(hbColTermII), mark(hbColYear), mark(hbColRetest)
	if cleanText(string(sub.Kind)) == "" {
		sub.Kind = kindOfMarks(sub.TermI, sub.TermII, sub.Year)
	}
	st.t.Subjects = append(st.t.Subjects, sub)
	st.rows = append(st.rows, row.Number)
}

// kindOfMarks tells a subject's kind from its marks: assessed by comment
// when they are verdicts, with scores when they are scores, and unknown
// (left for Validate to report) otherwise.
func kindOfMarks(ms ...Mark) SubjectKind {
	var scores, verdicts int
	for _, m := range ms {
		if _, ok := m.Score(); ok {
			scores++
		}
		if _, ok := m.Verdict(); ok {
			verdicts++
		}
	}
	switch {
	case scores > 0 && verdicts == 0:
		return SubjectScored
	case verdicts > 0 && scores == 0:
		return SubjectComment
	}
	return ""
}

// splitList splits a cell holding several values, separated by ";" or
// line breaks; a blank cell is none.
func splitList(s string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r", "\n"), "\n") {
		for _, v := range strings.Split(line, ";") {
			if v = cleanText(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// finish checks the student being read and hands the transcript to fn.
func (s *hbScanner) finish() error {
	st := s.cur
	s.cur = nil
	if st == nil || st.bad {
		return nil
	}
	t := &st.t
	t.Normalize()
	if err := checkTranscript(t); err != nil {
		var v ValidationErrors
		if !errors.As(err, &v) {
			return err
		}
		for _, fe := range v {
			s.errs = append(s.errs, s.locate(st, fe))
		}
		return nil
	}
	if len(s.errs) > 0 {
		return nil // nothing from a file with problems is handed on
	}
	return s.fn(*t)
}

// Field paths of Transcript.Validate and CheckArithmetic.
var (
	hbSubjectPath = regexp.MustCompile(`^mon_hoc\[(\d+)\]\.([a-z0-9_]+)$`)
	hbListPath    = regexp.MustCompile(`^([a-z_]+)\[\d+\]$`)
)

// locate turns a problem Validate or CheckArithmetic found in a transcript
// read from a sheet into a CellError at the row and column it came from:
// a subject's on the subject's row, the others on the student's first row.
func (s *hbScanner) locate(st *hbStudent, fe *FieldError) *tabular.CellError {
	row, field := st.first, fe.Field
	if m := hbSubjectPath.FindStringSubmatch(fe.Field); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n >= 1 && n <= len(st.rows) {
			row = st.rows[n-1]
		}
		switch field = m[2]; field {
		case "ten":
			field = hbColSubject
		case "loai":
			field = hbColKind
		}
	} else if m := hbListPath.FindStringSubmatch(fe.Field); m != nil {
		field = m[1]
	} else if rest, ok := strings.CutPrefix(fe.Field, "hoc_sinh."); ok {
		field = rest
	} else {
		field = strings.NewReplacer("ca_nam.", "cn_", ".", "_").Replace(field)
	}
	ce := &tabular.CellError{File: s.name, Sheet: s.rd.Sheet(), Row: row, Value: fe.Value,
		Reason: tabular.ReasonInvalidValue, Detail: fe.Reason.String(), Err: fe}
	if fe.Detail != "" {
		ce.Detail += " (" + fe.Detail + ")"
	}
	h, ok := s.headers[field]
	if !ok && field == hbColKind {
		// No loai_mon column: the kind came from the marks.
		h, ok = s.headers[hbColSubject]
		ce.Detail = "field " + strconv.Quote(fe.Field) + ": " + ce.Detail
		if fe.Reason == ReasonRequired {
			ce.Detail += ": the marks are neither all scores nor all Đạt / Chưa đạt, and no loai_mon column says the subject's kind"
		}
	}
	if ok {
		ce.Column, ce.Header = h.Column, h.Text
	} else if fe.Field != "" {
		ce.Detail = "field " + strconv.Quote(fe.Field) + ": " + ce.Detail
	}
	return ce
}
