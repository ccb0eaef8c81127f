package lesion

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Compare writes into dir, which it creates, what sets several studies
// side by side, one column or curve per study (the depth study: one per
// depth): compare.md, a table of each experiment's headline figures
// beside Veit et al.'s for pre-activation ResNet-110 on CIFAR-10, and the
// figures of compareFiles.
func Compare(dir string, studies []*Results) error {
	if len(studies) == 0 {
		return errors.New("lesion: no study to compare")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("lesion: %w", err)
	}
	if err := writeFile(filepath.Join(dir, "compare.md"), func(w io.Writer) error { return writeComparison(w, studies) }); err != nil {
		return err
	}
	return plotComparison(dir, studies)
}

// label names a study in tables and legends.
func (r *Results) label() string {
	return fmt.Sprintf("%s (%d blocks)", r.ResNetName, r.Blocks)
}

// comparisonRow is one line of compare.md: what is measured, the paper's
// figure, and the cell of each study.
type comparisonRow struct {
	what, paper string
	cell        func(r *Results) string
}

// comparisonRows are compare.md's lines. Errors are in percent, with the
// sampling standard deviation of a test error on the study's test set, or
// the standard error of a mean over random draws.
var comparisonRows = []comparisonRow{
	{"residual blocks", "54", func(r *Results) string { return fmt.Sprint(r.Blocks) }},
	{"test images; random draws per k", "10,000; not stated", func(r *Results) string { return fmt.Sprintf("%d; %d", r.TestImages, r.Draws) }},
	{"full network: error", "6.10%", func(r *Results) string { return r.testError(r.Base.Error) }},
	{"delete one block that keeps its shape: mean error (rise), median, worst", "barely changes", func(r *Results) string {
		return r.singleCell(r.Single, r.Base.Error, false, func(e Errors) float64 { return e.Error })
	}},
	{"the same, batch-norm statistics re-estimated", "not measured", func(r *Results) string {
		return r.singleCell(r.Single, r.Base.Reestimated, false, func(e Errors) float64 { return e.Reestimated })
	}},
	{"delete one downsampling block: worst error", "a modest rise", func(r *Results) string {
		return r.singleCell(r.Single, r.Base.Error, true, func(e Errors) float64 { return e.Error })
	}},
	{"the same, batch-norm statistics re-estimated", "not measured", func(r *Results) string {
		return r.singleCell(r.Single, r.Base.Reestimated, true, func(e Errors) float64 { return e.Reestimated })
	}},
	{"delete 10% of the blocks at random: mean error", "about 20% (k = 10 of 54, 19%)", func(r *Results) string { return r.randomCell(0.1, r.randomStats()) }},
	{"delete 20% of the blocks at random: mean error", "severe by k = 20 (37%)", func(r *Results) string { return r.randomCell(0.2, r.randomStats()) }},
	{"delete 10% at random, batch-norm statistics re-estimated", "not measured", func(r *Results) string { return r.randomCell(0.1, r.randomStatsReestimated()) }},
	{"delete 20% at random, batch-norm statistics re-estimated", "not measured", func(r *Results) string { return r.randomCell(0.2, r.randomStatsReestimated()) }},
	{"delete 10% at random, only the draws that spare the downsampling blocks", "not reported", func(r *Results) string {
		return r.randomCell(0.1, r.randomStatsOf(measuredError, r.sparesDownsampling))
	}},
	{"delete 20% at random, only the draws that spare the downsampling blocks", "not reported", func(r *Results) string {
		return r.randomCell(0.2, r.randomStatsOf(measuredError, r.sparesDownsampling))
	}},
	{"the same 10%, batch-norm statistics re-estimated", "not measured", func(r *Results) string {
		return r.randomCell(0.1, r.randomStatsOf(reestimatedError, r.sparesDownsampling))
	}},
	{"the same 20%, batch-norm statistics re-estimated", "not measured", func(r *Results) string {
		return r.randomCell(0.2, r.randomStatsOf(reestimatedError, r.sparesDownsampling))
	}},
	{"reorder: mean error after the most swaps measured (mean Kendall tau)", "rises smoothly as tau falls", (*Results).reorderCell},
	{"gradient along one path: longest over shortest", "below 1 (falls with length)", (*Results).gradientRatioCell},
	{"90% of the total gradient from paths of length", "5 to 17 (mean length 27)", func(r *Results) string {
		if lo, hi, ok := r.effectiveRange(0.9); ok {
			return fmt.Sprintf("%d to %d (mean length %g)", lo, hi, float64(r.Blocks)/2)
		}
		return "not measured"
	}},
	{"plain network, delete one layer: mean error (rise), median, worst", "about 90% (chance)", func(r *Results) string {
		if r.PlainSingle == nil {
			return "no plain network"
		}
		return r.singleCell(r.PlainSingle, r.PlainBase.Error, false, func(e Errors) float64 { return e.Error })
	}},
}

func writeComparison(w io.Writer, studies []*Results) error {
	var b strings.Builder
	b.WriteString("# Layer deletion at several depths\n\n")
	b.WriteString("After Veit, Wilber & Belongie 2016. Errors are top-1 test errors in percent, ± the sampling standard deviation ")
	b.WriteString("of an error on the study's test images (sqrt(p(1-p)/n)); means over random draws are ± their standard error (std/sqrt(draws)). ")
	b.WriteString("The paper's column is its pre-activation ResNet-110 on CIFAR-10, as read from its text and figures.\n\n")
	b.WriteString("| | paper |")
	for _, r := range studies {
		b.WriteString(" " + r.label() + " |")
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(studies)) + "\n")
	for _, row := range comparisonRows {
		b.WriteString("| " + row.what + " | " + row.paper + " |")
		for _, r := range studies {
			b.WriteString(" " + row.cell(r) + " |")
		}
		b.WriteString("\n")
	}
	b.WriteString("\nFigures: " + strings.Join(compareFiles, ", ") + ".\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// testError formats an error measured on the study's test images.
func (r *Results) testError(e float64) string {
	if math.IsNaN(e) {
		return "not measured"
	}
	return fmt.Sprintf("%.1f%% ± %.1f", 100*e, 100*math.Sqrt(e*(1-e)/float64(r.TestImages)))
}

// singleCell summarises the single deletions of rows: of the blocks that
// downsample, the worst error; of those that keep their shape, the mean,
// its rise over base, the median (which one costly block, such as the
// first of the network, moves less than the mean) and the worst.
func (r *Results) singleCell(rows []SingleRow, base float64, downsample bool, err func(Errors) float64) string {
	var errs []float64
	for _, x := range rows {
		if x.Deletable && x.Downsample == downsample {
			errs = append(errs, err(x.Errors))
		}
	}
	switch {
	case len(errs) == 0:
		return "none"
	case math.IsNaN(errs[0]):
		return "not measured"
	case downsample:
		return r.testError(slices.Max(errs))
	}
	m, _ := meanStd(errs)
	return fmt.Sprintf("%.1f%% (%+.1f), %.1f%%, %.1f%%", 100*m, 100*(m-base), 100*median(errs), 100*slices.Max(errs))
}

// randomCell is the mean error over the draws of the k nearest to frac of
// the blocks (at least 1), ± its standard error, and how many of the
// draws it averages when stats leaves some out.
func (r *Results) randomCell(frac float64, stats []kStat) string {
	k := max(1, int(math.Round(frac*float64(r.Blocks))))
	for _, s := range stats {
		if s.k != k {
			continue
		}
		if math.IsNaN(s.mean) {
			return "not measured"
		}
		draws := ""
		if s.n != r.Draws {
			draws = fmt.Sprintf(", %d of %d draws", s.n, r.Draws)
		}
		if s.n == 1 { // one draw has no spread to estimate
			return fmt.Sprintf("%.1f%% (k = %d%s)", 100*s.mean, k, draws)
		}
		return fmt.Sprintf("%.1f%% ± %.1f (k = %d%s)", 100*s.mean, 100*s.std/math.Sqrt(float64(s.n)), k, draws)
	}
	for _, x := range r.Random {
		if x.K == k { // measured, but stats left every draw out
			return fmt.Sprintf("none of the %d draws (k = %d)", r.Draws, k)
		}
	}
	return fmt.Sprintf("not measured (k = %d)", k)
}

// median is the middle value of xs, or the mean of the two middle ones.
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}

// reorderCell is the mean error after the most swaps measured, ± its
// standard error, and the mean Kendall tau of those orders.
func (r *Results) reorderCell() string {
	stats := r.reorderStats()
	if len(stats) == 0 {
		return "not measured"
	}
	s := stats[len(stats)-1]
	return fmt.Sprintf("%.1f%% ± %.1f (%d swaps, tau %.2f)", 100*s.mean, 100*s.std/math.Sqrt(float64(r.Draws)), s.k, s.tau)
}

// gradientRatioCell is the gradient along the longest path over that
// along the shortest measured.
func (r *Results) gradientRatioCell() string {
	var measured []pathStat
	for _, s := range r.pathTable() {
		if s.mean > 0 {
			measured = append(measured, s)
		}
	}
	if len(measured) < 2 {
		return "not measured"
	}
	lo, hi := measured[0], measured[len(measured)-1]
	return fmt.Sprintf("%.3g (length %d: %.2g; length %d: %.2g)", hi.mean/lo.mean, hi.length, hi.mean, lo.length, lo.mean)
}
