package translog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	ict         = time.FixedZone("ICT", 7*3600)
	docSum      = sha256.Sum256([]byte("document"))
	signedSum   = sha256.Sum256([]byte("signed"))
	zeroHex     = strings.Repeat("0", 64)
	testIDHash  = "2e294b71903fb28076f87c8eb244d933efb2b6f51ff3d27ed000389a3ebd0eb0" // printf 'kyso.translog/v1 credential-id\n7KQ2M9PX4R8T1BHC0WZ3D' | sha256sum
	testID2Hash = "75e5c08a997b0479a144c8b3072ea0e13bf2fa4ee8792027a81108f87eab89f1" // same for AB12CD34EF56GH78JK90M
)

func issueEntry() Entry {
	return Entry{
		Kind:           KindIssue,
		CredentialID:   "7KQ2M9PX4R8T1BHC0WZ3D",
		DocumentSHA256: docSum,
		SignedSHA256:   signedSum,
		Time:           time.Date(2026, time.June, 30, 9, 15, 0, 987654321, ict),
	}
}

func TestCredentialHash(t *testing.T) {
	got := CredentialHash("7KQ2M9PX4R8T1BHC0WZ3D")
	if hex.EncodeToString(got[:]) != testIDHash {
		t.Errorf("got %x, want %s", got, testIDHash)
	}
}

func TestRecordEncodingGolden(t *testing.T) {
	supersede := Entry{Kind: KindSupersede, CredentialID: "AB12CD34EF56GH78JK90M", Prev: "7KQ2M9PX4R8T1BHC0WZ3D",
		Time: time.Date(2027, time.January, 2, 3, 4, 5, 0, time.UTC)}
	tests := []struct {
		name  string
		entry Entry
		want  string
	}{{
		name:  "issue, time converted to UTC and truncated to the second",
		entry: issueEntry(),
		want: "kyso.translog/v1\n" +
			"kind issue\n" +
			"credential_sha256 " + testIDHash + "\n" +
			"document_sha256 43cc23fa52b87b4cc1d02b5b114154151d6adddb17c9fddc06b027fa99e24008\n" +
			"signed_sha256 4a3cdfae6f291c8f544daea5b72905cf9e74c1ed427d831ad0d7ca00c73c794d\n" +
			"time 2026-06-30T02:15:00Z\n" +
			"prev_credential_sha256 " + zeroHex + "\n",
	}, {
		name:  "supersede without document hashes",
		entry: supersede,
		want: "kyso.translog/v1\n" +
			"kind supersede\n" +
			"credential_sha256 " + testID2Hash + "\n" +
			"document_sha256 " + zeroHex + "\n" +
			"signed_sha256 " + zeroHex + "\n" +
			"time 2027-01-02T03:04:05Z\n" +
			"prev_credential_sha256 " + testIDHash + "\n",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := tc.entry.Record()
			if err != nil {
				t.Fatalf("Record: %v", err)
			}
			if got := string(rec.Encode()); got != tc.want {
				t.Fatalf("encoding:\ngot  %q\nwant %q", got, tc.want)
			}
			// RFC 6962 leaf hash, computed here without the library.
			wantLeaf := sha256.Sum256(append([]byte{0}, tc.want...))
			if got := rec.LeafHash(); got != wantLeaf {
				t.Errorf("leaf hash: got %x, want %x", got, wantLeaf)
			}
			if got, err := tc.entry.LeafHash(); err != nil || got != wantLeaf {
				t.Errorf("Entry.LeafHash: got %x, %v, want %x", got, err, wantLeaf)
			}
			back, err := ParseRecord([]byte(tc.want))
			if err != nil {
				t.Fatalf("ParseRecord: %v", err)
			}
			if back != rec {
				t.Errorf("ParseRecord: got %+v, want %+v", back, rec)
			}
			if len(tc.want) > maxRecordSize {
				t.Errorf("record of %d bytes exceeds maxRecordSize %d", len(tc.want), maxRecordSize)
			}
		})
	}
}

func TestEntryRecordValid(t *testing.T) {
	tests := []struct {
		name string
		edit func(e *Entry)
	}{
		{"issue without signed digest", func(e *Entry) { e.SignedSHA256 = [32]byte{} }},
		{"revoke without hashes", func(e *Entry) {
			e.Kind, e.DocumentSHA256, e.SignedSHA256 = KindRevoke, [32]byte{}, [32]byte{}
		}},
		{"64-character ID", func(e *Entry) { e.CredentialID = strings.Repeat("Z", 64) }},
		{"year 1", func(e *Entry) { e.Time = time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC) }},
		{"year 9999", func(e *Entry) { e.Time = time.Date(9999, 12, 31, 23, 59, 59, 999, time.UTC) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := issueEntry()
			tc.edit(&e)
			rec, err := e.Record()
			if err != nil {
				t.Fatalf("Record: got %v, want nil", err)
			}
			back, err := ParseRecord(rec.Encode())
			if err != nil || back != rec {
				t.Errorf("round trip: got %+v, %v, want %+v", back, err, rec)
			}
		})
	}
}

func TestEntryRecordInvalid(t *testing.T) {
	tests := []struct {
		name string
		edit func(e *Entry)
	}{
		{"empty ID", func(e *Entry) { e.CredentialID = "" }},
		{"lower-case ID", func(e *Entry) { e.CredentialID = "7kq2m9px4r8t1bhc0wz3d" }},
		{"hyphenated ID", func(e *Entry) { e.CredentialID = "7KQ2M9P-X4R8T1B-HC0WZ3D" }},
		{"name as ID", func(e *Entry) { e.CredentialID = "NGUYỄN THỊ MINH KHAI" }},
		{"65-character ID", func(e *Entry) { e.CredentialID = strings.Repeat("Z", 65) }},
		{"unknown kind", func(e *Entry) { e.Kind = "delete" }},
		{"empty kind", func(e *Entry) { e.Kind = "" }},
		{"issue without document hash", func(e *Entry) { e.DocumentSHA256 = [32]byte{} }},
		{"zero time", func(e *Entry) { e.Time = time.Time{} }},
		{"year 10000", func(e *Entry) { e.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"previous ID on issue", func(e *Entry) { e.Prev = "AB12CD34EF56GH78JK90M" }},
		{"previous ID on revoke", func(e *Entry) { e.Kind, e.Prev = KindRevoke, "AB12CD34EF56GH78JK90M" }},
		{"supersede without previous ID", func(e *Entry) { e.Kind = KindSupersede }},
		{"supersede of itself", func(e *Entry) { e.Kind, e.Prev = KindSupersede, e.CredentialID }},
		{"supersede with malformed previous ID", func(e *Entry) { e.Kind, e.Prev = KindSupersede, "ab12" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := issueEntry()
			tc.edit(&e)
			if _, err := e.Record(); !errors.Is(err, ErrInvalidEntry) {
				t.Errorf("Record: got %v, want ErrInvalidEntry", err)
			}
			if _, err := e.LeafHash(); !errors.Is(err, ErrInvalidEntry) {
				t.Errorf("LeafHash: got %v, want ErrInvalidEntry", err)
			}
		})
	}
}

func TestParseRecordRejects(t *testing.T) {
	rec, err := issueEntry().Record()
	if err != nil {
		t.Fatal(err)
	}
	valid := string(rec.Encode())
	replace := func(old, new string) string {
		if !strings.Contains(valid, old) {
			t.Fatalf("test setup: %q not in record", old)
		}
		return strings.Replace(valid, old, new, 1)
	}
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"no final line feed", strings.TrimSuffix(valid, "\n")},
		{"extra line", valid + "note x\n"},
		{"extra blank line", valid + "\n"},
		{"CRLF line ends", strings.ReplaceAll(valid, "\n", "\r\n")},
		{"other version", replace("kyso.translog/v1", "kyso.translog/v2")},
		{"unknown kind", replace("kind issue", "kind delete")},
		{"upper-case hex", replace(testIDHash, strings.ToUpper(testIDHash))},
		{"short hash", replace(testIDHash, testIDHash[:62])},
		{"zero credential hash", replace(testIDHash, zeroHex)},
		{"issue with zero document hash", replace("document_sha256 "+hex.EncodeToString(docSum[:]), "document_sha256 "+zeroHex)},
		{"fields swapped", replace("document_sha256", "signed_sha256")},
		{"two spaces", replace("kind issue", "kind  issue")},
		{"time with offset", replace("2026-06-30T02:15:00Z", "2026-06-30T09:15:00+07")},
		{"time with fraction", replace("02:15:00Z", "02:15:00.5Z")},
		{"time 24:00", replace("2026-06-30T02:15:00Z", "2026-06-30T24:00:00Z")},
		{"time 31 June", replace("2026-06-30T02:15:00Z", "2026-06-31T02:15:00Z")},
		{"previous hash on issue", replace("prev_credential_sha256 "+zeroHex, "prev_credential_sha256 "+testID2Hash)},
		{"too long", valid + strings.Repeat("x", maxRecordSize)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseRecord([]byte(tc.in)); !errors.Is(err, ErrInvalidEntry) {
				t.Errorf("got %v, want ErrInvalidEntry", err)
			}
		})
	}
}
