package main

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/internal/testenv"
)

// TestSignLongTermValidity runs the long-term validity path as an issuing
// authority would: a development CA whose certificates carry OCSP and CRL
// addresses, served by 'kyso ca serve'; a time-stamping authority, 'kyso
// tsa serve'; then 'kyso sign --tsa --ltv --doc-timestamp' (PAdES B-LTA).
// poppler's pdfsig checks the result (and asks the OCSP responder itself),
// and qpdf finds it sound.
func TestSignLongTermValidity(t *testing.T) {
	work := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	if r := kyso(t, work, nil, "ca", "init", "--dir", "ca", "--url", base); r.code != 0 {
		t.Fatalf("ca init: %d\n%s", r.code, r.stderr)
	}
	env := []string{"KYSO_TEST_PASS=correct horse battery staple"}
	uri := "file:keys/director.key?pin-source=env:KYSO_TEST_PASS"
	if r := kyso(t, work, env, "keys", "new", "--ca", "ca", "--key", uri, "--name", "Lê Hoàng Phúc", "--title", "Giám đốc", "--algo", "p256", "--cert-out", "director.pem"); r.code != 0 {
		t.Fatalf("keys new: %d\n%s", r.code, r.stderr)
	}
	ca := exec.Command(kysoBin, "ca", "serve", "--dir", "ca", "--addr", addr)
	ca.Dir = work
	var caErr bytes.Buffer
	ca.Stderr = &caErr
	if err := ca.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { ca.Process.Kill(); ca.Wait() }()
	for i := 0; ; i++ {
		if resp, err := http.Get(base + "/crl/issuing.crl"); err == nil {
			resp.Body.Close()
			break
		}
		if i == 100 {
			t.Fatalf("kyso ca serve does not answer\n%s", caErr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts := startTSA(t, work, nil, "--dev-ca", "ca")

	dipl, err := filepath.Abs(filepath.Join("..", "..", "testdata", "diplomas", "graduates.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if r := kyso(t, work, nil, "render", "--kind", "diploma", "--data", dipl, "--out", "in"); r.code != 0 {
		t.Fatalf("render: %d\n%s", r.code, r.stderr)
	}
	in := pdfFiles(t, filepath.Join(work, "in"))[0]
	out := filepath.Join(work, "lta.pdf")
	r := kyso(t, work, env, "sign", "--key", uri, "--tsa", ts.url, "--ltv", "--doc-timestamp", in, out)
	if r.code != 0 {
		t.Fatalf("sign --tsa --ltv --doc-timestamp: %d\n%s\n%s", r.code, r.stderr, caErr.String())
	}

	nss := testenv.PDFSig(t, readRoot(t, filepath.Join(work, "ca", "root.pem")))
	res := nss.Check(t, out)
	var sig, dts *testenv.PDFSigSignature
	for i := range res.Signatures {
		switch res.Signatures[i].FieldName {
		case "thu_truong":
			sig = &res.Signatures[i]
		case "DocTimeStamp1":
			dts = &res.Signatures[i]
		}
	}
	if sig == nil || dts == nil {
		t.Fatalf("pdfsig: want the director's signature and a document timestamp\n%s", res.Output)
	}
	if sig.SignatureValidation != testenv.PDFSigSignatureValid || sig.CertificateValidation != testenv.PDFSigCertificateTrusted {
		t.Errorf("pdfsig: the signature is %q, %q\n%s", sig.SignatureValidation, sig.CertificateValidation, res.Output)
	}
	// poppler 22.12 does not know ETSI.RFC3161 document timestamps (it says
	// "Signature Type: unknown", "not yet been verified"): check the token
	// with openssl instead, over the byte ranges it covers.
	if !dts.TotalDocumentSigned {
		t.Errorf("pdfsig: the document timestamp does not cover the whole file\n%s", res.Output)
	}
	data := readFile(t, out)
	m := regexp.MustCompile(`/SubFilter /ETSI\.RFC3161 /ByteRange \[0 (\d+) (\d+) (\d+)\s*\]`).FindSubmatch(data)
	if m == nil {
		t.Fatal("no document timestamp dictionary")
	}
	a, _ := strconv.Atoi(string(m[1]))
	b, _ := strconv.Atoi(string(m[2]))
	raw, err := hex.DecodeString(string(data[a+1 : b-1]))
	if err != nil {
		t.Fatal(err)
	}
	var tok asn1.RawValue
	if _, err := asn1.Unmarshal(raw, &tok); err != nil {
		t.Fatal(err)
	}
	covered := append(append([]byte{}, data[:a]...), data[b:]...)
	dir := t.TempDir()
	writeTo := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	openssl := testenv.NeedTool(t, "openssl")
	chain := readFile(t, filepath.Join(work, "ca", "tsa", "tsa.pem"))
	msg, err := exec.Command(openssl, "ts", "-verify", "-token_in", "-in", writeTo("dts.der", tok.FullBytes), "-data", writeTo("covered.bin", covered),
		"-CAfile", filepath.Join(work, "ca", "root.pem"), "-untrusted", writeTo("chain.pem", chain)).CombinedOutput()
	if err != nil || !strings.Contains(string(msg), "Verification: OK") {
		t.Errorf("openssl ts -verify of the document timestamp: %v\n%s", err, msg)
	}
	qpdf := testenv.NeedTool(t, "qpdf")
	if msg, err := exec.Command(qpdf, "--check", out).CombinedOutput(); err != nil || !strings.Contains(string(msg), "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check: %v\n%s", err, msg)
	}
	// The DSS holds the OCSP response and the CRLs fetched from the CA.
	for _, want := range []string{"/DSS", "/OCSPs", "/CRLs", "/VRI", "/ETSI.RFC3161"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("the signed file has no %s", want)
		}
	}
	ts.stop(t)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
