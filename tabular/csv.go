package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// errTooLarge is returned by limitedReader past its limit.
var errTooLarge = errors.New("input exceeds the size limit")

// limitedReader fails, rather than stopping quietly, past n bytes.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errTooLarge
	}
	return n, err
}

// csvSource reads the rows of a CSV file as they stream.
type csvSource struct {
	name  string
	limit int64
	cr    *csv.Reader
	// extra counts the lines read so far that were not rows of their own
	// (the further lines of quoted cells spanning several lines), so that
	// rows count as a spreadsheet shows them.
	extra int
}

// newCSVSource prepares r: UTF-8 (a byte order mark is dropped) or UTF-16
// with a byte order mark (what Excel's "Unicode Text" writes); separated
// by commas, semicolons (Vietnamese-locale Excel) or tabs, whichever splits
// the first line into the most cells, or as a first line "sep=;" says. Bytes
// that are not UTF-8 are kept for the Reader to recognise.
func newCSVSource(name string, r io.Reader, o Options) (*csvSource, error) {
	br := bufio.NewReaderSize(&limitedReader{r: r, n: o.MaxSize}, 64<<10)
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		br = bufio.NewReaderSize(transform.NewReader(br,
			unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), 64<<10)
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		br = bufio.NewReaderSize(transform.NewReader(br,
			unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()), 64<<10)
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		br.Discard(3)
	}
	sample, err := br.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, readError(name, err, o.MaxSize)
	}
	line, _, _ := bytes.Cut(sample, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	comma := sniffComma(line)
	if len(line) == 5 && bytes.HasPrefix(bytes.ToLower(line), []byte("sep=")) &&
		(line[4] == ',' || line[4] == ';' || line[4] == '\t' || line[4] == '|') {
		// Excel's separator hint; Excel does not show it as a row.
		comma = rune(line[4])
		if _, err := br.ReadSlice('\n'); err != nil && !errors.Is(err, io.EOF) {
			return nil, readError(name, err, o.MaxSize)
		}
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &csvSource{name: name, limit: o.MaxSize, cr: cr}, nil
}

// sniffComma picks the separator that splits the line into the most cells,
// counting only those outside quotes; a comma when there is none.
func sniffComma(line []byte) rune {
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

func readError(name string, err error, limit int64) *CellError {
	if errors.Is(err, errTooLarge) {
		return tooLarge(name, limit)
	}
	return &CellError{File: name, Reason: ReasonUnreadable, Err: err}
}

func (s *csvSource) next() (rawRow, error) {
	rec, err := s.cr.Read()
	if errors.Is(err, io.EOF) {
		return rawRow{}, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) && !errors.Is(err, errTooLarge) {
			return rawRow{}, &CellError{File: s.name, Row: pe.StartLine - s.extra, Reason: ReasonMalformed,
				Detail: "is not well-formed CSV (" + pe.Err.Error() + "): check the quotes around cells", Err: err}
		}
		return rawRow{}, readError(s.name, err, s.limit)
	}
	if len(rec) > maxColumns {
		start, _ := s.cr.FieldPos(0)
		return rawRow{}, &CellError{File: s.name, Row: start - s.extra, Reason: ReasonTooLarge,
			Detail: "has more than 16384 columns"}
	}
	start, _ := s.cr.FieldPos(0)
	last, _ := s.cr.FieldPos(len(rec) - 1)
	end := last + strings.Count(rec[len(rec)-1], "\n")
	row := rawRow{num: start - s.extra, cells: append([]string(nil), rec...)}
	s.extra += end - start
	return row, nil
}

func (s *csvSource) close() error { return nil }
