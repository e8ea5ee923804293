package tabular

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Format is the kind of file a Reader reads.
type Format int

// Formats. FormatAuto decides by the file name's extension, then by the
// content.
const (
	FormatAuto Format = iota
	FormatCSV
	FormatXLSX
)

// Limits that apply unless Options sets others.
const (
	// DefaultMaxSize is the largest file read, in bytes.
	DefaultMaxSize = 64 << 20
	// DefaultMaxUnpackedSize bounds the total size of the parts of an
	// .xlsx once unzipped: the defence against zip bombs.
	DefaultMaxUnpackedSize = 256 << 20
	// DefaultMaxPartInMemory is the largest .xlsx part (worksheet, shared
	// strings) unzipped into memory; larger ones go to a temporary file
	// and are streamed from there.
	DefaultMaxPartInMemory = 1 << 20
	// DefaultDetectRows is the number of data rows read ahead to find the
	// header row and recognise legacy encodings.
	DefaultDetectRows = 200
)

const (
	maxHeaderSearch = 20    // non-empty rows looked at for the header
	maxCellRunes    = 32767 // Excel's limit on the length of a cell
	maxColumns      = 16384 // Excel's limit on the number of columns (XFD)
)

// Options controls a Reader. The zero value reads the first non-empty
// sheet, finds the header row itself, accepts every heading (as its
// FoldHeader), and refuses legacy encodings.
type Options struct {
	// Format forces a format; by default the name and content decide.
	Format Format
	// Sheet names the worksheet to read (.xlsx). Empty: the first visible
	// sheet that has data.
	Sheet string
	// HeaderRow is the row number of the header, as the spreadsheet shows
	// it. 0: the first of the first 20 non-empty rows in which Match
	// recognises the most headings; title rows above it are skipped. With
	// no Match, the first row with two or more non-empty cells.
	HeaderRow int
	// Match maps headings to field names. nil: every heading is accepted,
	// as its FoldHeader.
	Match HeaderMatcher
	// Required lists fields that must have a column.
	Required []string
	// AllowUnknownColumns keeps reading when Match does not know a
	// heading; the column's cells come with an empty Field. By default an
	// unknown heading is an error, so that a misspelt heading is not
	// silently dropped.
	AllowUnknownColumns bool
	// ConvertLegacy converts text found in TCVN3, VNI or Windows-1258 to
	// Unicode and reports it in Warnings; by default such text is an
	// error that says what it is and how to convert it.
	ConvertLegacy bool
	// RawValues reads .xlsx cells as stored rather than as displayed:
	// numbers unrounded ("7.3666666666666671" rather than "7.4"), dates as
	// serial day numbers (see ParseDate). By default cells read as the
	// spreadsheet shows them, with the short date format as dd/mm/yyyy.
	RawValues bool
	// MaxSize, MaxUnpackedSize and MaxPartInMemory override the Default
	// limits of the same names when positive.
	MaxSize, MaxUnpackedSize, MaxPartInMemory int64
	// TempDir is where large .xlsx parts are unzipped (os.TempDir when
	// empty). The files hold the sheet's data and are removed by Close.
	TempDir string
	// DetectRows overrides DefaultDetectRows when positive.
	DetectRows int
}

func (o Options) withDefaults() Options {
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.MaxUnpackedSize <= 0 {
		o.MaxUnpackedSize = DefaultMaxUnpackedSize
	}
	if o.MaxPartInMemory <= 0 {
		o.MaxPartInMemory = DefaultMaxPartInMemory
	}
	o.MaxPartInMemory = min(o.MaxPartInMemory, o.MaxUnpackedSize)
	if o.DetectRows <= 0 {
		o.DetectRows = DefaultDetectRows
	}
	return o
}

// Header is one column of the header row.
type Header struct {
	Column string // letter, "A"
	Index  int    // 0-based
	// Text is the heading, NFC, converted if it was in a legacy encoding.
	Text string
	// Field is what Match made of Text; empty for an ignored or unknown
	// column.
	Field string
}

// Cell is one value of a data row, with what locates it.
type Cell struct {
	Column string // letter, "F"
	Index  int    // 0-based
	Header string // the column's heading
	Field  string // the column's field; empty when ignored
	// Value is the text, NFC, without surrounding white space, converted
	// if it was in a legacy encoding (Options.ConvertLegacy).
	Value string
}

// Row is one non-blank row below the header, with a Cell for each column
// that has a heading, in column order.
type Row struct {
	File   string
	Sheet  string // empty for CSV
	Number int    // the row number the spreadsheet shows, from 1
	Cells  []Cell

	date1904 bool
}

// Cell returns the row's cell for field.
func (r Row) Cell(field string) (Cell, bool) {
	for _, c := range r.Cells {
		if c.Field == field && field != "" {
			return c, true
		}
	}
	return Cell{}, false
}

// Value returns the text of the row's cell for field, or "" when the row
// has no such column.
func (r Row) Value(field string) string {
	c, _ := r.Cell(field)
	return c.Value
}

// Errorf reports a problem with the value of field in this row, for
// callers whose own parsing failed. The message is format and args as for
// fmt.Errorf (%w wraps, so errors.Is sees the caller's sentinel), after the
// location and the value:
//
//	row.Errorf("giua_ky", "is not a score: %w", err)
//	// diem.xlsx sheet "10A1" row 14 column F ("Giữa kỳ"): "8,5a" is not a score: ...
func (r Row) Errorf(field, format string, args ...any) *CellError {
	err := fmt.Errorf(format, args...)
	e := &CellError{File: r.File, Sheet: r.Sheet, Row: r.Number, Reason: ReasonInvalidValue,
		Detail: err.Error(), Err: err}
	if c, ok := r.Cell(field); ok {
		e.Column, e.Header, e.Value = c.Column, c.Header, c.Value
	}
	return e
}

// Date parses the value of field with ParseDate, in the workbook's date
// system. A blank cell gives the zero Date and no error.
func (r Row) Date(field string) (Date, error) {
	v := r.Value(field)
	if v == "" {
		return Date{}, nil
	}
	d, err := ParseDate(v, r.date1904)
	if err != nil {
		e := r.Errorf(field, "is %w", err)
		e.Reason = ReasonNotDate
		return Date{}, e
	}
	return d, nil
}

// Warning reports text that was converted from a legacy encoding.
type Warning struct {
	File, Sheet string
	// Column and Header name the column; both are empty when the whole
	// file was in the encoding (a CSV saved by old software).
	Column, Header string
	// Row is where Example was found.
	Row      int
	Encoding Encoding
	// Example is a word as the file had it and Converted what it became.
	// Both may be personal data.
	Example, Converted string
}

// String formats the warning for the person who supplied the file.
func (w Warning) String() string {
	e := CellError{File: w.File, Sheet: w.Sheet, Column: w.Column, Header: w.Header}
	return fmt.Sprintf("%sconverted from %s, e.g. %q → %q", e.where(), w.Encoding, w.Example, w.Converted)
}

// rawRow is a row as a source delivers it.
type rawRow struct {
	num   int
	cells []string
}

func (r rawRow) blank() bool {
	for _, c := range r.cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// source delivers the rows of one sheet in order, blank ones included.
type source interface {
	next() (rawRow, error) // io.EOF after the last row
	close() error
}

// merge is a merged cell range, 1-based and inclusive.
type merge struct {
	ref                    string
	col1, row1, col2, row2 int
}

// column is what the Reader knows of one column.
type column struct {
	Header
	empty   bool // no heading
	ignored bool
	ev      *evidence
	verdict verdict
	codec   int // index into Reader.codecs when verdict is legacy
	warned  bool
}

// Reader reads the rows of one sheet of a spreadsheet or CSV file, one at a
// time: it never holds more than the rows it reads ahead to find the header
// and the encoding (Options.DetectRows).
type Reader struct {
	name  string
	opts  Options
	src   source
	sheet string

	date1904  bool
	merges    []merge
	headerRow int
	cols      []column
	codecs    []codec

	raw      bool // a CSV whose bytes are not UTF-8: every cell is in rawCodec
	rawCodec codec

	sheetVerdict verdict
	sheetCodec   int

	ahead    []rawRow
	warnings []Warning
	err      error // sticky: a file-level problem, or Close
}

// Open reads a spreadsheet from r, which holds size bytes. name is used in
// error messages and, by its extension (.xlsx, .xlsm, .csv, .tsv, .txt),
// to tell the format; without one the content decides. It reads the header
// row and the rows it reads ahead; problems with the file as a whole come
// back here, as a *CellError or Errors matching ErrInvalidFile.
//
// Close the Reader when done: an .xlsx may have temporary files.
func Open(name string, r io.ReaderAt, size int64, opts Options) (*Reader, error) {
	return open(name, r, size, "", opts)
}

// OpenFile opens the file at path, as Open; the file name is used in
// messages.
func OpenFile(path string, opts Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &CellError{File: filepath.Base(path), Reason: ReasonUnreadable, Err: err}
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, &CellError{File: filepath.Base(path), Reason: ReasonUnreadable, Err: err}
	}
	rd, err := open(filepath.Base(path), f, st.Size(), path, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	rd.src = closeAlso{rd.src, f}
	return rd, nil
}

// OpenReader reads a spreadsheet from a stream, as Open. A CSV is read as
// it streams; an .xlsx, being a zip file, is read into memory first (up to
// Options.MaxSize).
func OpenReader(name string, r io.Reader, opts Options) (*Reader, error) {
	o := opts.withDefaults()
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(8)
	format, ferr := detectFormat(name, magic, o.Format)
	if ferr != nil {
		return nil, ferr
	}
	if format == FormatCSV {
		rd := &Reader{name: name, opts: o}
		src, err := newCSVSource(name, br, o)
		if err != nil {
			return nil, err
		}
		rd.src = src
		if err := rd.start(); err != nil {
			rd.src.close()
			return nil, err
		}
		return rd, nil
	}
	data, err := io.ReadAll(io.LimitReader(br, o.MaxSize+1))
	if err != nil {
		return nil, &CellError{File: name, Reason: ReasonUnreadable, Err: err}
	}
	if int64(len(data)) > o.MaxSize {
		return nil, tooLarge(name, o.MaxSize)
	}
	o.Format = FormatXLSX
	return open(name, bytes.NewReader(data), int64(len(data)), "", o)
}

type closeAlso struct {
	source
	c io.Closer
}

func (c closeAlso) close() error {
	err := c.source.close()
	if cerr := c.c.Close(); err == nil {
		err = cerr
	}
	return err
}

func tooLarge(name string, limit int64) *CellError {
	return &CellError{File: name, Reason: ReasonTooLarge, Detail: fmt.Sprintf("is larger than %d MiB", limit>>20)}
}

// The first bytes of a zip archive (.xlsx) and of an OLE compound file
// (.xls, or an encrypted .xlsx).
const (
	zipMagic = "PK\x03\x04"
	oleMagic = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
)

// detectFormat decides the format from the name and the first bytes.
func detectFormat(name string, magic []byte, forced Format) (Format, error) {
	if bytes.HasPrefix(magic, []byte(oleMagic)) {
		// Excel 97–2003 .xls, or an .xlsx encrypted with a password: both
		// are OLE compound files.
		return 0, &CellError{File: name, Reason: ReasonUnsupported,
			Detail: "is an Excel 97–2003 workbook (.xls) or a password-protected one: " +
				"save it in Excel as \"Excel Workbook (.xlsx)\" without a password"}
	}
	if forced != FormatAuto {
		return forced, nil
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		return FormatXLSX, nil
	case ".csv", ".tsv", ".txt":
		return FormatCSV, nil
	case ".xls":
		return 0, &CellError{File: name, Reason: ReasonUnsupported,
			Detail: "is an Excel 97–2003 workbook (.xls): save it in Excel as \"Excel Workbook (.xlsx)\""}
	case ".ods":
		return 0, &CellError{File: name, Reason: ReasonUnsupported,
			Detail: "is an OpenDocument spreadsheet: save it as .xlsx or CSV UTF-8"}
	}
	if bytes.HasPrefix(magic, []byte(zipMagic)) {
		return FormatXLSX, nil
	}
	return FormatCSV, nil
}

func open(name string, r io.ReaderAt, size int64, path string, opts Options) (*Reader, error) {
	o := opts.withDefaults()
	if size > o.MaxSize {
		return nil, tooLarge(name, o.MaxSize)
	}
	magic := make([]byte, 8)
	n, err := r.ReadAt(magic, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, &CellError{File: name, Reason: ReasonUnreadable, Err: err}
	}
	format, ferr := detectFormat(name, magic[:n], o.Format)
	if ferr != nil {
		return nil, ferr
	}
	rd := &Reader{name: name, opts: o}
	switch format {
	case FormatXLSX:
		if err := rd.openXLSX(r, size, path); err != nil {
			return nil, err
		}
	default:
		src, err := newCSVSource(name, io.NewSectionReader(r, 0, size), o)
		if err != nil {
			return nil, err
		}
		rd.src = src
	}
	if err := rd.start(); err != nil {
		rd.src.close()
		return nil, err
	}
	return rd, nil
}

// Sheet returns the name of the worksheet being read; empty for CSV.
func (r *Reader) Sheet() string { return r.sheet }

// HeaderRow returns the row number of the header row.
func (r *Reader) HeaderRow() int { return r.headerRow }

// Headers returns the columns that have a heading, in order.
func (r *Reader) Headers() []Header {
	var hs []Header
	for _, c := range r.cols {
		if !c.empty {
			hs = append(hs, c.Header)
		}
	}
	return hs
}

// Warnings returns the legacy-encoding conversions made so far (see
// Options.ConvertLegacy). A column converted from row 1 is reported by Open;
// one whose first legacy text comes later is reported when that row is read.
func (r *Reader) Warnings() []Warning {
	return append([]Warning(nil), r.warnings...)
}

// Close releases the file and any temporary files. It is safe to call more
// than once.
func (r *Reader) Close() error {
	if r.src == nil {
		return nil
	}
	err := r.src.close()
	r.src = nil
	if r.err == nil {
		r.err = errors.New("tabular: reader closed")
	}
	return err
}

// Next returns the next non-blank row. At the end it returns io.EOF. A
// problem with one row (ErrInvalidRow) skips that row: Next may be called
// again for the following ones. A problem with the file (ErrInvalidFile)
// is returned again by every later call.
func (r *Reader) Next() (Row, error) {
	if r.err != nil {
		return Row{}, r.err
	}
	for {
		var raw rawRow
		if len(r.ahead) > 0 {
			raw, r.ahead[0] = r.ahead[0], rawRow{}
			r.ahead = r.ahead[1:]
		} else {
			var err error
			raw, err = r.src.next()
			if errors.Is(err, io.EOF) {
				return Row{}, io.EOF
			}
			if err != nil {
				r.err = err
				return Row{}, err
			}
		}
		if raw.blank() {
			continue
		}
		row, err := r.build(raw)
		if err != nil {
			var ce *CellError
			if errors.As(err, &ce) && ce.Reason.IsFileLevel() {
				r.err = err
			}
			return Row{}, err
		}
		return row, nil
	}
}

// All iterates over the rows as Next returns them, stopping at the end or
// after a problem with the file; after a problem with a row it goes on if
// the loop does.
func (r *Reader) All() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for {
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if !yield(row, err) || err != nil && !errors.Is(err, ErrInvalidRow) {
				return
			}
		}
	}
}

// start finds the header row, reads ahead, recognises encodings and maps
// the headings.
func (r *Reader) start() error {
	header, err := r.findHeader()
	if err != nil {
		return err
	}
	r.headerRow = header.num
	for len(r.ahead) < r.opts.DetectRows {
		row, err := r.src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if !row.blank() {
			r.ahead = append(r.ahead, row)
		}
	}
	if err := r.checkMerges(); err != nil {
		return err
	}
	if err := r.detect(header); err != nil {
		return err
	}
	if err := r.mapHeader(header); err != nil {
		return err
	}
	if len(r.ahead) == 0 {
		return &CellError{File: r.name, Sheet: r.sheet, Row: r.headerRow, Reason: ReasonNoRows,
			Detail: "has a header row but no data rows below it"}
	}
	return nil
}

// findHeader reads the rows up to and including the header row; the
// non-empty rows read after it go to r.ahead.
func (r *Reader) findHeader() (rawRow, error) {
	var cand []rawRow
	for len(cand) < maxHeaderSearch {
		row, err := r.src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rawRow{}, err
		}
		if want := r.opts.HeaderRow; want > 0 {
			switch {
			case row.num < want:
				continue
			case row.num > want || row.blank():
				return rawRow{}, &CellError{File: r.name, Sheet: r.sheet, Row: want, Reason: ReasonEmpty,
					Detail: "is the header row, but it is empty"}
			}
			return row, nil
		}
		if !row.blank() {
			cand = append(cand, row)
			if r.opts.Match == nil && nonBlank(row.cells) >= 2 {
				break // the rule without a matcher needs no more rows
			}
		}
	}
	if r.opts.HeaderRow > 0 {
		return rawRow{}, &CellError{File: r.name, Sheet: r.sheet, Row: r.opts.HeaderRow, Reason: ReasonEmpty,
			Detail: fmt.Sprintf("has no row %d for the header", r.opts.HeaderRow)}
	}
	if len(cand) == 0 {
		e := &CellError{File: r.name, Sheet: r.sheet, Reason: ReasonEmpty}
		if r.sheet != "" {
			e.Detail = "is empty: put the headings in the first row and the data below them"
		}
		return rawRow{}, e
	}
	pick := -1
	if r.opts.Match != nil {
		best := 0
		for i, row := range cand {
			if n := r.recognised(row); n > best {
				pick, best = i, n
			}
		}
	}
	if pick < 0 {
		pick = 0
		for i, row := range cand {
			if nonBlank(row.cells) >= 2 {
				pick = i
				break
			}
		}
	}
	r.ahead = append(r.ahead, cand[pick+1:]...)
	return cand[pick], nil
}

func nonBlank(cells []string) int {
	n := 0
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

// recognised counts the cells of row that Match knows, read as they are or
// in any legacy encoding.
func (r *Reader) recognised(row rawRow) int {
	n := 0
	for _, c := range row.cells {
		readings := []string{c}
		codecs := textCodecs()
		if !utf8.ValidString(c) {
			codecs = rawCodecs()
			readings = nil
		}
		for _, cd := range codecs {
			if d, ok := cd.decode(c); ok {
				readings = append(readings, d)
			}
		}
		for _, s := range readings {
			if _, ok := r.opts.Match(cleanText(s)); ok {
				n++
				break
			}
		}
	}
	return n
}

// cleanText normalises a cell's text: NFC, without surrounding white space.
func cleanText(s string) string {
	return strings.TrimSpace(norm.NFC.String(s))
}

// checkMerges refuses merged cells in the header row.
func (r *Reader) checkMerges() error {
	for _, m := range r.merges {
		if m.row1 > r.headerRow || m.row2 < r.headerRow {
			continue
		}
		return &CellError{File: r.name, Sheet: r.sheet, Row: r.headerRow, Range: m.ref,
			Column: ColumnLetter(m.col1 - 1), Reason: ReasonMergedHeader,
			Detail: "are merged in the header row; kyso reads one header row with one heading per column: " +
				"unmerge the cells (Home → Merge & Center) and give every column its own heading, " +
				"e.g. \"Giữa kỳ\" and \"Cuối kỳ\" rather than \"Điểm\" over both"}
	}
	return nil
}

// detect recognises legacy encodings in the header row and the rows read
// ahead: per file for a CSV that is not UTF-8, per column otherwise.
func (r *Reader) detect(header rawRow) error {
	rows := append([]rawRow{header}, r.ahead...)
	// A file is read as legacy bytes when its invalid bytes outnumber its
	// valid multi-byte characters; a UTF-8 file with a damaged cell stays
	// UTF-8, and the damaged cell is reported on its own row.
	var invalid, multibyte int
	for _, row := range rows {
		for _, c := range row.cells {
			for i := 0; i < len(c); {
				rn, n := utf8.DecodeRuneInString(c[i:])
				switch {
				case rn == utf8.RuneError && n <= 1:
					invalid++
				case n > 1:
					multibyte++
				}
				i += n
			}
		}
	}
	r.raw = invalid > 0 && invalid >= multibyte
	r.codecs = textCodecs()
	if r.raw {
		r.codecs = rawCodecs()
	}
	width := len(header.cells)
	for width > 0 && strings.TrimSpace(header.cells[width-1]) == "" {
		width--
	}
	r.cols = make([]column, width)
	sheet := newEvidence(r.raw, len(r.codecs))
	firstBad := [2]int{} // row, column+1 of the first cell that is not UTF-8
	for i := range r.cols {
		r.cols[i].Index, r.cols[i].Column = i, ColumnLetter(i)
		r.cols[i].ev = newEvidence(r.raw, len(r.codecs))
	}
	for _, row := range rows {
		for i, c := range row.cells {
			if firstBad[0] == 0 && !utf8.ValidString(c) {
				firstBad = [2]int{row.num, i + 1}
			}
			if i < width {
				r.cols[i].ev.add(c, row.num, i, r.codecs)
			}
		}
	}
	for i := range r.cols {
		sheet.merge(r.cols[i].ev)
	}
	r.sheetVerdict, r.sheetCodec = sheet.decide(r.codecs)

	if r.raw {
		return r.detectRaw(sheet, firstBad, header)
	}
	var errs []*CellError
	for i := range r.cols {
		c := &r.cols[i]
		c.verdict, c.codec = c.ev.decide(r.codecs)
		weak := c.ev.words < 3 && c.ev.words > 0
		if weak && c.verdict != legacy && r.sheetVerdict == legacy && c.ev.hits[r.sheetCodec] >= c.ev.asIs {
			c.verdict, c.codec = legacy, r.sheetCodec
		}
		if c.verdict == ambiguous && r.sheetVerdict == legacy && c.ev.hits[r.sheetCodec] == c.ev.hits[c.codec] {
			c.verdict, c.codec = legacy, r.sheetCodec
		}
		if c.verdict == plain && weak {
			// Too little text to be sure: keep judging cell by cell.
			c.verdict = undecided
		}
		if c.verdict != legacy && c.verdict != ambiguous {
			continue
		}
		heading := cleanText(header.cells[i])
		if d, ok := r.decodeWith(header.cells[i], c.codec); ok {
			heading = d
		}
		ex := c.ev.ex[c.codec]
		if c.verdict == ambiguous || !r.opts.ConvertLegacy {
			errs = append(errs, r.legacyError(c, heading, ex, c.verdict == ambiguous))
			continue
		}
		c.warned = true
		r.warnings = append(r.warnings, Warning{File: r.name, Sheet: r.sheet, Column: c.Column, Header: heading,
			Row: ex.row, Encoding: r.codecs[c.codec].enc, Example: ex.from, Converted: ex.to})
	}
	return joinErrors(errs)
}

func (r *Reader) decodeWith(s string, codec int) (string, bool) {
	d, ok := convertCell(s, r.codecs[codec], r.raw)
	if !ok {
		return "", false
	}
	return strings.TrimSpace(d), true
}

// detectRaw decides the encoding of a CSV file that is not UTF-8.
func (r *Reader) detectRaw(sheet *evidence, firstBad [2]int, header rawRow) error {
	switch r.sheetVerdict {
	case legacy:
		c := r.codecs[r.sheetCodec]
		ex := sheet.ex[r.sheetCodec]
		if !r.opts.ConvertLegacy {
			return r.legacyError(nil, r.rawHeading(header, ex.col, c), ex, false)
		}
		r.rawCodec = c
		r.warnings = append(r.warnings, Warning{File: r.name, Row: ex.row, Encoding: c.enc,
			Example: ex.from, Converted: ex.to})
		// The warning is about the whole file: no column.
		return nil
	case ambiguous:
		ex := sheet.ex[r.sheetCodec]
		return r.legacyError(nil, r.rawHeading(header, ex.col, r.codecs[r.sheetCodec]), ex, true)
	}
	e := &CellError{File: r.name, Row: firstBad[0], Column: ColumnLetter(firstBad[1] - 1),
		Reason: ReasonUnknownEncoding,
		Detail: "is not UTF-8 text, nor Vietnamese in TCVN3, VNI or Windows-1258: save the file as \"CSV UTF-8\""}
	if i := firstBad[1] - 1; i >= 0 && i < len(header.cells) {
		e.Header = cleanText(asIs(header.cells[i], !utf8.ValidString(header.cells[i])))
	}
	return e
}

// rawHeading reads the heading of column i of a file in codec c.
func (r *Reader) rawHeading(header rawRow, i int, c codec) string {
	if i < 0 || i >= len(header.cells) {
		return ""
	}
	if d, ok := convertCell(header.cells[i], c, true); ok {
		return strings.TrimSpace(d)
	}
	return cleanText(asIs(header.cells[i], true))
}

// legacyError explains text found in a legacy encoding, in column col, or
// in the whole file when col is nil (the example then says where).
func (r *Reader) legacyError(col *column, header string, ex example, ambiguous bool) *CellError {
	e := &CellError{File: r.name, Sheet: r.sheet, Row: ex.row, Reason: ReasonLegacyEncoding}
	var enc Encoding
	subject := "looks like "
	if col != nil {
		e.Column, e.Header = col.Column, header
		enc = r.codecs[col.codec].enc
	} else {
		e.Column, e.Header = ColumnLetter(ex.col), header
		enc = r.codecs[r.sheetCodec].enc
		subject = "the file looks like "
	}
	e.Encoding = enc
	what := subject + enc.String() + " text"
	if ambiguous {
		what = subject + "text in a legacy Vietnamese encoding (TCVN3 or VNI, it is not clear which)"
	}
	if ex.from != "" {
		what += fmt.Sprintf(", e.g. %q = %q", ex.from, ex.to)
	}
	switch {
	case ambiguous:
		e.Detail = what + "; convert it to Unicode with Unikey (Công cụ → Chuyển mã), choosing the encoding the text was typed in"
	case enc == Windows1258:
		e.Detail = what + "; save the file as \"CSV UTF-8\", or import it with legacy conversion (--convert-legacy)"
	default:
		e.Detail = what + fmt.Sprintf("; convert it to Unicode (Unikey: Công cụ → Chuyển mã, from %s to Unicode) "+
			"or import it with legacy conversion (--convert-legacy)", enc)
	}
	return e
}

// mapHeader matches the headings to fields.
func (r *Reader) mapHeader(header rawRow) error {
	var (
		unknown, repeated []string
		seen              = map[string]bool{}
		errs              []*CellError
	)
	for i := range r.cols {
		c := &r.cols[i]
		text, err := r.headingText(i, header.cells[i], header.num)
		if err != nil {
			return err
		}
		c.Text = text
		if text == "" {
			c.empty = true
			continue
		}
		field, ok := FoldHeader(text), true
		if r.opts.Match != nil {
			field, ok = r.opts.Match(text)
		}
		switch {
		case !ok && r.opts.AllowUnknownColumns:
			c.ignored = true
		case !ok:
			unknown = append(unknown, text)
		case field == "":
			c.ignored = true
		case seen[field]:
			repeated = append(repeated, text)
		default:
			seen[field] = true
			c.Field = field
		}
	}
	var missing []string
	for _, f := range r.opts.Required {
		if !seen[f] {
			missing = append(missing, f)
		}
	}
	at := func(reason Reason, cols []string) *CellError {
		return &CellError{File: r.name, Sheet: r.sheet, Row: r.headerRow, Reason: reason, Columns: cols}
	}
	if len(missing) > 0 {
		errs = append(errs, at(ReasonMissingColumns, missing))
	}
	if len(unknown) > 0 {
		errs = append(errs, at(ReasonUnknownColumns, unknown))
	}
	if len(repeated) > 0 {
		errs = append(errs, at(ReasonDuplicateColumn, repeated))
	}
	return joinErrors(errs)
}

// headingText converts the heading of column i. Headings are often retyped
// in Unicode above legacy data, and a short heading can read as Vietnamese
// both ways ("Ghi chú" as it is, "Ghi chỳ" as TCVN3): when Match recognises
// the heading only as it stands, it stands.
func (r *Reader) headingText(i int, s string, num int) (string, error) {
	text, err := r.cellText(i, s, num)
	if err != nil || r.opts.Match == nil || r.raw || !utf8.ValidString(s) {
		return text, err
	}
	plain := cleanText(s)
	if plain == text {
		return text, nil
	}
	if _, ok := r.opts.Match(text); ok {
		return text, nil
	}
	if _, ok := r.opts.Match(plain); ok {
		return plain, nil
	}
	return text, nil
}

// build turns a raw data row into a Row.
func (r *Reader) build(raw rawRow) (Row, error) {
	for i := len(r.cols); i < len(raw.cells); i++ {
		if strings.TrimSpace(raw.cells[i]) != "" {
			return Row{}, &CellError{File: r.name, Sheet: r.sheet, Row: raw.num, Column: ColumnLetter(i),
				Value: r.shown(raw.cells[i]), Reason: ReasonNoHeader,
				Detail: "is in a column without a heading: give the column a heading or delete the value"}
		}
	}
	row := Row{File: r.name, Sheet: r.sheet, Number: raw.num, date1904: r.date1904,
		Cells: make([]Cell, 0, len(r.cols))}
	for i := range r.cols {
		c := &r.cols[i]
		var v string
		if i < len(raw.cells) {
			v = raw.cells[i]
		}
		if c.empty {
			if strings.TrimSpace(v) != "" {
				return Row{}, &CellError{File: r.name, Sheet: r.sheet, Row: raw.num, Column: c.Column,
					Value: r.shown(v), Reason: ReasonNoHeader,
					Detail: "is in a column without a heading: give the column a heading or delete the value"}
			}
			continue
		}
		text, err := r.cellText(i, v, raw.num)
		if err != nil {
			return Row{}, err
		}
		row.Cells = append(row.Cells, Cell{Column: c.Column, Index: i, Header: c.Text, Field: c.Field, Value: text})
	}
	return row, nil
}

// shown is a cell's text fit for a message: valid UTF-8 whatever the file.
func (r *Reader) shown(s string) string {
	if r.raw {
		if d, ok := convertCell(s, r.rawCodec, true); ok && r.rawCodec.enc != Unicode {
			return strings.TrimSpace(d)
		}
		return cleanText(asIs(s, true))
	}
	return cleanText(strings.ToValidUTF8(s, "\uFFFD"))
}

// cellText converts the raw text of column i in row num.
func (r *Reader) cellText(i int, s string, num int) (string, error) {
	c := &r.cols[i]
	var out string
	switch {
	case r.raw:
		d, ok := convertCell(s, r.rawCodec, true)
		if !ok {
			return "", &CellError{File: r.name, Row: num, Column: c.Column, Header: c.Text,
				Value: cleanText(asIs(s, true)), Reason: ReasonNotUTF8,
				Detail: "cannot be read as " + r.rawCodec.enc.String()}
		}
		out = d
	case !utf8.ValidString(s):
		return "", &CellError{File: r.name, Sheet: r.sheet, Row: num, Column: c.Column, Header: c.Text,
			Value: cleanText(strings.ToValidUTF8(s, "\uFFFD")), Reason: ReasonNotUTF8,
			Detail: fmt.Sprintf("is not UTF-8 (bytes % X): save the file as \"CSV UTF-8\"", firstBadBytes(s))}
	case c.verdict == legacy:
		out, _ = convertCell(s, r.codecs[c.codec], false)
	case c.verdict == undecided:
		var err error
		if out, err = r.undecidedCell(c, s, num); err != nil {
			return "", err
		}
	default:
		out = norm.NFC.String(s)
	}
	out = strings.TrimSpace(out)
	if utf8.RuneCountInString(out) > maxCellRunes {
		return "", &CellError{File: r.name, Sheet: r.sheet, Row: num, Column: c.Column, Header: c.Text,
			Reason: ReasonTooLong, Detail: fmt.Sprintf("is longer than %d characters", maxCellRunes)}
	}
	return out, nil
}

// undecidedCell reads a cell of a column that had no text to judge in the
// rows read ahead. The cell is judged on its own, strictly, or by the
// encoding the rest of the sheet is in. Finding legacy text makes the
// column legacy from here on (or, without ConvertLegacy, fails the file).
func (r *Reader) undecidedCell(c *column, s string, num int) (string, error) {
	if !hasLegacyByte(s) {
		return norm.NFC.String(s), nil
	}
	ev := newEvidence(false, len(r.codecs))
	ev.add(s, num, c.Index, r.codecs)
	if ev.words == 0 {
		return norm.NFC.String(s), nil
	}
	v, best := ev.decideCell(r.codecs)
	if r.sheetVerdict == legacy && ev.hits[r.sheetCodec] > ev.asIs {
		v, best = legacy, r.sheetCodec
	}
	if v != legacy {
		return norm.NFC.String(s), nil
	}
	c.verdict, c.codec = legacy, best
	ex := ev.ex[best]
	if !r.opts.ConvertLegacy {
		return "", r.legacyError(c, c.Text, ex, false)
	}
	if !c.warned {
		c.warned = true
		r.warnings = append(r.warnings, Warning{File: r.name, Sheet: r.sheet, Column: c.Column, Header: c.Text,
			Row: num, Encoding: r.codecs[best].enc, Example: ex.from, Converted: ex.to})
	}
	out, _ := convertCell(s, r.codecs[best], false)
	return out, nil
}

// firstBadBytes returns up to four bytes from the first one that is not
// part of valid UTF-8.
func firstBadBytes(s string) []byte {
	for i := 0; i < len(s); {
		rn, n := utf8.DecodeRuneInString(s[i:])
		if rn == utf8.RuneError && n <= 1 {
			return []byte(s[i:min(len(s), i+4)])
		}
		i += n
	}
	return nil
}
