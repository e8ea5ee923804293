// Package templates holds kyso's typed documents, their validation, their
// import from CSV and JSON, and their versioned layouts.
//
// Today it knows one document, the upper secondary school graduation diploma
// (Bằng tốt nghiệp trung học phổ thông, type Diploma), and one layout for it,
// DiplomaLayoutV1.
//
// # Import
//
// ReadDiplomas reads a CSV or JSON file of graduates. It is the input
// boundary: it limits the size (MaxInputSize), refuses bytes that are not
// UTF-8 (files saved in Windows-1258, TCVN3 or VNI) with the row and field
// where they are, normalises all text to NFC (input may arrive decomposed),
// collapses white space, and validates every record. Problems are reported
// as *FieldError values, collected in a ValidationErrors, each naming the
// file, the row as a spreadsheet counts it, the field and the reason:
//
//	graduates.csv row 14: field "ngay_sinh": "31/02/2007" is not a date (no such day in that month)
//
// A file-level problem (not UTF-8, missing or unknown columns, malformed,
// too large) rejects the whole file; otherwise the valid rows come back
// together with the problems of the others, so that a caller can refuse the
// whole batch or skip the listed rows.
//
// ReadTranscripts (học bạ) and ReadGradebooks (sổ điểm) read JSON, CSV and
// Excel .xlsx, the tables through package tabular, and give all or
// nothing: every problem is located by file, sheet, row and column (a
// *tabular.CellError), and averages and results that do not follow Thông
// tư 22/2021 are refused with the student, the subject and the expected
// value. A học bạ sheet is in long form, one row per student and subject
// with the student's cells on the student's first row (repeated or left
// blank on the others); ScanTranscripts hands over one student at a time,
// so a large sheet is never held whole. The columns and the Vietnamese
// headings accepted are in testdata/samples/README.md; WriteTranscriptsCSV
// and WriteTranscriptsXLSX write them.
//
// # Rendering
//
// DiplomaRenderer.Render draws a Diploma with package pdf: an A4 landscape
// page with the national motto, the title, the graduate's particulars, the
// place and date of issue, the signer's title and name above an empty area
// kept for the visible signature (see LayoutSignatureArea), the serial and
// register number, the credential ID, and a vector QR code of the
// verification URL. With RenderOptions.Deterministic the output is a pure
// function of the input. Build one DiplomaRenderer (NewDiplomaRenderer, over
// one *pdf.Renderer) per process and share it.
//
// SampleGraduates produces fictitious graduates for demos and tests; the
// fixtures in testdata/diplomas are generated from it (go test
// ./templates -run TestFixtures -update).
package templates
