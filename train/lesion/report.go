package lesion

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// writeReport writes the study's tables as Markdown.
func (r *Results) writeReport(w io.Writer) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Layer deletion study: %s\n\n", r.ResNetName)
	p("After Veit, Wilber & Belongie 2016, \"Residual networks behave like ensembles of relatively shallow networks\". ")
	p("%d residual blocks; errors are top-1 test errors on %d images. Random draws: %d per k, seed %d.\n\n", r.Blocks, r.TestImages, r.Draws, r.Seed)
	if r.BNImages > 0 {
		p("Deletions are measured twice: with the batch-norm running statistics the network was trained with, and after re-estimating them ")
		p("with the blocks deleted on %d training images (\"BN re-est.\": every batch norm's mean and variance averaged over the batches, PyTorch's momentum=None; no weight changes). ", r.BNImages)
		p("What re-estimation recovers was the statistics no longer fitting; what remains, the network needing the block.\n\n")
	}

	p("## Deleting single blocks (Figure 3)\n\n")
	p("Deleting a block removes its residual branch and keeps its skip. Full network: error %.4f%s.\n\n", r.Base.Error, r.bnNote(r.Base))
	r.singleSummary(&b, r.Base, r.Single)
	r.singleTable(&b, r.Single)
	if r.PlainSingle != nil {
		p("\n### The plain network %s\n\n", r.PlainName)
		p("Deleting a layer passes its input through; layers that change the shape cannot be deleted. Full network: error %.4f%s.\n\n", r.PlainBase.Error, r.bnNote(r.PlainBase))
		r.singleSummary(&b, r.PlainBase, r.PlainSingle)
		r.singleTable(&b, r.PlainSingle)
	}

	p("\n## Deleting k random blocks (Figure 4a)\n\n| k | mean error | std | min | max |")
	if r.BNImages > 0 {
		p(" BN re-est.: mean | std |\n|---:|---:|---:|---:|---:|---:|---:|\n")
	} else {
		p("\n|---:|---:|---:|---:|---:|\n")
	}
	bn := r.randomStatsReestimated()
	for i, s := range r.randomStats() {
		p("| %d | %.4f | %.4f | %.4f | %.4f |", s.k, s.mean, s.std, s.min, s.max)
		if r.BNImages > 0 {
			p(" %.4f | %.4f |", bn[i].mean, bn[i].std)
		}
		p("\n")
	}

	p("\n## Reordering: k random swaps of interchangeable blocks (Figure 4b)\n\n| swaps | mean Kendall tau | mean error | std | min | max |\n|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range r.reorderStats() {
		p("| %d | %.4f | %.4f | %.4f | %.4f | %.4f |\n", s.k, s.tau, s.mean, s.std, s.min, s.max)
	}

	p("\n## Paths (Figure 6)\n\n")
	p("A path goes through the branch or the skip of each of the %d blocks: 2^%d paths in all, with Binomial(%d, 1/2) lengths. ", r.Blocks, r.Blocks, r.Blocks)
	if r.Paths != nil {
		p("The gradient is the per-example L2 norm of d(loss)/d(input image) along one path of each length, over %d sampled paths (one training batch each); total = paths x mean.\n\n", r.PathSamples)
		if lo, hi, ok := r.effectiveRange(0.9); ok {
			p("90%% of the total gradient magnitude comes from paths of length %d to %d.\n\n", lo, hi)
		}
	} else {
		p("\n\n")
	}
	p("| length | paths | fraction | grad mean | grad std | total |\n|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range r.pathTable() {
		p("| %d | %s | %s | %s | %s | %s |\n", s.length, s.count, num(s.fraction), num(s.mean), num(s.std), num(s.total))
	}
	p("\nFiles: single.csv, single_plain.csv, random.csv, reorder.csv, paths.csv; plots %s.\n", strings.Join(plotFiles, ", "))
	_, err := io.WriteString(w, b.String())
	return err
}

// bnNote is ", e with re-estimated batch-norm statistics" when they were.
func (r *Results) bnNote(e Errors) string {
	if r.BNImages == 0 {
		return ""
	}
	return fmt.Sprintf(", %.4f with re-estimated batch-norm statistics", e.Reestimated)
}

// singleSummary writes the mean error over deletions of blocks that keep
// their input's shape and the largest over the downsampling ones, and the
// same after the batch-norm re-estimation when it was measured.
func (r *Results) singleSummary(b *strings.Builder, base Errors, rows []SingleRow) {
	r.singleSummaryOf(b, base.Error, rows, func(e Errors) float64 { return e.Error }, "Deleting")
	if r.BNImages > 0 {
		b.WriteString(" ")
		r.singleSummaryOf(b, base.Reestimated, rows, func(e Errors) float64 { return e.Reestimated }, "With re-estimated batch-norm statistics, deleting")
	}
	b.WriteString("\n\n")
}

func (r *Results) singleSummaryOf(b *strings.Builder, base float64, rows []SingleRow, err func(Errors) float64, lead string) {
	var same, down []float64
	for _, x := range rows {
		switch {
		case !x.Deletable:
		case x.Downsample:
			down = append(down, err(x.Errors))
		default:
			same = append(same, err(x.Errors))
		}
	}
	if len(same) > 0 {
		m, _ := meanStd(same)
		fmt.Fprintf(b, "%s one of the %d blocks that keep their input's shape: mean error %.4f (%+.4f), worst %.4f.", lead, len(same), m, m-base, slices.Max(same))
	}
	if len(down) > 0 {
		fmt.Fprintf(b, " %s a downsampling block: worst error %.4f.", lead, slices.Max(down))
	}
}

func (r *Results) singleTable(b *strings.Builder, rows []SingleRow) {
	if r.BNImages > 0 {
		b.WriteString("| block | name | downsample | error | BN re-est. |\n|---:|---|---|---:|---:|\n")
	} else {
		b.WriteString("| block | name | downsample | error |\n|---:|---|---|---:|\n")
	}
	for _, x := range rows {
		e := "not deletable"
		if x.Deletable {
			e = fmt.Sprintf("%.4f", x.Error)
			if r.BNImages > 0 {
				e += fmt.Sprintf(" | %.4f", x.Reestimated)
			}
		} else if r.BNImages > 0 {
			e += " | "
		}
		fmt.Fprintf(b, "| %d | %s | %v | %s |\n", x.Index, x.Name, x.Downsample, e)
	}
}

// effectiveRange returns the shortest range of path lengths whose paths
// carry at least frac of the total gradient magnitude over all measured
// lengths.
func (r *Results) effectiveRange(frac float64) (lo, hi int, ok bool) {
	t := r.pathTable()
	sum := 0.0
	for _, s := range t {
		if !math.IsNaN(s.total) {
			sum += s.total
		}
	}
	if !(sum > 0) {
		return 0, 0, false
	}
	best := len(t)
	for i := range t {
		acc := 0.0
		for j := i; j < len(t); j++ {
			if !math.IsNaN(t[j].total) {
				acc += t[j].total
			}
			if acc >= frac*sum {
				if j-i < best {
					best, lo, hi = j-i, i, j
				}
				break
			}
		}
	}
	return lo, hi, best < len(t)
}
