package tabular

import (
	"errors"
	"fmt"
	"strings"
)

// Reason classifies a problem. Callers and tests branch on the Reason,
// never on message text.
type Reason int

// Reasons for a CellError. The first group concerns one row: the reader
// skips the row and may go on. The second concerns the whole file: nothing
// from it may be used.
const (
	ReasonInvalidValue Reason = iota + 1 // a caller's parser refused a value (Row.Errorf)
	ReasonNotDate                        // not a date in an accepted form (Row.Date)
	ReasonNotUTF8                        // a cell's bytes are not UTF-8, in a file that otherwise is
	ReasonNoHeader                       // a value in a column without a heading
	ReasonTooLong                        // a cell longer than a spreadsheet allows

	ReasonTooLarge        // the file, or its unpacked contents, exceed the limits
	ReasonUnsupported     // not a format kyso reads (.xls, an encrypted workbook)
	ReasonMalformed       // broken CSV quoting, a damaged .xlsx
	ReasonUnreadable      // reading the input failed
	ReasonNoSheet         // the requested sheet does not exist
	ReasonEmpty           // the sheet or file holds nothing
	ReasonNoRows          // a header row but no data below it
	ReasonMergedHeader    // merged cells in the header row
	ReasonMissingColumns  // required columns are absent
	ReasonUnknownColumns  // headings the caller does not know
	ReasonDuplicateColumn // two headings for the same field
	ReasonLegacyEncoding  // text in TCVN3, VNI or Windows-1258, and conversion is off
	ReasonUnknownEncoding // not UTF-8, and not a Vietnamese encoding kyso can read
)

// String returns a short English phrase for the reason.
func (r Reason) String() string {
	switch r {
	case ReasonInvalidValue:
		return "is not valid"
	case ReasonNotDate:
		return "is not a date"
	case ReasonNotUTF8:
		return "is not UTF-8 text"
	case ReasonNoHeader:
		return "is in a column without a heading"
	case ReasonTooLong:
		return "is too long"
	case ReasonTooLarge:
		return "is too large"
	case ReasonUnsupported:
		return "is not in a supported format"
	case ReasonMalformed:
		return "is malformed"
	case ReasonUnreadable:
		return "cannot be read"
	case ReasonNoSheet:
		return "has no such sheet"
	case ReasonEmpty:
		return "is empty"
	case ReasonNoRows:
		return "has a header row but no data"
	case ReasonMergedHeader:
		return "has merged header cells"
	case ReasonMissingColumns:
		return "lacks required columns"
	case ReasonUnknownColumns:
		return "has unknown columns"
	case ReasonDuplicateColumn:
		return "repeats a column"
	case ReasonLegacyEncoding:
		return "is in a legacy Vietnamese encoding"
	case ReasonUnknownEncoding:
		return "is not UTF-8"
	}
	return "Reason(" + itoa(int(r)) + ")"
}

// IsFileLevel reports whether the reason concerns the whole file.
func (r Reason) IsFileLevel() bool { return r >= ReasonTooLarge }

// Sentinels a CellError matches with errors.Is.
var (
	// ErrInvalidFile matches problems that make a whole file unusable.
	ErrInvalidFile = errors.New("invalid file")
	// ErrInvalidRow matches problems with one row.
	ErrInvalidRow = errors.New("invalid row")
	// ErrNotDate is wrapped by ParseDate's errors.
	ErrNotDate = errors.New("not a date")
)

// CellError locates a problem in a spreadsheet or CSV file, as precisely as
// it is known, and says what is wrong:
//
//	diem.xlsx sheet "10A1" row 14 column F ("Giữa kỳ"): "8,5a" is not a score
//
// Value, Header and Detail may hold personal data (names, dates of birth):
// show them to whoever supplied the file, never write them to logs.
type CellError struct {
	File  string // the name the file was opened under
	Sheet string // the worksheet; empty for CSV
	// Row is the row as the spreadsheet shows it, from 1; 0 for the whole
	// file or sheet.
	Row int
	// Column is the column letter ("F"); empty when the problem is not
	// about one column.
	Column string
	// Range is a cell range ("D1:F1") when the problem is about one.
	Range string
	// Header is the column's heading as the file has it (converted to
	// Unicode if it was in a legacy encoding).
	Header string
	// Value is the offending cell's text.
	Value  string
	Reason Reason
	// Detail says what is wrong, more precisely than Reason, and what to
	// do; when set it replaces Reason's phrase in the message.
	Detail string
	// Columns lists the headings or fields a header problem is about.
	Columns []string
	// Encoding is the legacy encoding found, for ReasonLegacyEncoding.
	Encoding Encoding
	// Err is the underlying error, if any.
	Err error
}

// Error formats the problem with its location first.
func (e *CellError) Error() string {
	var b strings.Builder
	b.WriteString(e.where())
	what := e.Detail
	if what == "" {
		what = e.Reason.String()
	}
	if e.Value != "" {
		fmt.Fprintf(&b, "%q %s", e.Value, what)
	} else {
		b.WriteString(what)
	}
	if len(e.Columns) > 0 {
		q := make([]string, len(e.Columns))
		for i, c := range e.Columns {
			q[i] = fmt.Sprintf("%q", c)
		}
		b.WriteString(": " + strings.Join(q, ", "))
	}
	if e.Err != nil && e.Detail == "" {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *CellError) where() string {
	var parts []string
	if e.File != "" {
		parts = append(parts, e.File)
	}
	if e.Sheet != "" {
		parts = append(parts, fmt.Sprintf("sheet %q", e.Sheet))
	}
	if e.Row > 0 && e.Range == "" {
		parts = append(parts, "row "+itoa(e.Row))
	}
	switch {
	case e.Range != "":
		parts = append(parts, "cells "+e.Range)
	case e.Column != "":
		parts = append(parts, "column "+e.Column)
	}
	if e.Header != "" && (e.Column != "" || e.Range != "") {
		parts = append(parts, fmt.Sprintf("(%q)", e.Header))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, " ") + ": "
}

// Unwrap returns the underlying error.
func (e *CellError) Unwrap() error { return e.Err }

// Is matches ErrInvalidFile or ErrInvalidRow by the error's Reason.
func (e *CellError) Is(target error) bool {
	switch target {
	case ErrInvalidFile:
		return e.Reason.IsFileLevel()
	case ErrInvalidRow:
		return !e.Reason.IsFileLevel()
	}
	return false
}

// Errors lists several problems found together (the header row can have
// missing and unknown columns at once). It is never empty.
type Errors []*CellError

// Error lists every problem, one per line.
func (v Errors) Error() string {
	switch len(v) {
	case 0:
		return "no errors"
	case 1:
		return v[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(v))
	for _, e := range v {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Is reports whether any listed problem matches target.
func (v Errors) Is(target error) bool {
	for _, e := range v {
		if errors.Is(e, target) {
			return true
		}
	}
	return false
}

// HasReason reports whether err is, or wraps, a CellError or Errors holding
// a problem with reason r.
func HasReason(err error, r Reason) bool {
	var v Errors
	if errors.As(err, &v) {
		for _, e := range v {
			if e.Reason == r {
				return true
			}
		}
	}
	var ce *CellError
	return errors.As(err, &ce) && ce.Reason == r
}

// joinErrors returns nil, the only error, or all of them.
func joinErrors(errs []*CellError) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return Errors(errs)
}
