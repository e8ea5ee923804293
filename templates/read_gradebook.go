package templates

import (
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

// Gradebook column names that are not members of the first eleven columns:
// the student's cells in a gradebook CSV or workbook.
const (
	gbColNo       = "stt"
	gbColID       = "ma_hs"
	gbColName     = "ho_ten"
	gbColBirth    = "ngay_sinh"
	gbColMid      = "ddggk"
	gbColFinal    = "ddgck"
	gbColTermAvg  = "dtbmhk"
	gbColTermI    = "hk1"
	gbColTermII   = "hk2"
	gbColYear     = "cn"
	gbColRegular  = "so_ddgtx"
	gbColSignDate = "ngay_ky"
)

// gradebookRequired are the columns a gradebook sheet must have. The marks
// are checked per gradebook by Validate, since a term and a year gradebook
// need different ones; so_ddgtx may be left out when every row gives its
// ĐĐGtx; stt may be left out and the rows are then numbered in order.
func gradebookRequired() []string {
	return []string{"so_gddt", "truong", "nam_hoc", "hoc_ky", "lop", "mon_hoc", "loai_mon", "giao_vien",
		"dia_danh", gbColSignDate, gbColID, gbColName, gbColBirth}
}

// gradebookHeaderField maps a heading of a gradebook sheet to its column:
// the column name itself in any case, or a heading Vietnamese schools use
// ("Họ và tên", "Mã định danh", "ĐĐGtx1", "Giữa kỳ", "Cuối kỳ", "ĐTBmhk",
// "HK I", "Cả năm", ...), with or without diacritics.
func gradebookHeaderField(h string) (string, bool) {
	f := foldHeader(h)
	switch f {
	case "so_gddt", "so_gd_dt", "so_giao_duc_va_dao_tao", "so_giao_duc_dao_tao":
		return "so_gddt", true
	case "truong", "ten_truong":
		return "truong", true
	case "nam_hoc":
		return "nam_hoc", true
	case "hoc_ky", "hoc_ki":
		return "hoc_ky", true
	case "lop":
		return "lop", true
	case "mon_hoc", "mon":
		return "mon_hoc", true
	case "loai_mon", "hinh_thuc_danh_gia":
		return "loai_mon", true
	case "so_ddgtx", "so_dgtx", "so_diem_ddgtx":
		return gbColRegular, true
	case "giao_vien", "giao_vien_bo_mon", "gvbm":
		return "giao_vien", true
	case "dia_danh":
		return "dia_danh", true
	case "ngay_ky":
		return gbColSignDate, true
	case "stt", "so_thu_tu", "tt":
		return gbColNo, true
	case "ma_hs", "ma_dinh_danh", "ma_hoc_sinh", "ma_dinh_danh_hoc_sinh":
		return gbColID, true
	case "ho_ten", "ho_va_ten", "hoten":
		return gbColName, true
	case "ngay_sinh", "ngaysinh":
		return gbColBirth, true
	case "ddggk", "dgggk", "giua_ky", "giua_ki", "diem_giua_ky", "diem_giua_ki":
		return gbColMid, true
	case "ddgck", "dggck", "cuoi_ky", "cuoi_ki", "diem_cuoi_ky", "diem_cuoi_ki":
		return gbColFinal, true
	case "dtbmhk", "dtb_mhk", "dtbm_hk", "tbm_hk", "diem_trung_binh_mon_hoc_ky", "diem_trung_binh_mon_hoc_ki":
		return gbColTermAvg, true
	case "hk1", "hk_i", "hoc_ky_i", "hoc_ki_i":
		return gbColTermI, true
	case "hk2", "hk_ii", "hoc_ky_ii", "hoc_ki_ii":
		return gbColTermII, true
	case "cn", "ca_nam", "ca_nam_hoc":
		return gbColYear, true
	}
	for n := 1; n <= MaxRegularCount; n++ {
		d := strconv.Itoa(n)
		switch f {
		case "ddgtx" + d, "ddgtx_" + d, "dgtx" + d, "dgtx_" + d, "thuong_xuyen_" + d:
			return "ddgtx" + d, true
		}
	}
	return "", false
}

// ReadGradebooks reads gradebooks (sổ điểm) from a JSON, CSV or Excel .xlsx
// file. name is used in error messages and, by its extension (.json, .csv,
// .xlsx), to pick the format; without one the content decides.
//
// JSON: one gradebook object, or an array of them, with the members of
// Gradebook (testdata/samples/README.md), refusing unknown members.
//
// CSV and .xlsx (read through package tabular: the first sheet with data,
// title rows above the header skipped, legacy TCVN3 / VNI text refused):
// the columns of GradebookCSVColumns under their names or the Vietnamese
// headings schools use ("Họ và tên", "Mã định danh", "ĐĐGtx1", "Giữa kỳ",
// "Cuối kỳ", "ĐTBmhk", ...); marks with a decimal comma or point, or Đ /
// CĐ; dates dd/mm/yyyy. Rows are grouped into gradebooks by school, school
// year, term, class and subject, in the order each group first appears;
// the other gradebook columns must agree within a group.
//
// Every gradebook is normalised, validated (Gradebook.Validate) and its
// averages checked (Gradebook.CheckArithmetic). A file with any problem
// gives no gradebooks: for CSV and .xlsx the error is a *tabular.CellError
// or tabular.Errors naming the file, sheet, row and column of each problem
// (errors.Is(err, tabular.ErrInvalidFile) for a file that cannot be read at
// all, tabular.ErrInvalidRow for bad rows); for JSON it is a *FieldError or
// ValidationErrors naming the file and the gradebook's position.
func ReadGradebooks(name string, r io.Reader) ([]Gradebook, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInputSize+1))
	if err != nil {
		return nil, &FieldError{File: name, Reason: ReasonUnreadable, Err: err}
	}
	if len(data) > MaxInputSize {
		return nil, &FieldError{File: name, Reason: ReasonTooLarge, Detail: fmt.Sprintf("more than %d MiB", MaxInputSize>>20)}
	}
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".xlsx" && ext != ".csv" && isJSON(name, bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))) {
		return readGradebooksJSON(name, bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))
	}
	format := tabular.FormatCSV
	if ext == ".xlsx" || bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		format = tabular.FormatXLSX
	}
	return readGradebooksTable(name, data, format)
}

// readGradebooksJSON reads one gradebook object or an array of them.
func readGradebooksJSON(name string, data []byte) ([]Gradebook, error) {
	if firstInvalid(data) >= 0 {
		return nil, notUTF8File(name, data)
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
		return nil, fe
	}
	if len(elems) == 0 {
		return nil, &FieldError{File: name, Reason: ReasonNoRecords}
	}
	var (
		out  []Gradebook
		errs ValidationErrors
	)
	for i, el := range elems {
		var g Gradebook
		dec := json.NewDecoder(bytes.NewReader(el))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&g); err != nil {
			errs = append(errs, &FieldError{File: name, Row: i + 1, Reason: ReasonBadRecord, Detail: err.Error(), Err: err})
			continue
		}
		g.Normalize()
		if err := checkGradebook(&g); err != nil {
			var v ValidationErrors
			if !errors.As(err, &v) {
				return nil, err
			}
			for _, fe := range v {
				fe.File, fe.Row = name, i+1
			}
			errs = append(errs, v...)
			continue
		}
		out = append(out, g)
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// checkGradebook validates g and, when it is well formed, its arithmetic.
func checkGradebook(g *Gradebook) error {
	if err := g.Validate(); err != nil {
		return err
	}
	return g.CheckArithmetic()
}

// gbGroup is one gradebook being read from a sheet: the gradebook, the row
// of each student, and the row that gave the gradebook's own fields.
type gbGroup struct {
	g     Gradebook
	rows  []tabular.Row
	first tabular.Row
	// numbered: the sheet has an stt column.
	numbered bool
}

// gbHeadFields are the gradebook's own columns, which every row repeats.
func gbHeadFields() []string {
	return []string{"so_gddt", "truong", "nam_hoc", "hoc_ky", "lop", "mon_hoc", "loai_mon", gbColRegular, "giao_vien", "dia_danh", gbColSignDate}
}

// readGradebooksTable reads a CSV file or a workbook through tabular.
func readGradebooksTable(name string, data []byte, format tabular.Format) ([]Gradebook, error) {
	rd, err := tabular.Open(name, bytes.NewReader(data), int64(len(data)), tabular.Options{
		Format:   format,
		Required: gradebookRequired(),
		Match:    gradebookHeaderField,
	})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	hasNo := headerFields(rd)[gbColNo]

	var (
		errs   tabular.Errors
		groups []*gbGroup
		byKey  = map[string]*gbGroup{}
	)
	addErr := func(err error) error {
		var ce *tabular.CellError
		var ces tabular.Errors
		switch {
		case errors.As(err, &ces):
			errs = append(errs, ces...)
		case errors.As(err, &ce):
			if ce.Reason.IsFileLevel() {
				return err
			}
			errs = append(errs, ce)
		default:
			return err
		}
		return nil
	}
	for row, err := range rd.All() {
		if err != nil {
			if ferr := addErr(err); ferr != nil {
				return nil, ferr
			}
			continue
		}
		st, probs := gradebookStudentOf(row)
		errs = append(errs, probs...)
		key := strings.Join([]string{
			foldHeader(row.Value("truong")), foldHeader(row.Value("nam_hoc")), foldHeader(row.Value("hoc_ky")),
			foldHeader(row.Value("lop")), foldHeader(row.Value("mon_hoc")),
		}, "|")
		grp, ok := byKey[key]
		if !ok {
			g, gprobs := gradebookHeadOf(row)
			errs = append(errs, gprobs...)
			grp = &gbGroup{g: g, first: row, numbered: hasNo}
			byKey[key] = grp
			groups = append(groups, grp)
		} else {
			for _, f := range gbHeadFields() {
				if cleanText(row.Value(f)) != cleanText(grp.first.Value(f)) {
					errs = append(errs, row.Errorf(f, "differs from row %d of the same class, subject and term", grp.first.Number))
				}
			}
		}
		grp.g.Students = append(grp.g.Students, st)
		grp.rows = append(grp.rows, row)
	}
	if len(groups) == 0 && len(errs) == 0 {
		return nil, &tabular.CellError{File: name, Sheet: rd.Sheet(), Reason: tabular.ReasonNoRows}
	}
	if len(errs) > 0 {
		return nil, oneOrMany(errs)
	}
	out := make([]Gradebook, 0, len(groups))
	for _, grp := range groups {
		g := &grp.g
		if !grp.numbered {
			for i := range g.Students {
				g.Students[i].No = i + 1
			}
		}
		if g.RegularCount == 0 && g.Term != TermYear && len(g.Students) > 0 && cleanText(grp.first.Value(gbColRegular)) == "" {
			g.RegularCount = len(g.Students[0].Regular)
		}
		g.Normalize()
		if err := checkGradebook(g); err != nil {
			var v ValidationErrors
			if !errors.As(err, &v) {
				return nil, err
			}
			for _, fe := range v {
				errs = append(errs, locate(grp, fe))
			}
			continue
		}
		out = append(out, *g)
	}
	if len(errs) > 0 {
		return nil, oneOrMany(errs)
	}
	return out, nil
}

// oneOrMany returns a single problem as itself, several as tabular.Errors.
func oneOrMany(errs tabular.Errors) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errs
}

// headerFields returns the fields the sheet has a column for.
func headerFields(rd *tabular.Reader) map[string]bool {
	m := map[string]bool{}
	for _, h := range rd.Headers() {
		if h.Field != "" {
			m[h.Field] = true
		}
	}
	return m
}

// studentPath matches the field path of a student's problem,
// "hoc_sinh[3].ddgtx[2]".
var studentPath = regexp.MustCompile(`^hoc_sinh\[(\d+)\](?:\.([a-z_]+)(?:\[(\d+)\])?)?$`)

// locate turns a problem Validate or CheckArithmetic found in a gradebook
// read from a sheet into a CellError at the row and column it came from.
// Both count students from 1.
func locate(grp *gbGroup, fe *FieldError) *tabular.CellError {
	row := grp.first
	field := fe.Field
	if m := studentPath.FindStringSubmatch(fe.Field); m != nil {
		n, _ := strconv.Atoi(m[1])
		n--
		if n >= 0 && n < len(grp.rows) {
			row = grp.rows[n]
		}
		field = m[2]
		if field == "ddgtx" && m[3] != "" {
			field += m[3]
		} else if field == "ddgtx" {
			field = "ddgtx1"
		}
	}
	ce := row.Errorf(field, "%w", fe)
	ce.Detail = fe.Reason.String()
	if fe.Detail != "" {
		ce.Detail += " (" + fe.Detail + ")"
	}
	if ce.Column == "" && fe.Field != "" {
		ce.Detail = "field " + strconv.Quote(fe.Field) + ": " + ce.Detail
	}
	return ce
}

// gradebookHeadOf reads the gradebook's own fields from a row.
func gradebookHeadOf(row tabular.Row) (Gradebook, tabular.Errors) {
	var probs tabular.Errors
	g := Gradebook{
		Department:  row.Value("so_gddt"),
		School:      row.Value("truong"),
		SchoolYear:  row.Value("nam_hoc"),
		Term:        Term(row.Value("hoc_ky")),
		Class:       row.Value("lop"),
		Subject:     row.Value("mon_hoc"),
		SubjectKind: SubjectKind(row.Value("loai_mon")),
		Teacher:     row.Value("giao_vien"),
		Place:       row.Value("dia_danh"),
	}
	if v := cleanText(row.Value(gbColRegular)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			probs = append(probs, row.Errorf(gbColRegular, "is not a whole number"))
		} else {
			g.RegularCount = n
		}
	}
	d, err := row.Date(gbColSignDate)
	if err != nil {
		probs = append(probs, asCellError(err))
	} else {
		g.SignDate = Date{Year: d.Year, Month: d.Month, Day: d.Day}
	}
	return g, probs
}

// gradebookStudentOf reads one student's cells, reporting each mark that is
// neither a score from 0 to 10 with at most one decimal nor Đ / CĐ, and a
// date or number that does not read.
func gradebookStudentOf(row tabular.Row) (GradebookStudent, tabular.Errors) {
	var probs tabular.Errors
	s := GradebookStudent{ID: row.Value(gbColID), FullName: row.Value(gbColName)}
	if v := cleanText(row.Value(gbColNo)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			probs = append(probs, row.Errorf(gbColNo, "is not a whole number"))
		}
		s.No = n
	}
	if d, err := row.Date(gbColBirth); err != nil {
		probs = append(probs, asCellError(err))
	} else {
		s.DateOfBirth = Date{Year: d.Year, Month: d.Month, Day: d.Day}
	}
	mark := func(field string) Mark {
		v := cleanText(row.Value(field))
		if v == "" {
			return ""
		}
		if _, ok := ParseVerdict(v); !ok {
			if _, err := ParseScore(v); err != nil {
				probs = append(probs, row.Errorf(field, "is not a mark (a score 0–10 with at most one decimal, or Đ / CĐ): %w", err))
			}
		}
		return normalizeMark(Mark(v))
	}
	var regular []Mark
	for n := 1; n <= MaxRegularCount; n++ {
		regular = append(regular, mark("ddgtx"+strconv.Itoa(n)))
	}
	for len(regular) > 0 && regular[len(regular)-1] == "" {
		regular = regular[:len(regular)-1]
	}
	if len(regular) > 0 {
		s.Regular = regular
	}
	s.MidTerm, s.Final, s.TermAverage = mark(gbColMid), mark(gbColFinal), mark(gbColTermAvg)
	s.TermI, s.TermII, s.Year = mark(gbColTermI), mark(gbColTermII), mark(gbColYear)
	return s, probs
}

// asCellError returns the *tabular.CellError err is (Row.Date's errors are).
func asCellError(err error) *tabular.CellError {
	var ce *tabular.CellError
	if errors.As(err, &ce) {
		return ce
	}
	return &tabular.CellError{Reason: tabular.ReasonInvalidValue, Detail: err.Error(), Err: err}
}
