package hsm

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/ThalesGroup/crypto11"
	"github.com/miekg/pkcs11"
)

// loginMu serialises "check that the token is not logged in, then log in"
// across the process. PKCS#11 login state belongs to the process, not to a
// session or a crypto11 context: once one context is logged in, C_Login from
// another returns CKR_USER_ALREADY_LOGGED_IN without checking the PIN, and
// crypto11 treats that as success. Without the lock, two concurrent Opens of
// one token could both see it logged out and the second would then skip the
// PIN check. The lock guards process-wide library state, not configuration.
var loginMu sync.Mutex

// crypto11's message for a token it cannot find; it exports no sentinel.
const crypto11TokenNotFound = "could not find PKCS#11 token"

// tokenKey is an open key pair on a token, before it becomes a Key.
type tokenKey struct {
	c11    *crypto11.Context
	signer crypto11.Signer
	id     []byte
	label  string
	stored *x509.Certificate
}

// tokenSigner exposes only crypto.Signer, hiding crypto11's Delete and
// Decrypt methods from the code that signs.
type tokenSigner struct{ s crypto.Signer }

func (t tokenSigner) Public() crypto.PublicKey { return t.s.Public() }

func (t tokenSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	sig, err := t.s.Sign(r, digest, opts)
	if err != nil {
		return nil, mapSignError(err)
	}
	return sig, nil
}

// mapSignError names the PKCS#11 errors of a token that went away while in
// use (pulled out of its USB port, an HSM connection lost, a session
// closed under the key): ErrTokenRemoved, with the cause kept.
func mapSignError(err error) error {
	for _, code := range []uint{
		pkcs11.CKR_DEVICE_REMOVED, pkcs11.CKR_TOKEN_NOT_PRESENT, pkcs11.CKR_DEVICE_ERROR,
		pkcs11.CKR_SESSION_HANDLE_INVALID, pkcs11.CKR_SESSION_CLOSED, pkcs11.CKR_USER_NOT_LOGGED_IN,
		pkcs11.CKR_CRYPTOKI_NOT_INITIALIZED,
	} {
		if isCKR(err, code) {
			return fmt.Errorf("%w: %w", ErrTokenRemoved, err)
		}
	}
	return err
}

func openTokenKey(ctx context.Context, u *URI, opts *Options) (*Key, error) {
	if err := checkKeySelector(u); err != nil {
		return nil, err
	}
	tk, err := findTokenKey(ctx, u, opts)
	if err != nil {
		return nil, err
	}
	var stored []*x509.Certificate
	if tk.stored != nil {
		stored = append([]*x509.Certificate{tk.stored}, tokenIssuers(tk.c11, tk.stored)...)
	}
	chain, err := buildChain(tk.signer.Public(), stored, opts.Certificates, opts.AllowMissingCertificate)
	if err != nil {
		tk.c11.Close()
		return nil, fmt.Errorf("key %s: %w", keyName(u), err)
	}
	return &Key{
		Signer:  tokenSigner{tk.signer},
		Chain:   chain,
		URI:     u.String(),
		ID:      tk.id,
		Label:   tk.label,
		closeFn: tk.c11.Close,
	}, nil
}

// checkKeySelector refuses URIs that cannot name one private key.
func checkKeySelector(u *URI) error {
	if u.Object == "" && len(u.ID) == 0 {
		return uriErr("object", ErrInvalidURI, "the URI names no key: add object= or id=")
	}
	if u.Type != "" && u.Type != "private" {
		return uriErr("type", ErrInvalidValue, "a signing key is type=private")
	}
	return nil
}

// findTokenKey logs in and finds the unique key pair u names, with the
// certificate stored beside it if any. The caller closes tk.c11.
func findTokenKey(ctx context.Context, u *URI, opts *Options) (*tokenKey, error) {
	c11, err := loginToken(ctx, u, opts)
	if err != nil {
		return nil, err
	}
	tk, err := lookupKeyPair(c11, u)
	if err != nil {
		c11.Close()
		return nil, err
	}
	return tk, nil
}

func lookupKeyPair(c11 *crypto11.Context, u *URI) (*tokenKey, error) {
	var label []byte
	if u.Object != "" {
		label = []byte(u.Object)
	}
	signers, err := c11.FindKeyPairs(u.ID, label)
	if err != nil {
		return nil, fmt.Errorf("find key %s: %w", keyName(u), err)
	}
	switch len(signers) {
	case 0:
		return nil, fmt.Errorf("key %s on token %s: %w", keyName(u), tokenName(u), ErrKeyNotFound)
	case 1:
	default:
		return nil, fmt.Errorf("key %s on token %s: %d key pairs match, add id= or a distinct object=: %w",
			keyName(u), tokenName(u), len(signers), ErrAmbiguousKey)
	}
	s := signers[0]
	attrs, err := c11.GetAttributes(s, []crypto11.AttributeType{crypto11.CkaId, crypto11.CkaLabel, crypto11.CkaSign})
	if err != nil {
		return nil, fmt.Errorf("read attributes of key %s: %w", keyName(u), err)
	}
	tk := &tokenKey{c11: c11, signer: s}
	if a := attrs[crypto11.CkaId]; a != nil {
		tk.id = a.Value
	}
	if a := attrs[crypto11.CkaLabel]; a != nil {
		tk.label = string(a.Value)
	}
	if a := attrs[crypto11.CkaSign]; a == nil || !bytes.Equal(a.Value, []byte{1}) {
		return nil, fmt.Errorf("key %s: %w", keyName(u), ErrNotSigningKey)
	}
	switch {
	case len(tk.id) > 0:
		tk.stored, err = c11.FindCertificate(tk.id, nil, nil)
	case tk.label != "":
		tk.stored, err = c11.FindCertificate(nil, []byte(tk.label), nil)
	}
	if err != nil {
		return nil, fmt.Errorf("find certificate of key %s: %w", keyName(u), err)
	}
	return tk, nil
}

// loginToken opens the token u names and logs in. The steps run under
// loginMu: find the token and check it is unique, not locked and not
// already logged in by this process; get the PIN; log in. When the PIN must
// be asked for, the lock is released while the person types and the checks
// run again afterwards.
func loginToken(ctx context.Context, u *URI, opts *Options) (*crypto11.Context, error) {
	if u.Token == "" && u.Serial == "" {
		if u.SlotID != nil {
			return nil, uriErr("slot-id", ErrInvalidURI, "slot numbers change when tokens are initialised: select the token with token= or serial=")
		}
		return nil, uriErr("token", ErrInvalidURI, "the URI names no token: add token= or serial=")
	}
	module, err := resolveModule(u, opts.DefaultModule)
	if err != nil {
		return nil, err
	}
	interactive := !hasNonInteractiveSecret(u)

	loginMu.Lock()
	locked := true
	defer func() {
		if locked {
			loginMu.Unlock()
		}
	}()

	st, err := inspectToken(module, u)
	if err != nil {
		return nil, err
	}
	defer st.release()

	var pin []byte
	if st.loginRequired {
		if interactive && opts.Prompt == nil {
			return nil, fmt.Errorf("token %s: %w: the URI has no pin-source or pin-value and there is no terminal to ask on", tokenName(u), ErrNoPINSource)
		}
		if interactive {
			loginMu.Unlock()
			locked = false
			pin, err = opts.secret(u, fmt.Sprintf("PIN for token %q: ", st.label))
			if err != nil {
				return nil, fmt.Errorf("token %s: %w", tokenName(u), err)
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			loginMu.Lock()
			locked = true
			again, err := inspectToken(module, u)
			if err != nil {
				return nil, err
			}
			defer again.release()
		} else {
			pin, err = opts.secret(u, "")
			if err != nil {
				return nil, fmt.Errorf("token %s: %w", tokenName(u), err)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg := &crypto11.Config{Path: module, Pin: string(pin), LoginNotSupported: !st.loginRequired}
	clear(pin)
	setSelector(cfg, u)
	c11, err := crypto11.Configure(cfg)
	if err != nil {
		return nil, fmt.Errorf("log in to token %s: %w", tokenName(u), mapLoginError(err))
	}
	return c11, nil
}

// mapLoginError turns PKCS#11 PIN failures into sentinels. Other errors are
// returned as they are; crypto11 never puts the PIN in them.
func mapLoginError(err error) error {
	var p11 pkcs11.Error
	if errors.As(err, &p11) {
		switch p11 {
		case pkcs11.CKR_PIN_INCORRECT, pkcs11.CKR_PIN_INVALID, pkcs11.CKR_PIN_LEN_RANGE:
			return ErrWrongPIN
		case pkcs11.CKR_PIN_LOCKED:
			return ErrPINLocked
		}
	}
	return err
}

// setSelector sets the one token selector crypto11 takes: the serial when
// given (unique by design), else the label.
func setSelector(cfg *crypto11.Config, u *URI) {
	if u.Serial != "" {
		cfg.TokenSerial = u.Serial
	} else {
		cfg.TokenLabel = u.Token
	}
}

// tokenState is what inspectToken learnt. release closes the probe context
// that keeps the module loaded.
type tokenState struct {
	label         string
	loginRequired bool
	release       func()
}

// inspectToken finds the token u names without logging in. It holds the
// module open through a crypto11 context with login disabled, so the raw
// PKCS#11 handle it opens alongside finds the library initialised and never
// has to finalise it. It checks that exactly one token matches the selector
// crypto11 will use, that this token matches every other attribute in u, that
// the user PIN is not locked, and that this process is not already logged in.
func inspectToken(module string, u *URI) (*tokenState, error) {
	cfg := &crypto11.Config{Path: module, LoginNotSupported: true, MaxSessions: 2}
	setSelector(cfg, u)
	probe, err := crypto11.Configure(cfg)
	if err != nil {
		if err.Error() == crypto11TokenNotFound {
			return nil, fmt.Errorf("token %s: %w", tokenName(u), ErrTokenNotFound)
		}
		return nil, fmt.Errorf("open PKCS#11 module %s: %w", module, err)
	}
	st, err := inspectRaw(module, u)
	if err != nil {
		probe.Close()
		return nil, err
	}
	st.release = func() { probe.Close() }
	return st, nil
}

func inspectRaw(module string, u *URI) (*tokenState, error) {
	raw := pkcs11.New(module)
	if raw == nil {
		return nil, fmt.Errorf("load PKCS#11 module %s: %w", module, ErrNoModule)
	}
	defer raw.Destroy()
	if err := raw.Initialize(); err != nil && !isCKR(err, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		return nil, fmt.Errorf("initialise PKCS#11 module %s: %w", module, err)
	}
	// Never C_Finalize here: the probe context owns the initialisation.

	if err := checkLibrary(raw, u); err != nil {
		return nil, err
	}
	slots, err := raw.GetSlotList(true)
	if err != nil {
		return nil, fmt.Errorf("list PKCS#11 slots: %w", err)
	}
	var selected []uint
	var infos []pkcs11.TokenInfo
	for _, slot := range slots {
		ti, err := raw.GetTokenInfo(slot)
		if err != nil {
			continue
		}
		if u.Serial != "" && trimPadding(ti.SerialNumber) == u.Serial ||
			u.Serial == "" && trimPadding(ti.Label) == u.Token {
			selected = append(selected, slot)
			infos = append(infos, ti)
		}
	}
	switch len(selected) {
	case 0:
		return nil, fmt.Errorf("token %s: %w", tokenName(u), ErrTokenNotFound)
	case 1:
	default:
		return nil, fmt.Errorf("token %s: %d tokens match, add serial= to the URI: %w", tokenName(u), len(selected), ErrAmbiguousToken)
	}
	slot, ti := selected[0], infos[0]
	if err := checkTokenAttrs(raw, u, slot, ti); err != nil {
		return nil, err
	}
	if ti.Flags&pkcs11.CKF_USER_PIN_LOCKED != 0 {
		return nil, fmt.Errorf("token %s: %w", tokenName(u), ErrPINLocked)
	}
	loginRequired := ti.Flags&pkcs11.CKF_LOGIN_REQUIRED != 0
	if loginRequired {
		sh, err := raw.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION)
		if err != nil {
			return nil, fmt.Errorf("token %s: open session: %w", tokenName(u), err)
		}
		info, err := raw.GetSessionInfo(sh)
		raw.CloseSession(sh)
		if err != nil {
			return nil, fmt.Errorf("token %s: session info: %w", tokenName(u), err)
		}
		switch info.State {
		case pkcs11.CKS_RO_USER_FUNCTIONS, pkcs11.CKS_RW_USER_FUNCTIONS, pkcs11.CKS_RW_SO_FUNCTIONS:
			return nil, fmt.Errorf("token %s: %w", tokenName(u), ErrTokenInUse)
		}
	}
	return &tokenState{label: trimPadding(ti.Label), loginRequired: loginRequired}, nil
}

// checkTokenAttrs checks the URI's other token and slot attributes against
// the selected token.
func checkTokenAttrs(raw *pkcs11.Ctx, u *URI, slot uint, ti pkcs11.TokenInfo) error {
	mismatch := func(attr string) error {
		return fmt.Errorf("token %s: %s does not match: %w", tokenName(u), attr, ErrTokenNotFound)
	}
	if u.Token != "" && trimPadding(ti.Label) != u.Token {
		return mismatch("token")
	}
	if u.Manufacturer != "" && trimPadding(ti.ManufacturerID) != u.Manufacturer {
		return mismatch("manufacturer")
	}
	if u.Model != "" && trimPadding(ti.Model) != u.Model {
		return mismatch("model")
	}
	if u.SlotID != nil && *u.SlotID != slot {
		return mismatch("slot-id")
	}
	if u.SlotManufacturer != "" || u.SlotDescription != "" {
		si, err := raw.GetSlotInfo(slot)
		if err != nil {
			return fmt.Errorf("token %s: slot info: %w", tokenName(u), err)
		}
		if u.SlotManufacturer != "" && trimPadding(si.ManufacturerID) != u.SlotManufacturer {
			return mismatch("slot-manufacturer")
		}
		if u.SlotDescription != "" && trimPadding(si.SlotDescription) != u.SlotDescription {
			return mismatch("slot-description")
		}
	}
	return nil
}

// checkLibrary checks the library-* attributes against C_GetInfo.
func checkLibrary(raw *pkcs11.Ctx, u *URI) error {
	if u.LibraryManufacturer == "" && u.LibraryDescription == "" && u.LibraryVersion == "" {
		return nil
	}
	info, err := raw.GetInfo()
	if err != nil {
		return fmt.Errorf("PKCS#11 library info: %w", err)
	}
	mismatch := func(attr string) error {
		return fmt.Errorf("token %s: %s does not match the module: %w", tokenName(u), attr, ErrTokenNotFound)
	}
	if u.LibraryManufacturer != "" && trimPadding(info.ManufacturerID) != u.LibraryManufacturer {
		return mismatch("library-manufacturer")
	}
	if u.LibraryDescription != "" && trimPadding(info.LibraryDescription) != u.LibraryDescription {
		return mismatch("library-description")
	}
	if u.LibraryVersion != "" {
		major, minor, _ := strings.Cut(u.LibraryVersion, ".")
		if minor == "" {
			minor = "0"
		}
		ma, _ := strconv.Atoi(major)
		mi, _ := strconv.Atoi(minor)
		if int(info.LibraryVersion.Major) != ma || int(info.LibraryVersion.Minor) != mi {
			return mismatch("library-version")
		}
	}
	return nil
}

func isCKR(err error, code uint) bool {
	var p11 pkcs11.Error
	return errors.As(err, &p11) && uint(p11) == code
}

// trimPadding removes the blank (or NUL) padding of PKCS#11 fixed-size
// text fields.
func trimPadding(s string) string { return strings.TrimRight(s, " \x00") }

// tokenName names the token of u for messages.
func tokenName(u *URI) string {
	if u.Serial != "" {
		return fmt.Sprintf("serial %q", u.Serial)
	}
	return strconv.Quote(u.Token)
}

// keyName names the key of u for messages.
func keyName(u *URI) string {
	var parts []string
	if u.Object != "" {
		parts = append(parts, fmt.Sprintf("object %q", u.Object))
	}
	if len(u.ID) > 0 {
		parts = append(parts, fmt.Sprintf("id %x", u.ID))
	}
	return strings.Join(parts, " ")
}

// resolveModule finds the PKCS#11 module file and resolves symbolic links:
// crypto11 initialises a module once per path, so two paths to one library
// (Debian's /usr/lib/softhsm/libsofthsm2.so is a link) would initialise it
// twice and fail.
func resolveModule(u *URI, fallback string) (string, error) {
	p, err := findModulePath(u, fallback)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", fmt.Errorf("PKCS#11 module %s: %w", p, errors.Join(ErrNoModule, err))
	}
	return real, nil
}

// findModulePath finds the PKCS#11 module file. module-path is used as given
// when it is a file; when it is a directory, module-name is looked up in it.
// module-name alone is looked up in the usual module directories.
func findModulePath(u *URI, fallback string) (string, error) {
	if u.ModulePath != "" {
		fi, err := os.Stat(u.ModulePath)
		if err != nil {
			return "", fmt.Errorf("module-path %s: %w", u.ModulePath, errors.Join(ErrNoModule, err))
		}
		if !fi.IsDir() {
			return u.ModulePath, nil
		}
		if u.ModuleName == "" {
			return "", fmt.Errorf("module-path %s is a directory and the URI has no module-name: %w", u.ModulePath, ErrNoModule)
		}
		if p := findModule(u.ModuleName, []string{u.ModulePath}); p != "" {
			return p, nil
		}
		return "", fmt.Errorf("module-name %q not found in %s: %w", u.ModuleName, u.ModulePath, ErrNoModule)
	}
	if u.ModuleName != "" {
		if p := findModule(u.ModuleName, moduleDirs()); p != "" {
			return p, nil
		}
		return "", fmt.Errorf("module-name %q not found in %s: %w", u.ModuleName, strings.Join(moduleDirs(), ", "), ErrNoModule)
	}
	if fallback != "" {
		return fallback, nil
	}
	return "", fmt.Errorf("the URI has no module-path or module-name and no default module is configured: %w", ErrNoModule)
}

// findModule looks for NAME, NAME.so and libNAME.so in dirs.
func findModule(name string, dirs []string) string {
	for _, dir := range dirs {
		for _, file := range []string{name, name + ".so", "lib" + name + ".so"} {
			p := filepath.Join(dir, file)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				return p
			}
		}
	}
	return ""
}

// moduleDirs lists where module-name is looked up: p11-kit's module
// directory, the library directories, and SoftHSM's own directory.
func moduleDirs() []string {
	var dirs []string
	if triplet := multiarchTriplet(); triplet != "" {
		lib := "/usr/lib/" + triplet
		dirs = append(dirs, lib+"/pkcs11", lib, lib+"/softhsm")
	}
	return append(dirs, "/usr/lib/pkcs11", "/usr/lib", "/usr/lib/softhsm", "/usr/local/lib", "/usr/local/lib/softhsm")
}

// multiarchTriplet is Debian's library directory name for this architecture.
func multiarchTriplet() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64-linux-gnu"
	case "arm64":
		return "aarch64-linux-gnu"
	case "386":
		return "i386-linux-gnu"
	case "arm":
		return "arm-linux-gnueabihf"
	case "ppc64le":
		return "powerpc64le-linux-gnu"
	case "s390x":
		return "s390x-linux-gnu"
	case "riscv64":
		return "riscv64-linux-gnu"
	}
	return ""
}

// GenerateTokenKey creates a signing key pair on the token uri names and
// returns it open, with an empty Chain. object= is the new key's label
// (CKA_LABEL); id= its CKA_ID, or else 16 random bytes from Options.Rand.
// The key is created with explicit attributes: sign/verify only (no
// decrypt, unwrap, derive, encrypt or wrap), stored on the token, private,
// sensitive and not extractable. A key with the same label, or the same id
// when the URI gives one, is refused with ErrKeyExists.
func GenerateTokenKey(ctx context.Context, uri string, alg Algorithm, opts Options) (*Key, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if u.Scheme != SchemePKCS11 {
		return nil, uriErr("", ErrInvalidURI, "GenerateTokenKey needs a pkcs11: URI; use GenerateFileKey for files")
	}
	if u.Object == "" {
		return nil, uriErr("object", ErrInvalidURI, "the new key needs a label: add object=")
	}
	if u.Type != "" && u.Type != "private" {
		return nil, uriErr("type", ErrInvalidValue, "a signing key is type=private")
	}
	if alg.rsaBits() == 0 && alg.curve() == nil {
		return nil, fmt.Errorf("generate key: %w: %v", ErrUnknownAlgorithm, alg)
	}
	id := u.ID
	if len(id) == 0 {
		r := opts.Rand
		if r == nil {
			r = rand.Reader
		}
		id = make([]byte, 16)
		if _, err := io.ReadFull(r, id); err != nil {
			return nil, fmt.Errorf("generate key id: %w", err)
		}
	}
	c11, err := loginToken(ctx, u, &opts)
	if err != nil {
		return nil, err
	}
	signer, err := generateOnToken(c11, u, alg, id)
	if err != nil {
		c11.Close()
		return nil, err
	}
	return &Key{
		Signer:  tokenSigner{signer},
		URI:     u.String(),
		ID:      id,
		Label:   u.Object,
		closeFn: c11.Close,
	}, nil
}

func generateOnToken(c11 *crypto11.Context, u *URI, alg Algorithm, id []byte) (crypto11.Signer, error) {
	label := []byte(u.Object)
	existing, err := c11.FindPrivateKeys(nil, label)
	if err != nil {
		return nil, fmt.Errorf("look for keys labelled %q: %w", u.Object, err)
	}
	if len(existing) > 0 {
		return nil, fmt.Errorf("token %s: object %q: %w", tokenName(u), u.Object, ErrKeyExists)
	}
	if existing, err = c11.FindPrivateKeys(id, nil); err != nil {
		return nil, fmt.Errorf("look for keys with id %x: %w", id, err)
	}
	if len(existing) > 0 {
		return nil, fmt.Errorf("token %s: id %x: %w", tokenName(u), id, ErrKeyExists)
	}

	public, private, err := signingTemplates(id, label)
	if err != nil {
		return nil, fmt.Errorf("key template: %w", err)
	}
	var signer crypto11.Signer
	if bits := alg.rsaBits(); bits > 0 {
		signer, err = c11.GenerateRSAKeyPairWithAttributes(public, private, bits)
	} else {
		signer, err = c11.GenerateECDSAKeyPairWithAttributes(public, private, alg.curve())
	}
	if err != nil {
		return nil, fmt.Errorf("generate %v key %q on token %s: %w", alg, u.Object, tokenName(u), err)
	}
	return signer, nil
}

// signingTemplates returns the attributes of a signing-only key pair. Every
// usage is set explicitly, because crypto11's defaults allow RSA keys to
// decrypt.
func signingTemplates(id, label []byte) (public, private crypto11.AttributeSet, err error) {
	public = crypto11.NewAttributeSet()
	private = crypto11.NewAttributeSet()
	set := func(s crypto11.AttributeSet, t crypto11.AttributeType, v any) {
		if err == nil {
			err = s.Set(t, v)
		}
	}
	for _, s := range []crypto11.AttributeSet{public, private} {
		set(s, crypto11.CkaId, id)
		set(s, crypto11.CkaLabel, label)
		set(s, crypto11.CkaToken, true)
	}
	set(public, crypto11.CkaPrivate, false)
	set(public, crypto11.CkaVerify, true)
	set(public, crypto11.CkaEncrypt, false)
	set(public, crypto11.CkaWrap, false)
	set(public, crypto11.CkaDerive, false)

	set(private, crypto11.CkaPrivate, true)
	set(private, crypto11.CkaSensitive, true)
	set(private, crypto11.CkaExtractable, false)
	set(private, crypto11.CkaSign, true)
	set(private, crypto11.CkaDecrypt, false)
	set(private, crypto11.CkaUnwrap, false)
	set(private, crypto11.CkaDerive, false)
	return public, private, err
}

// maxTokenChain bounds the issuers followed on a token.
const maxTokenChain = 8

// tokenIssuers follows leaf's issuers through the CA certificates stored on
// the token (labelled with their subject's common name, as
// ImportCertificates stores them), stopping at a self-signed certificate or
// at the first issuer the token does not hold. Only a certificate whose
// signature checks is taken.
func tokenIssuers(c11 *crypto11.Context, leaf *x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	cur := leaf
	for range maxTokenChain {
		if bytes.Equal(cur.RawIssuer, cur.RawSubject) || cur.Issuer.CommonName == "" {
			break
		}
		ca, err := c11.FindCertificate(nil, []byte(cur.Issuer.CommonName), nil)
		if err != nil || ca == nil || !ca.IsCA || cur.CheckSignatureFrom(ca) != nil {
			break
		}
		out = append(out, ca)
		cur = ca
	}
	return out
}

// ImportCertificates stores chain[0] beside the key uri names, as
// ImportCertificate does, and each CA certificate after it under its
// subject's common name, so that Open returns the whole chain without
// Options.Certificates (tokens from Vietnamese CAs carry their chain the same
// way). A CA certificate already on the token is left alone.
func ImportCertificates(ctx context.Context, uri string, chain []*x509.Certificate, opts Options) error {
	if len(chain) == 0 {
		return errors.New("import certificates: empty chain")
	}
	for i := 0; i+1 < len(chain); i++ {
		if !chain[i+1].IsCA || chain[i].CheckSignatureFrom(chain[i+1]) != nil {
			return fmt.Errorf("import certificates: certificate %d is not issued by certificate %d: %w", i, i+1, ErrInvalidChain)
		}
	}
	return importCertificates(ctx, uri, chain, opts)
}

// ImportCertificate stores cert on the token beside the key uri names, with
// the key's CKA_ID and CKA_LABEL, so that Open finds it without
// Options.Certificates. The certificate must hold the key's public key
// (ErrCertificateMismatch). Importing the certificate already stored is a
// no-op; a different one stored with the key is refused with
// ErrCertificateExists.
func ImportCertificate(ctx context.Context, uri string, cert *x509.Certificate, opts Options) error {
	if cert == nil {
		return errors.New("import certificate: nil certificate")
	}
	return importCertificates(ctx, uri, []*x509.Certificate{cert}, opts)
}

func importCertificates(ctx context.Context, uri string, chain []*x509.Certificate, opts Options) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cert := chain[0]
	u, err := ParseURI(uri)
	if err != nil {
		return err
	}
	if u.Scheme != SchemePKCS11 {
		return uriErr("", ErrInvalidURI, "ImportCertificate needs a pkcs11: URI")
	}
	if err := checkKeySelector(u); err != nil {
		return err
	}
	tk, err := findTokenKey(ctx, u, &opts)
	if err != nil {
		return err
	}
	defer tk.c11.Close()
	if !publicKeyEqual(tk.signer.Public(), cert.PublicKey) {
		return fmt.Errorf("import certificate %q for key %s: %w", cert.Subject.String(), keyName(u), ErrCertificateMismatch)
	}
	switch {
	case tk.stored != nil && !bytes.Equal(tk.stored.Raw, cert.Raw):
		return fmt.Errorf("import certificate for key %s: %w", keyName(u), ErrCertificateExists)
	case tk.stored == nil && len(tk.id) == 0:
		return fmt.Errorf("import certificate for key %s: the key has no CKA_ID to link the certificate to", keyName(u))
	case tk.stored == nil:
		label := []byte(tk.label)
		if len(label) == 0 {
			label = []byte(cert.Subject.CommonName)
		}
		if err := tk.c11.ImportCertificateWithLabel(tk.id, label, cert); err != nil {
			return fmt.Errorf("import certificate for key %s: %w", keyName(u), err)
		}
	}
	for _, ca := range chain[1:] {
		label := []byte(ca.Subject.CommonName)
		have, err := tk.c11.FindCertificate(nil, label, nil)
		if err != nil {
			return fmt.Errorf("look for CA certificate %q on the token: %w", ca.Subject.CommonName, err)
		}
		if have != nil {
			continue
		}
		id := sha256.Sum256(ca.Raw)
		if err := tk.c11.ImportCertificateWithLabel(id[:8], label, ca); err != nil {
			return fmt.Errorf("import CA certificate %q: %w", ca.Subject.CommonName, err)
		}
	}
	return nil
}
