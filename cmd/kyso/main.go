// Command kyso renders, signs, registers and verifies Vietnamese school
// credentials. Run "kyso --help" for the list of subcommands.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"
)

// env is everything a command may touch of the outside world; tests build
// their own.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
	rand   io.Reader
	// interactive reports whether a person is at the terminal (prompts and
	// progress bars are shown only then).
	interactive bool
	log         *slog.Logger
}

type command struct {
	summary string
	run     func(e *env, args []string) error
}

// commands is built by a function so no package-level state is mutable.
func commands() map[string]command {
	return map[string]command{
		"demo":      {"run the whole path on sample data and start the server (zero set-up)", cmdDemo},
		"ca":        {"manage the development CA (kyso ca init)", cmdCA},
		"tsa":       {"run an RFC 3161 time-stamping authority (kyso tsa serve)", cmdTSA},
		"keys":      {"create a signing key in a token or a file and certify it (kyso keys new)", cmdKeys},
		"sign":      {"sign a PDF with a key from a PKCS#11 token or a key file", cmdSign},
		"issue":     {"validate a data file, render, sign and register one diploma per row", cmdIssue},
		"verify":    {"verify a signed PDF with explicit trust roots (exit 0 valid, 1 failed, 2 indeterminate, 3 error)", cmdVerify},
		"render":    {"render unsigned previews of diplomas, học bạ or gradebooks from a data file", cmdRender},
		"extract":   {"print the machine-readable record embedded in a kyso PDF", cmdExtract},
		"serve":     {"run the public verification server", cmdServe},
		"staff":     {"run and administer the staff signing service (kyso staff serve --config FILE)", cmdStaff},
		"revoke":    {"revoke a credential, with a reason (kept in the audit log)", cmdRevoke},
		"supersede": {"record that a corrected credential replaces an older one", cmdSupersede},
		"log":       {"create the transparency log's key (kyso log init)", cmdLog},
		"version":   {"print the version", cmdVersion},
	}
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// usageError makes a command exit with status 2 (3 for verify) after
// printing its usage.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitError carries a specific exit status (kyso verify's 1 and 2).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	interactive := term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stderr.Fd()))
	e := &env{
		ctx:         ctx,
		stdin:       os.Stdin,
		stdout:      os.Stdout,
		stderr:      os.Stderr,
		getenv:      os.Getenv,
		now:         time.Now,
		rand:        rand.Reader,
		interactive: interactive,
	}
	os.Exit(run(e, os.Args[1:]))
}

func run(e *env, args []string) int {
	if e.log == nil {
		e.log = newLogger(e.stderr, e.interactive, e.getenv("KYSO_LOG"))
	}
	// pdfsign logs through the standard library's global logger; send it
	// through slog so its lines are structured like ours.
	log.SetFlags(0)
	log.SetOutput(slogWriter{e.log})

	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			if c, ok := cmds[args[1]]; ok {
				_ = c.run(e, []string{"--help"})
				return 0
			}
		}
		printHelp(e.stdout, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	name := args[0]
	c, ok := cmds[name]
	if !ok {
		fmt.Fprintf(e.stderr, "kyso: unknown command %q\n\n", name)
		printHelp(e.stderr, cmds)
		return 2
	}
	err := c.run(e, args[1:])
	usageCode := 2
	if name == "verify" {
		usageCode = 3
	}
	var ue usageError
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "kyso %s: %s\nRun 'kyso %s --help' for usage.\n", name, ue.msg, name)
		return usageCode
	default:
		fmt.Fprintf(e.stderr, "kyso %s: %v\n", name, err)
		if name == "verify" {
			return 3
		}
		return 1
	}
}

func printHelp(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "kyso renders Vietnamese school credentials to PDF, signs them with keys in PKCS#11")
	fmt.Fprintln(w, "tokens or key files, registers them, and verifies them.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: kyso <command> [flags] [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'kyso <command> --help' for the flags of a command.")
}

// newFlags makes a flag set whose --help prints the synopsis, the
// description and the flags.
func newFlags(e *env, name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet("kyso "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := e.stdout
		fmt.Fprintf(w, "Usage: kyso %s %s\n\n", name, synopsis)
		fmt.Fprintln(w, strings.TrimSpace(description))
		fmt.Fprintln(w)
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(w, "Flags:")
			fs.SetOutput(w)
			fs.PrintDefaults()
			fs.SetOutput(e.stderr)
		}
	}
	return fs
}

// parse parses flags, allowing them before and after positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

func newLogger(w io.Writer, terminal bool, level string) *slog.Logger {
	lvl := slog.LevelInfo
	switch strings.ToLower(level) {
	case "debug":
		lvl = slog.LevelDebug
	case "warn":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if terminal {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Info(strings.TrimSpace(string(p)), "component", "pdfsign")
	return len(p), nil
}

func cmdVersion(e *env, args []string) error {
	fs := newFlags(e, "version", "", "Print kyso's version.")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "kyso", version)
	return nil
}
