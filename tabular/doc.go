// Package tabular reads the spreadsheets schools already have — Excel .xlsx
// workbooks and CSV files — as rows of Unicode text, whatever document the
// rows will become, and locates every problem by file, sheet, row, column
// and heading:
//
//	diem.xlsx sheet "10A1" row 14 column F ("Giữa kỳ"): "8,5a" is not a score
//
// # Reading
//
// Open (or OpenFile, OpenReader) picks the format from the file name or its
// first bytes, picks the sheet (Options.Sheet, or the first visible one
// with data), finds the header row (Options.HeaderRow, or the first row in
// which Options.Match recognises the most headings, so title rows above the
// table are skipped) and maps each heading to a field with a HeaderMatcher;
// callers usually compare FoldHeader of the heading ("Họ và tên" →
// "ho_va_ten"). Reader.Next, or the iterator Reader.All, then returns one
// Row at a time: a Cell per headed column, holding its letter, heading,
// field and NFC text. Rows are numbered as the spreadsheet shows them.
//
// The reader streams. An .xlsx worksheet is read with excelize's row
// iterator; parts larger than Options.MaxPartInMemory are unzipped to a
// temporary file (removed by Close) and read from there, so a 10,000-row
// sheet is never in memory as a whole. A CSV is parsed as it is read. What
// is held is the rows read ahead (Options.DetectRows) to recognise the
// header and the encoding, the workbook's shared-string table (held by
// excelize when it fits in MaxPartInMemory) and, for an .xlsx read from a
// stream rather than a file, the compressed file itself.
//
// # Limits
//
// Files above Options.MaxSize (64 MiB) are refused, and so is an .xlsx whose
// parts unpack, by the sizes its zip directory declares and archive/zip
// enforces, to more than MaxUnpackedSize (256 MiB): a zip bomb is refused
// before anything is unpacked. A cell may hold at most 32,767 characters and
// a row 16,384 columns, as in Excel.
//
// # Merged header cells
//
// A merged range that touches the header row is refused, naming the range
// and saying to unmerge it: a two-row header such as "Điểm" merged over
// "Giữa kỳ" and "Cuối kỳ" leaves columns without a heading of their own, and
// guessing how the two rows combine would name fields wrongly. Merges above
// the header (titles) are allowed. Merges below it are not checked: a merged
// data range reads as its value in the first cell and blanks in the others.
//
// # Values
//
// Values are text. Cells read as the spreadsheet displays them, with the
// short date format as dd/mm/yyyy (Options.RawValues reads them as stored).
// Parsing is the caller's: ParseDate and Row.Date read dd/mm/yyyy, ISO dates
// and Excel serial day numbers; for anything else a caller's parser error
// becomes a located error through Row.Errorf. Scores (with a decimal comma
// or point) are for package assessment to parse.
//
// # Legacy Vietnamese encodings
//
// Text typed before Unicode is in TCVN3 (ABC, the .VnTime fonts), VNI
// (VNI-Times) or Windows-1258. In a CSV it arrives as bytes that are not
// UTF-8; in an .xlsx, as Unicode that looks like Western text, because Excel
// stored the keyboard's bytes through the ANSI code page: "Nguyễn" in TCVN3
// is kept as "NguyÔn", in VNI as "Nguyeãn". The reader reads each column
// (each file, for a CSV that is not UTF-8) in every candidate encoding and
// counts the words that come out as valid Vietnamese syllables — initial
// consonant, vowel cluster, final consonant, one tone, and the spelling
// rules of the Quốc ngữ — against those that are valid as they stand. A
// legacy reading that clearly wins is refused with a CellError
// (ReasonLegacyEncoding) that names the column, shows an example and says
// how to convert, or with Options.ConvertLegacy converted and reported in
// Reader.Warnings. Bytes that are not UTF-8 and read as no Vietnamese
// encoding are refused (ReasonUnknownEncoding). DetectLegacy applies the
// same test to any texts, e.g. the strings of a JSON import.
//
// The test needs words with non-ASCII letters: a column of names decides in
// a few rows, a column whose only such word is its heading leans on the
// rest of the sheet. Its limits: text written without diacritics reads the
// same in every encoding and needs no decision; a column of a few short
// words that are valid both ways ("Bé" is TCVN3 for "Bộ") is taken as it
// stands; TCVN3 capitals typed with the .VnTimeH font come out as capitals
// only where the word or the cell shows capitals in its ASCII letters
// ("NGUYÔN" → "NGUYỄN", but "Hµ" alone → "Hà"); in a column found to be
// legacy, a cell already converted to Unicode is kept when it has a letter
// no ANSI code page produces (ư, ạ, ễ ...), which nearly every Vietnamese
// name has.
//
// # Errors
//
// Every problem is a *CellError (or Errors, when the header row has several)
// with a Reason to branch on. Problems with a row (ErrInvalidRow) skip the
// row and reading goes on; problems with the file (ErrInvalidFile) end it.
// Values, headings and examples in errors and warnings may be personal
// data: show them to whoever supplied the file, never log them.
package tabular
