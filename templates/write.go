package templates

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// WriteDiplomasCSV writes diplomas as a CSV file that ReadDiplomas reads
// back: UTF-8 without a byte order mark, a header of DiplomaCSVColumns, dates
// as dd/mm/yyyy.
func WriteDiplomasCSV(w io.Writer, ds []Diploma) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(DiplomaCSVColumns()); err != nil {
		return fmt.Errorf("write CSV header: %w", err)
	}
	for i := range ds {
		d := &ds[i]
		rec := []string{
			d.FullName, d.DateOfBirth.String(), d.PlaceOfBirth, d.Gender, d.Ethnicity,
			d.School, strconv.Itoa(d.GraduationYear), d.IssuingAuthority, d.IssuePlace, d.IssueDate.String(),
			d.Serial, d.RegisterNumber, d.SignerTitle, d.SignerName,
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write CSV record %d: %w", i+1, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// DiplomasCSV returns diplomas as a CSV file, as WriteDiplomasCSV writes it.
func DiplomasCSV(ds []Diploma) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteDiplomasCSV(&b, ds); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
