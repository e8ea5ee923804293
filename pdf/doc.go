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
// NewRenderer reads and cuts each embedded face once per process (tens of
// milliseconds). A Document registers a stand-in font with fpdf, measures
// text itself and passes fpdf per-document character numbers; Bytes replaces
// each stand-in with a Type 0 font whose embedded TrueType subset (named
// with an ABCDEF+ subset tag) holds only the glyphs drawn, with a ToUnicode
// map, and compresses the pages with pooled writers (see embed.go,
// truetype.go). A diploma renders in about 2–3 ms where fpdf's own font
// handling took 15–20 ms (BenchmarkRenderDiploma and
// BenchmarkRenderDiplomaEarlier in bench_test.go). Limits: the rewrite relies
// on the exact form of fpdf v0.9.0's output and refuses anything else;
// characters outside the Basic Multilingual Plane cannot be drawn;
// indexed-PNG palettes are written uncompressed.
//
// The QR code is drawn from this package's own encoder (qrencode.go), which
// produces the same modules as github.com/boombuler/barcode (checked in the
// tests) in tens of microseconds instead of milliseconds.
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
// catalog into an incremental update copies references and the attachments
// stay in the signed original revision. Attachments follow
// Options.Deterministic: their dates come from the caller or from
// Options.Created, and their keys are their names, sorted.
//
// # Signature fields and appearances
//
// Document.SignatureField places an empty signature field (a /Sig field
// merged with its widget, with an empty appearance, a tooltip, the signer's
// name as a required certificate seed value and optionally a lock), listed
// in an indirect interactive form (so a signer updates the form without
// rewriting the catalog). Renderer.NewFormXObject draws on a page of any
// size and packages the drawing as a form XObject with the objects it uses,
// numbered for another PDF: signer draws signature appearances with it.
//
// # Coordinates
//
// All positions are in millimetres from the top-left corner of the page, the
// way fpdf measures them. Rect.UserSpace converts a rectangle to PDF user space
// (points, origin at the bottom-left), which is what a signature field needs.
package pdf
