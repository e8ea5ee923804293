package tabular

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

// xlsxSource streams the rows of one worksheet with excelize's row
// iterator, which decodes the sheet's XML as it goes.
type xlsxSource struct {
	name, sheet string
	f           *excelize.File
	rows        *excelize.Rows
	num         int
}

func (s *xlsxSource) next() (rawRow, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return rawRow{}, &CellError{File: s.name, Sheet: s.sheet, Row: s.num + 1, Reason: ReasonMalformed, Err: err}
		}
		return rawRow{}, io.EOF
	}
	// The iterator yields every row from 1, rows absent from the file
	// as empty ones, so counting gives the row number.
	s.num++
	cells, err := s.rows.Columns()
	if err != nil {
		return rawRow{}, &CellError{File: s.name, Sheet: s.sheet, Row: s.num, Reason: ReasonMalformed, Err: err}
	}
	return rawRow{num: s.num, cells: cells}, nil
}

func (s *xlsxSource) close() error {
	var err error
	if s.rows != nil {
		err = s.rows.Close()
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// openXLSX opens the workbook, picks the sheet and checks it. path, when
// set, is the file r reads, which excelize can then read without copying
// it into memory.
func (r *Reader) openXLSX(ra io.ReaderAt, size int64, filePath string) error {
	o := r.opts
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return &CellError{File: r.name, Reason: ReasonMalformed,
			Detail: "is not a valid .xlsx file (not a zip archive)", Err: err}
	}
	// Zip-bomb defence: the sizes the archive declares are what
	// archive/zip lets each part unpack to; refuse before unpacking.
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if f.UncompressedSize64 > uint64(o.MaxUnpackedSize) || total > uint64(o.MaxUnpackedSize) {
			return &CellError{File: r.name, Reason: ReasonTooLarge,
				Detail: fmt.Sprintf("unpacks to more than %d MiB", o.MaxUnpackedSize>>20)}
		}
	}
	xo := excelize.Options{
		UnzipSizeLimit:    o.MaxUnpackedSize,
		UnzipXMLSizeLimit: o.MaxPartInMemory,
		TmpDir:            o.TempDir,
		ShortDatePattern:  "dd/mm/yyyy",
		RawCellValue:      o.RawValues,
	}
	var f *excelize.File
	if filePath != "" {
		f, err = excelize.OpenFile(filePath, xo)
	} else {
		f, err = excelize.OpenReader(io.NewSectionReader(ra, 0, size), xo)
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		return &CellError{File: r.name, Reason: ReasonMalformed, Detail: "is not a valid .xlsx file", Err: err}
	}
	src := &xlsxSource{name: r.name, f: f}
	if err := r.pickSheet(src, zr); err != nil {
		src.close()
		return err
	}
	return nil
}

// pickSheet selects the sheet to read, scans it and starts its rows.
func (r *Reader) pickSheet(src *xlsxSource, zr *zip.Reader) error {
	f := src.f
	sheets := f.GetSheetList()
	sheet := ""
	if want := r.opts.Sheet; want != "" {
		for _, s := range sheets {
			if s == want {
				sheet = s
				break
			}
		}
		for _, s := range sheets {
			if sheet == "" && strings.EqualFold(norm.NFC.String(s), norm.NFC.String(strings.TrimSpace(want))) {
				sheet = s
			}
		}
		if sheet == "" {
			q := make([]string, len(sheets))
			for i, s := range sheets {
				q[i] = fmt.Sprintf("%q", s)
			}
			return &CellError{File: r.name, Sheet: want, Reason: ReasonNoSheet,
				Detail: "does not exist; the workbook has " + strings.Join(q, ", ")}
		}
	} else {
		for _, s := range sheets {
			if visible, err := f.GetSheetVisible(s); err == nil && !visible {
				continue
			}
			has, err := sheetHasData(f, s)
			if err != nil {
				return &CellError{File: r.name, Sheet: s, Reason: ReasonMalformed, Err: err}
			}
			if has {
				sheet = s
				break
			}
			// excelize's iterator stops quietly at broken XML: a sheet that
			// seems empty may be damaged instead.
			if err := r.checkSheetXML(zr, s); err != nil {
				return err
			}
		}
		if sheet == "" {
			return &CellError{File: r.name, Reason: ReasonEmpty,
				Detail: "has no data: every visible sheet is empty"}
		}
	}
	r.sheet, src.sheet = sheet, sheet
	if err := r.checkSheetXML(zr, sheet); err != nil {
		return err
	}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		r.date1904 = *props.Date1904
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return &CellError{File: r.name, Sheet: sheet, Reason: ReasonMalformed, Err: err}
	}
	src.rows = rows
	r.src = src
	return nil
}

// checkSheetXML scans the part of sheet, keeping its merged ranges in
// r.merges.
func (r *Reader) checkSheetXML(zr *zip.Reader, sheet string) error {
	part, err := sheetPart(zr, sheet, r.opts.MaxPartInMemory)
	if err != nil {
		return &CellError{File: r.name, Sheet: sheet, Reason: ReasonMalformed, Detail: "is damaged: " + err.Error()}
	}
	merges, err := scanSheet(part, r.opts.MaxUnpackedSize)
	if errors.Is(err, errTooLarge) {
		return &CellError{File: r.name, Sheet: sheet, Reason: ReasonTooLarge,
			Detail: fmt.Sprintf("unpacks to more than %d MiB", r.opts.MaxUnpackedSize>>20)}
	}
	if err != nil {
		return &CellError{File: r.name, Sheet: sheet, Reason: ReasonMalformed,
			Detail: "is damaged (its XML is not well-formed)", Err: err}
	}
	r.merges = merges
	return nil
}

// sheetHasData reports whether the sheet has a non-blank cell, reading
// only as far as the first one.
func sheetHasData(f *excelize.File, sheet string) (bool, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		cells, err := rows.Columns()
		if err != nil {
			return false, err
		}
		if nonBlank(cells) > 0 {
			return true, nil
		}
	}
	return false, rows.Error()
}

// Package parts are found as Excel finds them: the relationships of the
// package name the workbook, the workbook names its sheets by relationship
// id, and the workbook's relationships give each sheet's part.

type xmlRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

type xmlWorkbook struct {
	Sheets []struct {
		Name string     `xml:"name,attr"`
		Attr []xml.Attr `xml:",any,attr"`
	} `xml:"sheets>sheet"`
}

func zipFile(zr *zip.Reader, name string) *zip.File {
	name = strings.TrimPrefix(name, "/")
	for _, f := range zr.File {
		if f.Name == name {
			return f
		}
	}
	for _, f := range zr.File {
		if strings.EqualFold(strings.ReplaceAll(f.Name, "\\", "/"), name) {
			return f
		}
	}
	return nil
}

func readXMLPart(zr *zip.Reader, name string, limit int64, v any) error {
	f := zipFile(zr, name)
	if f == nil {
		return fmt.Errorf("part %s is missing", name)
	}
	if f.UncompressedSize64 > uint64(limit) {
		return fmt.Errorf("part %s is larger than %d bytes", name, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("part %s: %w", name, err)
	}
	defer rc.Close()
	if err := xml.NewDecoder(io.LimitReader(rc, limit)).Decode(v); err != nil {
		return fmt.Errorf("part %s: %w", name, err)
	}
	return nil
}

// relsPath returns the relationships part of a part.
func relsPath(part string) string {
	dir, file := path.Split(part)
	return path.Join(dir, "_rels", file+".rels")
}

// resolve returns the part a relationship target of source names.
func resolve(source, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return path.Join(path.Dir(source), target)
}

// sheetPart finds the zip entry of a worksheet by its name.
func sheetPart(zr *zip.Reader, sheet string, limit int64) (*zip.File, error) {
	workbook := "xl/workbook.xml"
	var pkg xmlRels
	if err := readXMLPart(zr, "_rels/.rels", limit, &pkg); err == nil {
		for _, rel := range pkg.Rels {
			if strings.HasSuffix(rel.Type, "/officeDocument") {
				workbook = resolve("", rel.Target)
			}
		}
	}
	var wb xmlWorkbook
	if err := readXMLPart(zr, workbook, limit, &wb); err != nil {
		return nil, err
	}
	var rels xmlRels
	if err := readXMLPart(zr, relsPath(workbook), limit, &rels); err != nil {
		return nil, err
	}
	for _, s := range wb.Sheets {
		if s.Name != sheet {
			continue
		}
		id := ""
		for _, a := range s.Attr {
			if a.Name.Local == "id" {
				id = a.Value
			}
		}
		for _, rel := range rels.Rels {
			if rel.ID == id {
				if f := zipFile(zr, resolve(workbook, rel.Target)); f != nil {
					return f, nil
				}
				return nil, fmt.Errorf("the part of sheet %q is missing", sheet)
			}
		}
	}
	return nil, fmt.Errorf("sheet %q has no part", sheet)
}

// scanSheet reads a worksheet part through once, without keeping its
// cells: it checks that the XML is well-formed (excelize's row iterator
// stops quietly at broken XML, which would lose rows unnoticed) and
// collects the merged ranges, which come after the cells. It uses the raw
// tokenizer, which is about twice as fast, and matches the tags itself.
func scanSheet(f *zip.File, limit int64) ([]merge, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	lr := &limitedReader{r: rc, n: limit}
	d := xml.NewDecoder(lr)
	var (
		merges []merge
		open   []xml.Name // elements not yet closed; RawToken does not check
	)
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			if len(open) > 0 {
				return nil, fmt.Errorf("the XML ends inside <%s>", open[len(open)-1].Local)
			}
			return merges, nil
		}
		if err != nil {
			return nil, err
		}
		if ee, ok := tok.(xml.EndElement); ok {
			if len(open) == 0 || open[len(open)-1] != ee.Name {
				return nil, fmt.Errorf("unexpected </%s>", ee.Name.Local)
			}
			open = open[:len(open)-1]
			continue
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		open = append(open, se.Name)
		if se.Name.Local != "mergeCell" {
			continue
		}
		for _, a := range se.Attr {
			if a.Name.Local != "ref" {
				continue
			}
			if m, ok := parseMerge(a.Value); ok {
				merges = append(merges, m)
			}
		}
	}
}

// parseMerge reads a range such as "D1:F1".
func parseMerge(ref string) (merge, bool) {
	a, b, ok := strings.Cut(ref, ":")
	if !ok {
		return merge{}, false
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(a)
	c2, r2, err2 := excelize.CellNameToCoordinates(b)
	if err1 != nil || err2 != nil {
		return merge{}, false
	}
	return merge{ref: ref, col1: min(c1, c2), row1: min(r1, r2), col2: max(c1, c2), row2: max(r1, r2)}, true
}
