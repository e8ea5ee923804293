package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/internal/atomicfile"
	"github.com/kyso-vn/kyso/issuance"
	"github.com/kyso-vn/kyso/templates"
)

// demoGradebooks is the gradebook part of 'kyso demo': the Toán teacher's
// software key (DIR/keys/teacher.key), the sample class's Toán gradebooks
// for both terms as a school exports them (DIR/gradebook.xlsx), issued
// into DIR/gradebooks and registered in the same registry as the diplomas.
func demoGradebooks(e *env, dir string, ca *devca.CA, baseURL, logKey, tsaURL string) ([]issuance.Result, error) {
	var books []*templates.Gradebook
	for _, term := range []templates.Term{templates.TermI, templates.TermII} {
		g, err := templates.SampleGradebook(templates.SampleClassSize, term, "Toán")
		if err != nil {
			return nil, err
		}
		books = append(books, &g)
	}
	teacher := books[0]
	keyURI, err := demoKey(e, dir, "teacher", ca, devca.Subject{
		CommonName:   teacher.Teacher,
		Title:        "Giáo viên bộ môn Toán",
		Organization: teacher.School,
		Province:     teacher.Place,
	})
	if err != nil {
		return nil, fmt.Errorf("create the teacher's key: %w", err)
	}
	var xlsx bytes.Buffer
	if err := templates.WriteGradebookXLSX(&xlsx, books...); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "gradebook.xlsx")
	if err := atomicfile.Write(path, xlsx.Bytes(), 0o600); err != nil {
		return nil, err
	}
	sum, err := runIssueGradebooks(e, issueConfig{
		kind:    "gradebook",
		data:    path,
		keyURI:  keyURI,
		dbPath:  filepath.Join(dir, "registry.db"),
		outDir:  filepath.Join(dir, "gradebooks"),
		baseURL: baseURL,
		logKey:  logKey,
		tsa:     tsaURL,
	})
	if err != nil {
		return nil, err
	}
	return sum.results, nil
}

// demoKey returns the URI of the demo's software key DIR/keys/NAME.key,
// creating it, its passphrase file (DIR/keys/NAME.pass) and its
// certificate from ca for subject on the first run.
func demoKey(e *env, dir, name string, ca *devca.CA, subject devca.Subject) (string, error) {
	keyPath := filepath.Join(dir, "keys", name+".key")
	passPath := filepath.Join(dir, "keys", name+".pass")
	keyURI := "file:" + escapePath(mustAbs(keyPath)) + "?pin-source=file:" + escapePath(mustAbs(passPath))
	if _, err := os.Stat(keyPath); !os.IsNotExist(err) {
		return keyURI, err
	}
	if err := os.MkdirAll(filepath.Dir(keyPath), 0o700); err != nil {
		return "", err
	}
	pass := make([]byte, 24)
	if _, err := e.rand.Read(pass); err != nil {
		return "", err
	}
	if err := atomicfile.Write(passPath, []byte(hex.EncodeToString(pass)+"\n"), 0o600); err != nil {
		return "", err
	}
	alg, err := hsm.ParseAlgorithm("p256")
	if err != nil {
		return "", err
	}
	if _, err := createKey(e, keyURI, alg, ca, subject); err != nil {
		return "", err
	}
	e.log.Info("created a demo signing key", "key", name, "key_uri", hsm.RedactURI(keyURI))
	return keyURI, nil
}
