package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// usage heads -h's list of flags.
const usage = `usage: train [flags]              train a model (no flags: ResNet-20 on the embedded Fashion-MNIST sample)
       train -models                list the models
       train -recipes               list the published training recipes (-recipe NAME)
       train -model NAME -summary   print a model's layers, output shapes and parameters
       train lesion [flags]         the layer-deletion study of a trained run (train lesion -h)
flags:
`

// commandFlags are the train command's flags.
type commandFlags struct {
	train   *trainFlags
	summary *summaryFlags
	dist    *distFlags
}

// parseArgs parses the train command's arguments. With -h it writes the
// usage to out and returns nil flags and no error. With -recipe, the
// recipe's flags are parsed first and the arguments after them, so that
// the flags given override the recipe's. Errors are one line; an unknown
// flag's suggests the nearest known one.
func parseArgs(args []string, out io.Writer) (*commandFlags, error) {
	f, recipeName, err := parseFlags(args, out)
	if f == nil || recipeName == "" {
		return f, err
	}
	r, err := lookupRecipe(recipeName)
	if err != nil {
		return nil, err
	}
	f, _, err = parseFlags(append(strings.Fields(r.flags), args...), out)
	return f, err
}

// parseFlags parses args into a fresh set of flags; it returns the flags
// and the -recipe given, not applied.
func parseFlags(args []string, out io.Writer) (*commandFlags, string, error) {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse errors come back as one line
	f := &commandFlags{train: addTrainFlags(fs), summary: addSummaryFlags(fs), dist: addDistFlags(fs)}
	recipeName := fs.String("recipe", "", "a published recipe's flags, each overridden by the flags given (train -recipes lists them)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(out, usage)
			fs.SetOutput(out)
			fs.PrintDefaults()
			return nil, "", nil
		}
		return nil, "", suggestFlag(fs, err)
	}
	if fs.NArg() > 0 {
		return nil, "", fmt.Errorf("unexpected argument %q (flags start with -)", fs.Arg(0))
	}
	if err := f.summary.checkUnused(fs); err != nil {
		return nil, "", err
	}
	return f, *recipeName, nil
}

// suggestFlag adds "did you mean" to the flag package's error for an
// unknown flag when a defined one is a few edits away.
func suggestFlag(fs *flag.FlagSet, err error) error {
	const undefined = "flag provided but not defined: -"
	name, ok := strings.CutPrefix(err.Error(), undefined)
	if !ok {
		return err
	}
	best, bestDist := "", max(2, len(name)/4)+1
	fs.VisitAll(func(fl *flag.Flag) {
		if d := editDistance(name, fl.Name); d < bestDist && d < len(name) {
			best, bestDist = fl.Name, d
		}
	})
	if best == "" {
		return fmt.Errorf("unknown flag -%s (train -h lists them)", name)
	}
	return fmt.Errorf("unknown flag -%s: did you mean -%s?", name, best)
}

// editDistance is the Levenshtein distance between a and b, with '_' and
// '-' taken as the same letter.
func editDistance(a, b string) int {
	a, b = strings.ReplaceAll(a, "_", "-"), strings.ReplaceAll(b, "_", "-")
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
