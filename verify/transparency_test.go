package verify

import "testing"

func TestExitCodeTransparency(t *testing.T) {
	tests := []struct {
		ind  Indication
		tr   *Transparency
		want int
	}{
		{TotalPassed, nil, 0},
		{TotalPassed, &Transparency{Status: TransparencyIncluded}, 0},
		{TotalPassed, &Transparency{Status: TransparencyFailed}, 1},
		{TotalPassed, &Transparency{Status: TransparencyUnavailable}, 2},
		{Indeterminate, &Transparency{Status: TransparencyFailed}, 1},
		{Indeterminate, &Transparency{Status: TransparencyIncluded}, 2},
		{TotalFailed, &Transparency{Status: TransparencyUnavailable}, 1},
		{TotalPassed, &Transparency{Status: "bogus"}, 1},
	}
	for _, tt := range tests {
		r := &Report{Indication: tt.ind, Transparency: tt.tr}
		if got := r.ExitCode(); got != tt.want {
			t.Errorf("ExitCode(%s, %+v) = %d, want %d", tt.ind, tt.tr, got, tt.want)
		}
	}
}
