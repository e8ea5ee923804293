package templates

import (
	"errors"
	"fmt"
	"strings"
)

// Reason classifies a validation or import problem. Tests and callers branch
// on the Reason, never on message text.
type Reason int

// Reasons for a FieldError. The first group concerns one field of one record;
// the second concerns a whole file and makes ReadDiplomas fail outright.
const (
	ReasonRequired     Reason = iota + 1 // the field is missing or blank
	ReasonNotDate                        // not a real date in an accepted form
	ReasonBadNumber                      // not a whole number
	ReasonOutOfRange                     // a number or date outside its allowed range
	ReasonBadFormat                      // does not follow the field's format (serial, register number)
	ReasonBadValue                       // not one of the allowed values (gender)
	ReasonBadCharacter                   // a control, format or replacement character, or one the field does not allow
	ReasonTooLong                        // longer than the field allows
	ReasonInconsistent                   // contradicts another field of the same record
	ReasonDuplicate                      // repeats a serial or register number of an earlier record
	ReasonUnknownField                   // a JSON member that is not a diploma field
	ReasonBadType                        // a JSON value of the wrong type
	ReasonBadRecord                      // a CSV row with the wrong number of cells, or a JSON element that is not an object

	ReasonNotUTF8        // the file is not valid UTF-8 (a legacy encoding such as Windows-1258, TCVN3 or VNI)
	ReasonTooLarge       // the file exceeds MaxInputSize
	ReasonMalformed      // CSV or JSON syntax error
	ReasonMissingColumns // required columns are absent from the CSV header
	ReasonUnknownColumns // the CSV header names columns that are not diploma fields
	ReasonDuplicateColumn
	ReasonNoRecords  // the file holds no records
	ReasonUnreadable // reading the input failed
)

// String returns a short English phrase for the reason.
func (r Reason) String() string {
	switch r {
	case ReasonRequired:
		return "is required"
	case ReasonNotDate:
		return "is not a date"
	case ReasonBadNumber:
		return "is not a whole number"
	case ReasonOutOfRange:
		return "is out of range"
	case ReasonBadFormat:
		return "is not in the expected format"
	case ReasonBadValue:
		return "is not an allowed value"
	case ReasonBadCharacter:
		return "contains a character that is not allowed"
	case ReasonTooLong:
		return "is too long"
	case ReasonInconsistent:
		return "contradicts another field"
	case ReasonDuplicate:
		return "is a duplicate"
	case ReasonUnknownField:
		return "is not a known field"
	case ReasonBadType:
		return "has the wrong JSON type"
	case ReasonBadRecord:
		return "is not a well-formed record"
	case ReasonNotUTF8:
		return "is not UTF-8"
	case ReasonTooLarge:
		return "is too large"
	case ReasonMalformed:
		return "is malformed"
	case ReasonMissingColumns:
		return "lacks required columns"
	case ReasonUnknownColumns:
		return "has unknown columns"
	case ReasonDuplicateColumn:
		return "repeats a column"
	case ReasonNoRecords:
		return "holds no records"
	case ReasonUnreadable:
		return "cannot be read"
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// IsFileLevel reports whether the reason concerns a whole file, which makes
// the whole import fail.
func (r Reason) IsFileLevel() bool { return r >= ReasonNotUTF8 }

// FieldError is one problem with imported or constructed data.
//
// Value holds the offending input and may be personal data: show it to the
// person who supplied the file, never write it to logs.
type FieldError struct {
	// File is the name the input was read under; empty for a Diploma
	// validated on its own.
	File string
	// Row is the record the problem is in: for CSV the spreadsheet row (the
	// header is row 1, so the first record is row 2); for JSON the position
	// of the element in the array, counting from 1. Row 0 means the whole
	// file.
	Row int
	// Line is the line of the file, when known and more useful than Row (a
	// syntax error, bytes that are not UTF-8). 0 when unknown.
	Line int
	// Field is the CSV column / JSON member name (e.g. "ngay_sinh"); empty
	// when the problem is not about one field.
	Field  string
	Value  string
	Reason Reason
	// Detail says more, e.g. the expected form ("want dd/mm/yyyy").
	Detail string
	// Columns names the CSV columns a header problem is about.
	Columns []string
	// Err is an underlying error, if any.
	Err error
}

// Error formats the problem as
//
//	graduates.csv row 14: field "ngay_sinh": "31/02/2007" is not a date (no such day in that month)
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.where())
	switch {
	case e.Field != "" && e.Value != "":
		fmt.Fprintf(&b, "field %q: %q %s", e.Field, e.Value, e.Reason)
	case e.Field != "":
		fmt.Fprintf(&b, "field %q %s", e.Field, e.Reason)
	case e.Value != "":
		fmt.Fprintf(&b, "%q %s", e.Value, e.Reason)
	case e.Reason.IsFileLevel():
		if e.File != "" {
			b.WriteString("file ")
		}
		b.WriteString(e.Reason.String())
	default:
		fmt.Fprintf(&b, "the row %s", e.Reason)
	}
	if len(e.Columns) > 0 {
		q := make([]string, len(e.Columns))
		for i, c := range e.Columns {
			q[i] = fmt.Sprintf("%q", c)
		}
		b.WriteString(": " + strings.Join(q, ", "))
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, " (%s)", e.Detail)
	}
	if e.Err != nil && e.Detail == "" {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *FieldError) where() string {
	var parts []string
	if e.File != "" {
		parts = append(parts, e.File)
	}
	if e.Row > 0 {
		parts = append(parts, fmt.Sprintf("row %d", e.Row))
	}
	if e.Line > 0 && e.Row == 0 {
		parts = append(parts, fmt.Sprintf("line %d", e.Line))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, " ") + ": "
}

// Unwrap returns the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// Sentinels that a FieldError (and so a ValidationErrors holding one) matches
// with errors.Is.
var (
	// ErrInvalidFile matches problems that make a whole file unusable
	// (Reason.IsFileLevel): nothing from it may be issued.
	ErrInvalidFile = errors.New("invalid file")
	// ErrInvalidRecord matches problems with one record.
	ErrInvalidRecord = errors.New("invalid record")
)

// Is matches ErrInvalidFile or ErrInvalidRecord by the error's Reason.
func (e *FieldError) Is(target error) bool {
	switch target {
	case ErrInvalidFile:
		return e.Reason.IsFileLevel()
	case ErrInvalidRecord:
		return !e.Reason.IsFileLevel()
	}
	return false
}

// ValidationErrors lists every problem found in a record or a file, in order.
// It is returned only when at least one problem was found.
type ValidationErrors []*FieldError

// Error lists every problem, one per line.
func (v ValidationErrors) Error() string {
	switch len(v) {
	case 0:
		return "no validation errors"
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

// Rows returns the distinct row numbers that have problems, in order.
func (v ValidationErrors) Rows() []int {
	var rows []int
	seen := map[int]bool{}
	for _, e := range v {
		if !seen[e.Row] {
			seen[e.Row] = true
			rows = append(rows, e.Row)
		}
	}
	return rows
}

// Is reports whether any listed problem matches target, so that
// errors.Is(err, ErrNotDate) works on a ValidationErrors.
func (v ValidationErrors) Is(target error) bool {
	for _, e := range v {
		if errors.Is(e, target) {
			return true
		}
	}
	return false
}

// HasReason reports whether err is, or wraps, a FieldError or
// ValidationErrors holding a problem with reason r.
func HasReason(err error, r Reason) bool {
	var v ValidationErrors
	if errors.As(err, &v) {
		for _, e := range v {
			if e.Reason == r {
				return true
			}
		}
	}
	var fe *FieldError
	return errors.As(err, &fe) && fe.Reason == r
}
