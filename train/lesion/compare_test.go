package lesion

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/nn/models"
)

// synthetic is a study of a 4-block network with hand-picked errors, all
// exact in six significant digits (as the CSV files keep them); bn adds
// re-estimated errors, each the measured one less 1/16.
func synthetic(bn bool) *Results {
	r := &Results{Config: Config{MaxDelete: 2, MaxSwaps: 2, Draws: 2, PathSamples: 3, Seed: 7},
		ResNetName: "net4", PlainName: "plain4", Blocks: 4, TestImages: 100, Counts: PathCounts(4)}
	if bn {
		r.BNImages = 50
	}
	errs := func(e float64) Errors {
		if bn {
			return Errors{Error: e, Reestimated: e - 0.0625}
		}
		return Errors{Error: e, Reestimated: math.NaN()}
	}
	r.Base, r.PlainBase = errs(0.125), errs(0.25)
	for i, e := range []float64{0.5, 0.75, 0.25, 0.375} {
		r.Single = append(r.Single, SingleRow{Index: i, Block: models.Block{Name: fmt.Sprintf("layer.%d", i), Downsample: i == 1, Deletable: true}, Errors: errs(e)})
		plain := SingleRow{Index: i, Block: models.Block{Name: fmt.Sprintf("conv.%d", i), Deletable: i != 1}, Errors: Errors{Error: math.NaN(), Reestimated: math.NaN()}}
		if plain.Deletable {
			plain.Errors = errs(0.875)
		}
		r.PlainSingle = append(r.PlainSingle, plain)
	}
	r.Random = []RandomRow{{K: 1, Draw: 0, Deleted: []int{2}, Errors: errs(0.25)}, {K: 1, Draw: 1, Deleted: []int{0}, Errors: errs(0.5)},
		{K: 2, Draw: 0, Deleted: []int{0, 3}, Errors: errs(0.625)}, {K: 2, Draw: 1, Deleted: []int{1, 2}, Errors: errs(0.875)}}
	r.Reorder = []ReorderRow{{K: 1, Draw: 0, Order: []int{0, 2, 1, 3}, Tau: 0.666667, Error: 0.25}, {K: 1, Draw: 1, Order: []int{0, 1, 3, 2}, Tau: 0.666667, Error: 0.125},
		{K: 2, Draw: 0, Order: []int{0, 3, 1, 2}, Tau: 0.333333, Error: 0.5}, {K: 2, Draw: 1, Order: []int{2, 1, 0, 3}, Tau: 0, Error: 0.75}}
	for k := range 5 {
		r.Paths = append(r.Paths, PathRow{Length: k, Samples: 3, Mean: math.Ldexp(0.001, k), Std: math.Ldexp(0.00025, k)})
	}
	return r
}

func TestReadGivesBackWhatWriteSaved(t *testing.T) {
	for _, bn := range []bool{false, true} {
		want := synthetic(bn)
		dir := t.TempDir()
		if err := want.Write(dir); err != nil {
			t.Fatal(err)
		}
		got, err := Read(dir)
		if err != nil {
			t.Fatal(err)
		}
		// %+v prints NaN as NaN and big.Ints by value, so equal strings
		// are equal results.
		if g, w := fmt.Sprintf("%+v", *got), fmt.Sprintf("%+v", *want); g != w {
			t.Errorf("bn %v: read\n%s\nwant\n%s", bn, g, w)
		}
	}
}

func TestReadNamesTheBadFileAndLine(t *testing.T) {
	dir := t.TempDir()
	if err := synthetic(true).Write(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "random.csv")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), "0.5", "half", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "random.csv line 3: \"half\" is not a number") {
		t.Errorf("a bad cell: %v", err)
	}
	os.Remove(filepath.Join(dir, studyFile))
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "has no study.json") {
		t.Errorf("no study.json: %v", err)
	}
}

func TestCompareTable(t *testing.T) {
	dir := t.TempDir()
	a, b := synthetic(false), synthetic(true)
	b.ResNetName = "deeper"
	if err := Compare(dir, []*Results{a, b}); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "compare.md"))
	if err != nil {
		t.Fatal(err)
	}
	// Worked by hand from synthetic: the sampling deviation of 12.5% on
	// 100 images is 3.3 points; blocks 0, 2, 3 keep their shape (mean
	// 37.5%, worst 50%), block 1 downsamples; k = 1 for 10% and 20% of 4
	// blocks, whose draws 25% and 50% have a standard error of 12.5; the
	// last swap count's mean tau is 1/6; the gradient doubles per length.
	for _, want := range []string{
		"| | paper | net4 (4 blocks) | deeper (4 blocks) |",
		"| full network: error | 6.10% | 12.5% ± 3.3 | 12.5% ± 3.3 |",
		"| delete one block that keeps its shape: mean error (rise), median, worst | barely changes | 37.5% (+25.0), 37.5%, 50.0% | 37.5% (+25.0), 37.5%, 50.0% |",
		"| the same, batch-norm statistics re-estimated | not measured | not measured | 31.2% (+25.0), 31.2%, 43.8% |",
		"| delete one downsampling block: worst error | a modest rise | 75.0% ± 4.3 | 75.0% ± 4.3 |",
		"| delete 10% of the blocks at random: mean error | about 20% (k = 10 of 54, 19%) | 37.5% ± 12.5 (k = 1) | 37.5% ± 12.5 (k = 1) |",
		"| delete 20% at random, batch-norm statistics re-estimated | not measured | not measured | 31.2% ± 12.5 (k = 1) |",
		"| delete 10% at random, only the draws that spare the downsampling blocks | not reported | 37.5% ± 12.5 (k = 1) | 37.5% ± 12.5 (k = 1) |",
		"62.5% ± 12.5 (2 swaps, tau 0.17)",
		"| 16 (length 4: 0.016; length 0: 0.001) |",
		"| plain network, delete one layer: mean error (rise), median, worst | about 90% (chance) | 87.5% (+62.5), 87.5%, 87.5% |",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("compare.md has no %q:\n%s", want, md)
		}
	}
	checkPNGs(t, dir, compareFiles)
}

// TestRandomDrawsThatSpareDownsampling checks the random-deletion cells
// of compare.md that average only the draws deleting no downsampling
// block, worked by hand from synthetic.
func TestRandomDrawsThatSpareDownsampling(t *testing.T) {
	r := synthetic(true)
	// Block 1 downsamples: of k = 2's draws {0, 3} (62.5%) and {1, 2}
	// (87.5%) only the first spares it; both k = 1 draws do.
	for _, c := range []struct {
		frac float64
		err  func(Errors) float64
		want string
	}{
		{0.5, measuredError, "62.5% (k = 2, 1 of 2 draws)"},
		{0.5, reestimatedError, "56.2% (k = 2, 1 of 2 draws)"},
		{0.25, measuredError, "37.5% ± 12.5 (k = 1)"},
	} {
		if got := r.randomCell(c.frac, r.randomStatsOf(c.err, r.sparesDownsampling)); got != c.want {
			t.Errorf("%v of the blocks: %q, want %q", c.frac, got, c.want)
		}
	}
	r.Single[3].Downsample = true // now both k = 2 draws delete a downsampling block
	if got, want := r.randomCell(0.5, r.randomStatsOf(measuredError, r.sparesDownsampling)), "none of the 2 draws (k = 2)"; got != want {
		t.Errorf("no draw spares them: %q, want %q", got, want)
	}
}
