// Package pdf is kyso's rendering layer over github.com/go-pdf/fpdf.
//
// It knows nothing about diplomas or other documents: it offers A4 pages, the
// embedded Noto Serif faces (regular, bold, italic; SIL Open Font License, see
// fonts/OFL.txt), Vietnamese-aware text drawing, simple vector shapes, a
// vector QR code, embedded files (attachments) and deterministic output.
// Layouts live in package templates.
//
// # Fonts
//
// fpdf parses a TrueType font every time it is added to a document, and the
// parse cost grows with the size of the font. fpdf offers no way to hand an
// already parsed font to a new document: the parsed state lives in unexported
// fields and is mutated while the document is written. NewRenderer therefore
// does the expensive work once: it cuts each embedded face down to the
// characters a Vietnamese document needs (Latin, Latin-1, Latin Extended-A/B,
// Latin Extended Additional, general punctuation) with fpdf.UTF8CutFont and
// records which characters each face covers. A Document then adds only the
// small cut font, and only for the faces it uses. The font bytes are never
// written to after NewRenderer returns, so one Renderer serves any number of
// goroutines.
//
// What remains per document is inside fpdf and cannot be avoided through its
// API: for each face fpdf builds and JSON-encodes a 65,536-entry width table
// to derive a font ID, and it starts a new zlib writer for every stream.
// BenchmarkNewDocument and BenchmarkFullFontPerDocument measure the
// difference the cut fonts make.
//
// # Text
//
// fpdf positions no combining marks, so decomposed (NFD) text draws with
// colliding accents. Every string drawn is normalised to NFC first, and a
// character that the face cannot draw makes the document fail with a
// *MissingGlyphError instead of drawing a blank box.
//
// # Determinism
//
// The package never reads the clock: the creation and modification dates come
// from Options.Created. With Options.Deterministic the resource catalogs are
// written in sorted order, so the same calls produce byte-identical PDFs.
//
// # Attachments
//
// Document.Attach embeds a file in the document: an embedded file stream
// with its media type, size, MD5 checksum and dates, a file specification
// with /AFRelationship /Source, listed in the /EmbeddedFiles name tree and
// in the catalog's /AF array. fpdf's own attachment support cannot write
// these entries, so Bytes writes them after fpdf has finished: it rewrites
// the end of fpdf's output (the catalog, which fpdf writes last, and the
// cross-reference table), keeping every other object where fpdf put it, in
// a single revision, and raises the header to %PDF-1.7. The catalog refers
// to the name tree and to /AF indirectly, so that a signer that copies the
// catalog into an incremental update (pdfsign does) copies references and
// the attachments stay in the signed original revision. Attachments follow
// Options.Deterministic: their dates come from the caller or from
// Options.Created, and their keys are their names, sorted.
//
// # Coordinates
//
// All positions are in millimetres from the top-left corner of the page, the
// way fpdf measures them. Rect.UserSpace converts a rectangle to PDF user space
// (points, origin at the bottom-left), which is what a signature field needs.
package pdf
