package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"github.com/gocnn/gocnn/train"
)

// signalCause is the cause of a context cancelled by a signal.
type signalCause struct{ sig os.Signal }

func (c signalCause) Error() string { return c.sig.String() }

// exitStatus is the shell's status for a process ended by sig: 128 + its
// number (130 for SIGINT, 143 for SIGTERM).
func exitStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

// stopOnSignals returns a context that the first SIGINT (Ctrl-C) or SIGTERM
// (docker stop, Kubernetes, Slurm) cancels, with the signal as its cause:
// train.Run then stops at the next step boundary and saves a checkpoint.
// A second signal stops at once: it writes a line to stderr saying how to
// resume from the last checkpoint in output and calls exit with the
// signal's status. release stops listening.
func stopOnSignals(stderr io.Writer, output string, exit func(int)) (ctx context.Context, release func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-signals:
			fmt.Fprintf(stderr, "train: %s: stopping after this step (a second one stops at once)\n", sig)
			cancel(signalCause{sig})
		case <-done:
			return
		}
		select {
		case sig := <-signals:
			fmt.Fprintf(stderr, "train: %s again: stopped at once, nothing saved since the last checkpoint; resume from it with: %s -resume %s\n",
				sig, command(), shellQuote(output))
			exit(exitStatus(sig))
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(signals)
		close(done)
		cancel(nil)
	}
}

// stoppedLine is the message of a run stopped by a signal: where it
// stopped, its checkpoint, and the command that resumes it.
func stoppedLine(st *train.Stopped) string {
	msg := "train: " + st.Error()
	if st.Checkpoint != "" {
		msg += fmt.Sprintf("; resume with: %s -resume %s", command(), shellQuote(st.Resume))
	}
	return msg
}

// exitCode is the status train exits with after err: that of the signal
// that stopped it, else 1.
func exitCode(err error) int {
	var c signalCause
	if errors.As(err, &c) {
		return exitStatus(c.sig)
	}
	return 1
}

// command is how the user ran this program, for the resume command:
// "go run ./cmd/train" when go run built it into a temporary folder.
func command() string {
	if strings.Contains(os.Args[0], string(filepath.Separator)+"go-build") {
		return "go run ./cmd/train"
	}
	return shellQuote(os.Args[0])
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=+,@%-]+$`)

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
