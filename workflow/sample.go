package workflow

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/kyso-vn/kyso/templates"
)

// The sample organisations and class: those of the templates package's
// sample data (a Sở, one of its schools, class 10A1 of 2024-2025).
const (
	SampleDepartmentID = "so-ben-tre"
	SampleSchoolID     = "thpt-chuyen-ben-tre"
)

// SamplePerson is an account of the sample staff.
type SamplePerson struct {
	Username string
	FullName string
	OrgID    string
	Roles    []Role
	// Title is the person's title, for their certificate.
	Title string
	// Subject is the subject they teach in the sample class, if any.
	Subject string
	// Homeroom: they are the sample class's homeroom teacher.
	Homeroom bool
	// Signs: the person needs a signing key.
	Signs bool
	// CertName is the common name of their certificate when it is not
	// their name: the seal keeper holds the school's certificate.
	CertName string
}

// SampleOrgs returns the sample Sở and school.
func SampleOrgs() ([]Org, error) {
	t, err := templates.SampleTranscript(0)
	if err != nil {
		return nil, err
	}
	return []Org{
		{ID: SampleDepartmentID, Kind: OrgDepartment, Name: t.Department},
		{ID: SampleSchoolID, Kind: OrgSchool, Name: t.School, Parent: SampleDepartmentID},
	}, nil
}

// SampleUsername makes a username from a Vietnamese name: the given name
// and the family name, folded to ASCII ("Nguyễn Thị Thu Hà" is "ha.nguyen").
func SampleUsername(name string) string {
	f := strings.Fields(asciiFold(name))
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1] + "." + f[0]
}

func asciiFold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteByte('d')
		case r < 128:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// SampleStaff returns the staff who sign the sample data, with an IT
// administrator for the school and the Sở: the Sở's director (diplomas),
// every subject teacher of the sample class (the homeroom teacher teaches
// one subject too), the principal and the keeper of the school's seal.
func SampleStaff() ([]SamplePerson, error) {
	orgs, err := SampleOrgs()
	if err != nil {
		return nil, err
	}
	t, err := templates.SampleTranscript(0)
	if err != nil {
		return nil, err
	}
	grads := templates.SampleGraduates(1)
	if len(grads) == 0 {
		return nil, fmt.Errorf("no sample graduate")
	}
	school := orgs[1].Name
	ps := []SamplePerson{
		{Username: "so.admin", FullName: "Phạm Quốc Bảo", OrgID: SampleDepartmentID, Roles: []Role{RoleDepartmentAdmin}},
		{Username: SampleUsername(grads[0].SignerName), FullName: grads[0].SignerName, OrgID: SampleDepartmentID, Roles: []Role{RoleDirector},
			Title: grads[0].SignerTitle, Signs: true},
		{Username: "it.chuyenbt", FullName: "Lý Minh Khoa", OrgID: SampleSchoolID, Roles: []Role{RoleSchoolAdmin}},
		{Username: SampleUsername(t.Principal), FullName: t.Principal, OrgID: SampleSchoolID, Roles: []Role{RolePrincipal}, Title: "Hiệu trưởng", Signs: true},
		{Username: "vanthu.chuyenbt", FullName: "Nguyễn Thị Thu", OrgID: SampleSchoolID, Roles: []Role{RoleSealKeeper}, Title: "Văn thư", Signs: true, CertName: school},
	}
	for _, s := range t.Subjects {
		p := SamplePerson{Username: SampleUsername(s.Teacher), FullName: s.Teacher, OrgID: SampleSchoolID,
			Roles: []Role{RoleSubjectTeacher}, Title: "Giáo viên", Subject: s.Name, Signs: true}
		if s.Teacher == t.HomeroomTeacher {
			p.Roles = append(p.Roles, RoleHomeroomTeacher)
			p.Homeroom = true
		}
		ps = append(ps, p)
	}
	return ps, nil
}
