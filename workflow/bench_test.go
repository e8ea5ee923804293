package workflow_test

import (
	"context"
	"testing"

	"github.com/kyso-vn/kyso/templates"
	"github.com/kyso-vn/kyso/workflow"
	"github.com/kyso-vn/kyso/workflow/workflowtest"
)

// BenchmarkDirectorBatch measures what the Sở director waits for: one
// batch of 100 diplomas signed with a SoftHSM2-held P-256 key, each
// verified and registered after its signature. Importing (rendering) the
// diplomas is outside the timer; the documents per second are reported.
//
//	go test ./workflow -run '^$' -bench DirectorBatch -benchtime 5x
func BenchmarkDirectorBatch(b *testing.B) {
	env := workflowtest.New(b, workflowtest.Options{})
	ctx := context.Background()
	director := env.People[workflowtest.Director]
	admin := env.Account(b, workflowtest.DeptAdmin)
	const batch = 100
	all := templates.SampleGraduates(batch * (b.N + 1))
	signed := 0
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		data, err := templates.DiplomasCSV(all[i*batch : (i+1)*batch])
		if err != nil {
			b.Fatal(err)
		}
		res, err := env.Service.Import(ctx, admin, workflow.KindDiploma, "bang.csv", data)
		if err != nil {
			b.Fatal(err)
		}
		docs, err := env.Store.Documents(ctx, workflow.Filter{OrgID: admin.OrgID, ImportID: res.ID})
		if err != nil {
			b.Fatal(err)
		}
		var ids []string
		for _, d := range docs {
			ids = append(ids, d.ID)
		}
		b.StartTimer()
		out, err := env.Service.SignBatch(ctx, director.Account, ids, []byte(director.PIN))
		if err != nil || out.Published != batch {
			b.Fatalf("batch: %+v, %v", out, err)
		}
		signed += out.Published
	}
	b.ReportMetric(float64(signed)/b.Elapsed().Seconds(), "docs/s")
}
