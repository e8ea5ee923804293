package templates

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/kyso-vn/kyso/tabular"
	"io"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxInputSize is the largest file ReadDiplomas accepts, in bytes.
const MaxInputSize = 32 << 20

// DiplomaRow is one valid record read from a file.
type DiplomaRow struct {
	// Row locates the record in the file, counted as FieldError.Row is.
	Row     int
	Diploma Diploma
}

// ReadDiplomas reads diplomas from a CSV or JSON file. name is used in error
// messages and, by its extension (.csv, .json), to pick the format; without
// either extension the content decides.
//
// CSV: UTF-8 (a byte order mark is allowed), separated by commas (or by
// semicolons or tabs, as Vietnamese-locale spreadsheets write them), with a
// header row naming the columns of DiplomaCSVColumns. Rows count as in a
// spreadsheet: the header is row 1. Rows whose cells are all blank are
// skipped.
//
// JSON: an array of objects, or an object {"diplomas": [...]}, whose members
// are the same names. Rows are the positions in the array, from 1.
//
// All text is normalised (see Diploma.Normalize) and every record validated
// (see Diploma.Validate). A serial or register number that repeats one of an
// earlier record is a problem of the later record.
//
// The result is one of:
//   - every record valid: all rows, and a nil error;
//   - some records invalid: the valid rows, and a ValidationErrors listing
//     every problem of the invalid ones (errors.Is(err, ErrInvalidRecord));
//   - the file as a whole unusable (too large, not UTF-8, malformed, columns
//     missing or unknown, no records, unreadable): no rows, and a *FieldError
//     or ValidationErrors matching errors.Is(err, ErrInvalidFile).
func ReadDiplomas(name string, r io.Reader) ([]DiplomaRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInputSize+1))
	if err != nil {
		return nil, &FieldError{File: name, Reason: ReasonUnreadable, Err: err}
	}
	if len(data) > MaxInputSize {
		return nil, &FieldError{File: name, Reason: ReasonTooLarge,
			Detail: fmt.Sprintf("more than %d MiB", MaxInputSize>>20)}
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return nil, &FieldError{File: name, Line: 1, Reason: ReasonNotUTF8,
			Detail: "the file is UTF-16; save it as UTF-8"}
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &FieldError{File: name, Reason: ReasonNoRecords}
	}
	var (
		raws []rawRecord
		ferr error
	)
	if strings.EqualFold(filepath.Ext(name), ".xlsx") {
		raws, ferr = readXLSX(name, data)
	} else if isJSON(name, data) {
		raws, ferr = readJSON(name, data)
	} else {
		raws, ferr = readCSV(name, data)
	}
	if ferr != nil {
		return nil, ferr
	}
	if len(raws) == 0 {
		return nil, &FieldError{File: name, Reason: ReasonNoRecords}
	}
	return buildRows(name, raws)
}

// readXLSX reads the first non-empty sheet of an Excel workbook through
// package tabular: headers as for CSV, text NFC, legacy Vietnamese
// encodings (TCVN3, VNI) refused with an explanation. Errors name the
// file, sheet, row and column.
func readXLSX(name string, data []byte) ([]rawRecord, error) {
	rd, err := tabular.Open(name, bytes.NewReader(data), int64(len(data)), tabular.Options{
		Format:   tabular.FormatXLSX,
		Required: DiplomaCSVColumns(),
		Match: func(h string) (string, bool) {
			if isRowNumberColumn(h) {
				return "", true
			}
			return headerField(h)
		},
	})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var out []rawRecord
	for row, err := range rd.All() {
		if err != nil {
			return nil, err
		}
		rr := rawRecord{row: row.Number, fields: map[string]string{}}
		for _, c := range row.Cells {
			if c.Field != "" {
				rr.fields[c.Field] = c.Value
			}
		}
		out = append(out, rr)
	}
	return out, nil
}

// rawRecord is one record before conversion: field name to text, plus the
// problems found while reading it.
type rawRecord struct {
	row    int
	fields map[string]string
	probs  []*FieldError
}

func isJSON(name string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return true
	case ".csv":
		return false
	}
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && (t[0] == '[' || t[0] == '{')
}

// notUTF8Detail explains a file that is not UTF-8.
func notUTF8Detail(b []byte) string {
	bad := b
	if len(bad) > 4 {
		bad = bad[:4]
	}
	return fmt.Sprintf("bytes % X are not UTF-8: the file looks saved in a legacy Vietnamese encoding "+
		"(Windows-1258, TCVN3/ABC or VNI); save it as UTF-8", bad)
}

// firstInvalid returns the offset of the first byte of data that is not part
// of valid UTF-8, or -1.
func firstInvalid(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

func lineAt(data []byte, off int) int {
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

// notUTF8File reports the first bytes of data that are not UTF-8 by line.
func notUTF8File(name string, data []byte) *FieldError {
	off := firstInvalid(data)
	return &FieldError{File: name, Line: lineAt(data, off), Reason: ReasonNotUTF8, Detail: notUTF8Detail(data[off:])}
}

// ---- CSV ----

// sniffComma picks the separator that splits the header line into the most
// cells: ',' (default), ';' or tab.
func sniffComma(data []byte) rune {
	line := data
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	counts := map[byte]int{}
	quoted := false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

func readCSV(name string, data []byte) ([]rawRecord, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffComma(data)
	cr.FieldsPerRecord = -1
	valid := utf8.Valid(data)

	syntax := func(err error) error {
		fe := &FieldError{File: name, Reason: ReasonMalformed, Err: err}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			fe.Line, fe.Err = pe.Line, pe.Err
		}
		if !valid {
			return notUTF8File(name, data)
		}
		return fe
	}

	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &FieldError{File: name, Reason: ReasonNoRecords}
		}
		return nil, syntax(err)
	}
	headerStart, headerEnd := recordLines(cr, header)
	if !valid {
		for _, h := range header {
			if !utf8.ValidString(h) {
				return nil, &FieldError{File: name, Row: headerStart, Reason: ReasonNotUTF8,
					Value: strings.ToValidUTF8(h, "\uFFFD"), Detail: notUTF8Detail([]byte(h[firstInvalid([]byte(h)):]))}
			}
		}
	}
	cols, herr := mapHeader(name, headerStart, header)
	if herr != nil {
		return nil, herr
	}
	// Rows count as in a spreadsheet: blank lines are rows, and a quoted
	// cell spanning several lines is one row. extra counts the lines so far
	// that were not rows of their own.
	extra := headerEnd - headerStart

	var out []rawRecord
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, syntax(err)
		}
		start, end := recordLines(cr, rec)
		row := start - extra
		extra += end - start

		if !valid {
			for i, v := range rec {
				if !utf8.ValidString(v) {
					fe := &FieldError{File: name, Row: row, Reason: ReasonNotUTF8,
						Value: strings.ToValidUTF8(v, "\uFFFD"), Detail: notUTF8Detail([]byte(v[firstInvalid([]byte(v)):]))}
					if i < len(cols) {
						fe.Field = cols[i]
					}
					return nil, fe
				}
			}
		}
		if allBlank(rec) {
			continue
		}
		rr := rawRecord{row: row, fields: map[string]string{}}
		if len(rec) != len(cols) {
			rr.probs = append(rr.probs, &FieldError{Reason: ReasonBadRecord,
				Detail: fmt.Sprintf("%d cells, want %d", len(rec), len(cols))})
		}
		for i, v := range rec {
			if i < len(cols) && cols[i] != ignoredColumn {
				rr.fields[cols[i]] = v
			}
		}
		out = append(out, rr)
	}
	if !valid {
		// Every cell was valid UTF-8, so the bad bytes sit outside cells.
		return nil, notUTF8File(name, data)
	}
	return out, nil
}

// recordLines returns the first and last line the record just read spans.
func recordLines(cr *csv.Reader, rec []string) (start, end int) {
	if len(rec) == 0 {
		return 0, 0
	}
	start, _ = cr.FieldPos(0)
	last, _ := cr.FieldPos(len(rec) - 1)
	return start, last + strings.Count(rec[len(rec)-1], "\n")
}

func allBlank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// mapHeader maps each header cell to its field, reporting unknown, repeated
// and missing columns.
func mapHeader(name string, row int, header []string) ([]string, error) {
	cols := make([]string, len(header))
	seen := map[string]bool{}
	var unknown, repeated []string
	for i, h := range header {
		if isRowNumberColumn(h) {
			cols[i] = ignoredColumn
			continue
		}
		f, ok := headerField(h)
		if !ok {
			unknown = append(unknown, cleanText(h))
			continue
		}
		if seen[f] {
			repeated = append(repeated, cleanText(h))
		}
		seen[f] = true
		cols[i] = f
	}
	var missing []string
	for _, c := range DiplomaCSVColumns() {
		if !seen[c] {
			missing = append(missing, c)
		}
	}
	var errs ValidationErrors
	if len(missing) > 0 {
		errs = append(errs, &FieldError{File: name, Row: row, Reason: ReasonMissingColumns, Columns: missing})
	}
	if len(unknown) > 0 {
		errs = append(errs, &FieldError{File: name, Row: row, Reason: ReasonUnknownColumns, Columns: unknown,
			Detail: "known columns: " + strings.Join(DiplomaCSVColumns(), ", ")})
	}
	if len(repeated) > 0 {
		errs = append(errs, &FieldError{File: name, Row: row, Reason: ReasonDuplicateColumn, Columns: repeated})
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return cols, nil
}

// ignoredColumn marks a column whose cells are read and dropped.
const ignoredColumn = ""

// isRowNumberColumn reports whether a heading names the row-number column
// ("STT", số thứ tự) that Vietnamese spreadsheets usually start with; it
// carries nothing to validate or print.
func isRowNumberColumn(h string) bool {
	switch foldHeader(h) {
	case "stt", "so_thu_tu", "tt":
		return true
	}
	return false
}

// foldHeader reduces a heading to lower-case ASCII words joined by "_":
// "Số vào sổ cấp bằng" becomes "so_vao_so_cap_bang", "Sở GD&ĐT" "so_gd_dt".
func foldHeader(s string) string {
	var b strings.Builder
	under := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		}
		r = unicode.ToLower(r)
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
			continue
		}
		under = true
	}
	return b.String()
}

// headerField maps a CSV heading to its field: the field name itself in any
// case, or a usual Vietnamese heading, with or without diacritics.
func headerField(h string) (string, bool) {
	switch foldHeader(h) {
	case "ho_ten", "ho_va_ten", "hoten":
		return FieldFullName, true
	case "ngay_sinh", "ngaysinh":
		return FieldDateOfBirth, true
	case "noi_sinh", "noisinh":
		return FieldPlaceOfBirth, true
	case "gioi_tinh", "gioitinh":
		return FieldGender, true
	case "dan_toc", "dantoc":
		return FieldEthnicity, true
	case "truong", "hoc_sinh_truong", "ten_truong":
		return FieldSchool, true
	case "nam_tot_nghiep", "nam_tn":
		return FieldGraduationYear, true
	case "so_gddt", "so_gd_dt", "so_giao_duc_va_dao_tao", "so_giao_duc_dao_tao":
		return FieldIssuingAuthority, true
	case "noi_cap":
		return FieldIssuePlace, true
	case "ngay_cap", "ngay_cap_bang":
		return FieldIssueDate, true
	case "so_hieu", "so_hieu_bang", "so_hieu_van_bang":
		return FieldSerial, true
	case "so_vao_so", "so_vao_so_cap_bang", "so_vao_so_goc":
		return FieldRegisterNumber, true
	case "chuc_danh_nguoi_ky", "chuc_danh", "chuc_vu_nguoi_ky", "chuc_vu":
		return FieldSignerTitle, true
	case "nguoi_ky", "ten_nguoi_ky", "ho_ten_nguoi_ky", "ho_va_ten_nguoi_ky":
		return FieldSignerName, true
	}
	return "", false
}

// ---- JSON ----

func readJSON(name string, data []byte) ([]rawRecord, error) {
	if !utf8.Valid(data) {
		// encoding/json would silently turn the bad bytes into U+FFFD.
		return nil, notUTF8File(name, data)
	}
	syntax := func(err error) error {
		fe := &FieldError{File: name, Reason: ReasonMalformed, Err: err}
		var se *json.SyntaxError
		if errors.As(err, &se) && se.Offset <= int64(len(data)) {
			fe.Line = lineAt(data, int(se.Offset))
		}
		return fe
	}
	var top json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&top); err != nil {
		return nil, syntax(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &FieldError{File: name, Reason: ReasonMalformed, Detail: "data after the top-level value"}
	}
	top = bytes.TrimSpace(top)
	var elems []json.RawMessage
	switch top[0] {
	case '[':
		if err := json.Unmarshal(top, &elems); err != nil {
			return nil, syntax(err)
		}
	case '{':
		var wrap map[string]json.RawMessage
		if err := json.Unmarshal(top, &wrap); err != nil {
			return nil, syntax(err)
		}
		list, ok := wrap["diplomas"]
		if !ok || len(wrap) != 1 {
			return nil, &FieldError{File: name, Reason: ReasonMalformed,
				Detail: `want an array, or an object whose only member is "diplomas"`}
		}
		if err := json.Unmarshal(list, &elems); err != nil {
			return nil, &FieldError{File: name, Reason: ReasonMalformed, Detail: `"diplomas" must be an array`}
		}
	default:
		return nil, &FieldError{File: name, Reason: ReasonMalformed,
			Detail: `want an array, or an object whose only member is "diplomas"`}
	}

	known := map[string]bool{}
	for _, c := range DiplomaCSVColumns() {
		known[c] = true
	}
	out := make([]rawRecord, 0, len(elems))
	for i, el := range elems {
		rr := rawRecord{row: i + 1, fields: map[string]string{}}
		var obj map[string]json.RawMessage
		el = bytes.TrimSpace(el)
		if len(el) == 0 || el[0] != '{' || json.Unmarshal(el, &obj) != nil {
			rr.probs = append(rr.probs, &FieldError{Reason: ReasonBadRecord, Detail: "want a JSON object"})
			out = append(out, rr)
			continue
		}
		for k, v := range obj {
			if !known[k] {
				rr.probs = append(rr.probs, &FieldError{Field: k, Reason: ReasonUnknownField})
				continue
			}
			s, ok := jsonText(k, v)
			if !ok {
				rr.probs = append(rr.probs, &FieldError{Field: k, Value: string(v), Reason: ReasonBadType,
					Detail: jsonTypeWant(k)})
				continue
			}
			rr.fields[k] = s
		}
		sortProblems(rr.probs)
		out = append(out, rr)
	}
	return out, nil
}

// jsonText returns a member's value as text: a string as is, null as "",
// and a number where a field may be written as one.
func jsonText(field string, v json.RawMessage) (string, bool) {
	v = bytes.TrimSpace(v)
	switch {
	case bytes.Equal(v, []byte("null")):
		return "", true
	case len(v) > 0 && v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", false
		}
		return s, true
	case len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9'):
		if field == FieldGraduationYear || field == FieldRegisterNumber {
			return string(v), true
		}
	}
	return "", false
}

func jsonTypeWant(field string) string {
	switch field {
	case FieldGraduationYear:
		return "want a number or a string"
	case FieldRegisterNumber:
		return "want a string or a number"
	}
	return "want a string"
}

// sortProblems orders a record's problems by the column order, so that
// messages do not depend on map iteration.
func sortProblems(p []*FieldError) {
	order := map[string]int{}
	for i, c := range DiplomaCSVColumns() {
		order[c] = i + 1
	}
	rank := func(e *FieldError) int {
		if e.Field == "" {
			return 0
		}
		if r, ok := order[e.Field]; ok {
			return r
		}
		return len(order) + 1
	}
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && (rank(p[j]) < rank(p[j-1]) ||
			rank(p[j]) == rank(p[j-1]) && p[j].Field < p[j-1].Field); j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

// ---- records to diplomas ----

func buildRows(name string, raws []rawRecord) ([]DiplomaRow, error) {
	var (
		rows      []DiplomaRow
		errs      ValidationErrors
		serials   = map[string]int{}
		registers = map[string]int{}
	)
	for _, rr := range raws {
		known := map[string]bool{} // fields already reported while reading
		for _, p := range rr.probs {
			known[p.Field] = true
		}
		var (
			d     Diploma
			probs []*FieldError
		)
		if known[""] {
			// The record as a whole is broken (wrong number of cells, not
			// an object): its fields would only repeat the problem.
			probs = rr.probs
		} else {
			d, probs = diplomaFromFields(rr.fields, known)
			probs = append(append([]*FieldError(nil), rr.probs...), probs...)
			sortProblems(probs)
		}
		bad := map[string]bool{}
		for _, p := range probs {
			bad[p.Field] = true
		}
		if !bad[""] && !bad[FieldSerial] {
			if first, dup := serials[d.Serial]; dup {
				probs = append(probs, &FieldError{Field: FieldSerial, Value: d.Serial, Reason: ReasonDuplicate,
					Detail: fmt.Sprintf("same as row %d", first)})
			} else {
				serials[d.Serial] = rr.row
			}
		}
		if !bad[""] && !bad[FieldRegisterNumber] {
			key := strings.ToUpper(d.RegisterNumber)
			if first, dup := registers[key]; dup {
				probs = append(probs, &FieldError{Field: FieldRegisterNumber, Value: d.RegisterNumber, Reason: ReasonDuplicate,
					Detail: fmt.Sprintf("same as row %d", first)})
			} else {
				registers[key] = rr.row
			}
		}
		if len(probs) > 0 {
			for _, p := range probs {
				p.File, p.Row = name, rr.row
			}
			errs = append(errs, probs...)
			continue
		}
		rows = append(rows, DiplomaRow{Row: rr.row, Diploma: d})
	}
	if len(errs) > 0 {
		return rows, errs
	}
	return rows, nil
}

// diplomaFromFields converts one record's text into a normalised Diploma and
// lists its problems, except for the fields in reported, whose problems are
// known already.
func diplomaFromFields(f map[string]string, reported map[string]bool) (Diploma, []*FieldError) {
	d := Diploma{
		FullName:         f[FieldFullName],
		PlaceOfBirth:     f[FieldPlaceOfBirth],
		Gender:           f[FieldGender],
		Ethnicity:        f[FieldEthnicity],
		School:           f[FieldSchool],
		IssuingAuthority: f[FieldIssuingAuthority],
		IssuePlace:       f[FieldIssuePlace],
		Serial:           f[FieldSerial],
		RegisterNumber:   f[FieldRegisterNumber],
		SignerTitle:      f[FieldSignerTitle],
		SignerName:       f[FieldSignerName],
	}
	d.Normalize()
	var probs []*FieldError
	skip := map[string]bool{}
	for k := range reported {
		skip[k] = true
	}
	for _, x := range []struct {
		field string
		dst   *Date
	}{{FieldDateOfBirth, &d.DateOfBirth}, {FieldIssueDate, &d.IssueDate}} {
		raw := cleanText(f[x.field])
		if raw == "" || skip[x.field] {
			continue // reported as required by problems
		}
		v, why := parseDate(raw)
		if why != "" {
			probs = append(probs, &FieldError{Field: x.field, Value: raw, Reason: ReasonNotDate, Detail: why, Err: ErrNotDate})
			skip[x.field] = true
			continue
		}
		*x.dst = v
	}
	if raw := cleanText(f[FieldGraduationYear]); raw != "" && !skip[FieldGraduationYear] {
		y, ok := digits(raw)
		if !ok {
			probs = append(probs, &FieldError{Field: FieldGraduationYear, Value: raw, Reason: ReasonBadNumber, Detail: "want a year such as 2024"})
			skip[FieldGraduationYear] = true
		} else {
			d.GraduationYear = y
		}
	}
	probs = append(probs, d.problems(skip)...)
	sortProblems(probs)
	return d, probs
}
