package templates

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzReadTranscriptsCSV and FuzzReadTranscriptsXLSX feed arbitrary bytes
// to the học bạ importer as a school's CSV or Excel export: it must not
// panic, every error must name the file, and every transcript it accepts
// must be normalised, valid and add up.
func FuzzReadTranscriptsCSV(f *testing.F) {
	tr := sampleTranscript(f, sampleWeak)
	f.Add(hbCSV(f, transcriptRows(f, nil, &tr), ',', false))
	f.Add([]byte("Mã học sinh;Họ và tên;Môn học;Điểm TB HK I\n8320241001;Nguyễn Văn A;Toán;8,5a\n"))
	fuzzReadTranscripts(f, "hocba_10A1.csv")
}

func FuzzReadTranscriptsXLSX(f *testing.F) {
	tr := sampleTranscript(f, sampleStrong)
	f.Add(transcriptWorkbook(f, transcriptRows(f, nil, &tr), nil))
	fuzzReadTranscripts(f, "hocba_10A1.xlsx")
}

func fuzzReadTranscripts(f *testing.F, sample string) {
	seedSamples(f, sample)
	name := "fuzz" + filepath.Ext(sample)
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := ReadTranscripts(name, bytes.NewReader(data))
		if err != nil {
			if ts != nil {
				t.Fatalf("%d transcripts came with an error", len(ts))
			}
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(ts) == 0 {
			t.Fatal("no transcripts and no error")
		}
		for i := range ts {
			again := ts[i].clone()
			again.Normalize()
			if !reflect.DeepEqual(*again, ts[i]) {
				t.Fatalf("transcript %d is not normalised", i+1)
			}
			if err := checkTranscript(&ts[i]); err != nil {
				t.Fatalf("accepted transcript %d does not validate: %v", i+1, err)
			}
		}
	})
}
