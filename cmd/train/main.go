// Command train trains and inspects gocnn's models.
//
//	train -models                           list the model zoo
//	train -model resnet50 -summary          per-layer output shapes and parameters
//	train -model resnet20 -dataset builtin  train (see -h for every flag)
//
// Errors are printed as one line, with a non-zero exit status. Ctrl-C or
// SIGTERM stops a run at the next step boundary with a checkpoint and the
// command that resumes it, and exit status 130 or 143; a second one stops
// at once.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gocnn/gocnn/train"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, oneLine(err))
		os.Exit(exitCode(err))
	}
}

// oneLine is the message train exits with: the error, prefixed "train: "
// unless the train package already named itself.
func oneLine(err error) string {
	var st *train.Stopped
	if errors.As(err, &st) {
		return stoppedLine(st)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "train: ") {
		msg = "train: " + msg
	}
	return msg
}

// run parses args, then lists models, prints a summary or trains.
func run(args []string, out io.Writer) error {
	if len(args) > 0 && args[0] == "lesion" {
		return runLesion(args[1:], out)
	}
	if len(args) > 0 && args[0] == "lesion-compare" {
		return runLesionCompare(args[1:], out)
	}
	if len(args) > 0 && args[0] == "augment-grid" {
		return runAugmentGrid(args[1:], out)
	}

	f, err := parseArgs(args, out)
	if f == nil {
		return err // nil after -h
	}
	if resume := f.train.cfg.Resume; resume != "" {
		if args, err = withRecordedFlags(resume, args); err != nil {
			return err
		}
		if f, err = parseArgs(args, out); f == nil {
			return err
		}
	}
	tf, sf, df := f.train, f.summary, f.dist

	// Inspection actions need no training configuration.
	switch {
	case sf.list:
		return listModels(out)
	case sf.recipes:
		return listRecipes(out)
	case sf.summary:
		return summarize(out, tf.cfg.Model, tf.cfg.AuxLogits, sf)
	}

	// Config, then training.
	cfg, err := tf.config()
	if err != nil {
		return err
	}
	if err := df.check(&cfg); err != nil {
		return err
	}
	ctx, release := stopOnSignals(os.Stderr, cfg.Output, os.Exit)
	defer release()
	return train.Run(ctx, cfg, out)
}
