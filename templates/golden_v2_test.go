package templates

import (
	"testing"
)

// TestRenderV2Golden pins the deterministic renders of the v2 layouts (the
// v1 drawing plus a signature field per signer) of the three samples, as
// the v1 golden tests pin v1.
func TestRenderV2Golden(t *testing.T) {
	d := SampleGraduates(1)[0]
	dip := render(t, newRendererWith(t, testOpts), d)
	checkGolden(t, "diploma_v2.golden.sha256", "SampleGraduates(1)[0] rendered as diploma/v2 by TestRenderV2Golden", dip)

	g := sampleGradebook(t, SampleClassSize, TermI, "Toán")
	checkGolden(t, "gradebook_v2.golden.sha256", "SampleGradebook(45, HK1, Toán) rendered as gradebook/v2 by TestRenderV2Golden",
		renderGradebook(t, newGradebookRenderer(t, testOpts), g))

	tr := sampleTranscript(t, sampleStrong)
	checkGolden(t, "hocba_v2.golden.sha256", "SampleTranscript(0) rendered as hocba/v2 by TestRenderV2Golden",
		renderTranscript(t, newTranscriptRenderer(t, testOpts), tr))
}
