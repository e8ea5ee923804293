package issuance

import (
	"fmt"

	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/templates"
)

// Description is what the registry and the signatures say about a record,
// whatever its kind.
type Description struct {
	// Kind is the registry kind (registry.KindDiploma, KindGradebook,
	// KindTranscript) and Layout the v2 layout the document is drawn with.
	Kind, Layout string
	// Key is the credential's unique key: a diploma's serial, a
	// gradebook's GradebookKey, a học bạ year's TranscriptKey.
	Key string
	// Label names the document in errors, e.g. "serial T 00516292".
	Label string
	// Reason and Location are the signatures' /Reason and /Location.
	Reason, Location string
	// Public is what the registry publishes.
	Public registry.PublicFields
}

// Describe describes a record of any kind; its Layout is ignored, the
// description is of the v2 (signature field) layout. The record's document
// must be normalised and valid.
func Describe(rec *templates.Record) (Description, error) {
	switch {
	case rec.Kind == templates.KindDiploma && rec.Diploma != nil:
		d := rec.Diploma
		return Description{
			Kind: registry.KindDiploma, Layout: templates.DiplomaLayoutV2,
			Key: d.Serial, Label: "serial " + d.Serial,
			Reason: "Cấp bằng tốt nghiệp THPT số hiệu " + d.Serial, Location: d.IssuePlace,
			Public: publicFields(d),
		}, nil
	case rec.Kind == templates.KindGradebook && rec.Gradebook != nil:
		g := rec.Gradebook
		key := GradebookKey(g)
		return Description{
			Kind: KindGradebook, Layout: templates.GradebookLayoutV2,
			Key: key, Label: "gradebook " + key,
			Reason:   fmt.Sprintf("Khóa sổ điểm môn %s lớp %s, %s, năm học %s", g.Subject, g.Class, g.Term.Label(), g.SchoolYear),
			Location: g.Place,
			Public:   gradebookPublicFields(g),
		}, nil
	case rec.Kind == templates.KindTranscript && rec.Transcript != nil:
		t := rec.Transcript
		key := TranscriptKey(t)
		return Description{
			Kind: KindTranscript, Layout: templates.TranscriptLayoutV2,
			Key: key, Label: "học bạ " + key,
			Reason:   fmt.Sprintf("Ký học bạ năm học %s, lớp %s", t.SchoolYear, t.Class),
			Location: t.Place,
			Public:   transcriptPublicFields(t),
		}, nil
	}
	return Description{}, fmt.Errorf("%w: %q record without its document", templates.ErrWrongDocument, rec.Kind)
}

// documentOf is the document to issue for rec, drawn by render.
func documentOf(rec *templates.Record, render func(templates.IssueMeta) ([]byte, error)) (document, error) {
	d, err := Describe(rec)
	if err != nil {
		return document{}, err
	}
	rec.Layout = d.Layout
	return document{kind: d.Kind, layout: d.Layout, record: rec, key: d.Key, label: d.Label,
		public: d.Public, render: render, reason: d.Reason, location: d.Location}, nil
}
