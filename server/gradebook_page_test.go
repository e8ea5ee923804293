package server

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kyso-vn/kyso/registry"
)

// TestGradebookCredentialPage: a gradebook's page names the class, subject,
// term, school, school year and key, and nothing about a person.
func TestGradebookCredentialPage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, err := registry.NewID(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c := &registry.Credential{
		ID: id, Kind: "gradebook", LayoutVersion: "gradebook/v1",
		Public: registry.PublicFields{KindLabel: "Sổ điểm", HolderName: "Lớp 10A1 – Toán – Học kì I", Year: 2024,
			School: "Trường THPT Chuyên Bến Tre", Serial: "SD-THPT-CHUYEN-BEN-TRE-2024-2025-HK1-10A1-TOAN"},
		Status: registry.StatusValid, IssuedAt: issuedAt, Issuer: "CN=Nguyễn Thị Thu Hà",
	}
	rand.Read(c.DocumentSHA256[:])
	rand.Read(c.SignedSHA256[:])
	if err := f.store.Issue(ctx, c, "test"); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"", "?lang=en"} {
		w := f.do(httptest.NewRequest("GET", "/v/"+id.String()+lang, nil))
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200", id, w.Code)
		}
		body := w.Body.String()
		for _, want := range []string{"Lớp 10A1 – Toán – Học kì I", "2024-2025", "Trường THPT Chuyên Bến Tre", "SD-THPT-CHUYEN-BEN-TRE-2024-2025-HK1-10A1-TOAN"} {
			if !strings.Contains(body, want) {
				t.Errorf("page%s lacks %q", lang, want)
			}
		}
		for _, not := range []string{"Ngày sinh", "Date of birth", "Họ và tên", "Full name", "Năm tốt nghiệp", "Nguyễn Thị Thu Hà"} {
			if strings.Contains(body, not) {
				t.Errorf("page%s shows %q; a gradebook's page names no person", lang, not)
			}
		}
	}
}
