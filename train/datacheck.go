package train

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/gocnn/gocnn/data"
)

// maxListed is how many bad files a message names before it counts the
// rest.
const maxListed = 10

// checkFiles reads the header of every file of both splits
// (data.CheckAll) before anything trains, so that a bad image in the
// validation split does not cost a training epoch first. Bad files refuse
// the run, all named at once; with cfg.SkipBad they are left out and
// remembered for the run's reports.
func (ds *dataSource) checkFiles(cfg *Config) error {
	badTrain, badVal := data.CheckAll(ds.train, cfg.Workers), data.CheckAll(ds.val, cfg.Workers)
	n := len(badTrain) + len(badVal)
	if n == 0 {
		return nil
	}
	where := fmt.Sprintf("%d in train, %d in val", len(badTrain), len(badVal))
	bad := slices.Concat(badTrain, badVal)
	if !cfg.SkipBad {
		return fmt.Errorf("%s cannot be read (%s): %s; fix or remove them, or leave them out with -skip-bad",
			files(n), where, badList(bad))
	}
	ds.train, ds.val = without(ds.train, badTrain), without(ds.val, badVal)
	ds.leftOut = bad
	ds.leftOutWhere = where
	return nil
}

// without returns ds less its bad examples.
func without(ds data.Dataset, bad []data.BadExample) data.Dataset {
	if len(bad) == 0 {
		return ds
	}
	keep := make([]int, 0, ds.Len()-len(bad))
	for i, b := 0, 0; i < ds.Len(); i++ {
		if b < len(bad) && bad[b].Index == i {
			b++
			continue
		}
		keep = append(keep, i)
	}
	return &data.Subset{Dataset: ds, Indices: keep}
}

// firstExample loads the first example of ds that loads: the first, unless
// skipBad lets it pass over examples that fail.
func firstExample(ds data.Dataset, skipBad bool) (data.Example, error) {
	var ex data.Example
	var first error
	for i := range ds.Len() {
		err := ds.Load(i, &ex)
		if err == nil {
			return ex, nil
		}
		first = cmp.Or(first, err)
		if !skipBad {
			break
		}
	}
	return ex, first
}

// files is "1 file" or "n files".
func files(n int) string {
	if n == 1 {
		return "1 file"
	}
	return fmt.Sprintf("%d files", n)
}

// badList names the bad examples' files with their errors, at most
// maxListed of them, on one line.
func badList(bad []data.BadExample) string {
	var parts []string
	for _, b := range bad[:min(len(bad), maxListed)] {
		parts = append(parts, strings.TrimPrefix(b.Err.Error(), "data: "))
	}
	if len(bad) > maxListed {
		parts = append(parts, fmt.Sprintf("and %d more", len(bad)-maxListed))
	}
	return strings.Join(parts, "; ")
}

// checkData checks the model against the data and says what the run
// should know about its data before it starts: a single class, and the
// files -skip-bad leaves out, which it reports again at the end with those
// the loaders dropped on the way.
func (t *trainer) checkData() error {
	_, th, tw, _ := t.trainLoader.Shape()
	_, vh, vw, _ := t.valLoader.Shape()
	if err := checkModel(t.cfg, t.data, [2]int{th, tw}, [2]int{vh, vw}); err != nil {
		return err
	}
	if t.data.classes < 2 {
		fmt.Fprintf(t.out, "warning: the dataset has %d class (%s): every prediction is right, so accuracy says nothing\n",
			t.data.classes, strings.Join(t.data.train.Classes(), ", "))
	}
	if len(t.data.leftOut) > 0 {
		fmt.Fprintf(t.out, "-skip-bad: leaving out %s that cannot be read (%s): %s\n",
			files(len(t.data.leftOut)), t.data.leftOutWhere, badList(t.data.leftOut))
	}
	if t.cfg.SkipBad {
		t.hooks.OnEnd(t.reportSkipped)
	}
	return nil
}

// reportSkipped prints, at the end of a -skip-bad run, every file it left
// out: those the check found at the start and those that failed to load.
func (t *trainer) reportSkipped() error {
	bad := slices.Concat(t.data.leftOut, t.trainLoader.Bad(), t.valLoader.Bad())
	if len(bad) > 0 {
		fmt.Fprintf(t.out, "-skip-bad: left out %s that could not be read: %s\n", files(len(bad)), badList(bad))
	}
	return nil
}
