package lesion

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/gocnn/gocnn/checkpoint"
)

// writeFile writes a file through write, atomically; errors name it.
func writeFile(path string, write func(io.Writer) error) error {
	if err := checkpoint.WriteFileAtomic(path, write); err != nil {
		return fmt.Errorf("lesion: %w", err)
	}
	return nil
}

// writeCSV writes a header and rows.
func writeCSV(w io.Writer, header []string, rows [][]string) error {
	c := csv.NewWriter(w)
	if err := c.Write(header); err != nil {
		return err
	}
	if err := c.WriteAll(rows); err != nil {
		return err
	}
	return c.Error()
}

// num formats a float for a CSV file or a table: empty for NaN.
func num(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

func ints(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, " ")
}

// writeSingle writes one row per block, after a row "-1,full" for the
// whole network.
func writeSingle(w io.Writer, base float64, rows []SingleRow) error {
	out := [][]string{{"-1", "full", "false", "false", num(base)}}
	for _, r := range rows {
		out = append(out, []string{strconv.Itoa(r.Index), r.Name, strconv.FormatBool(r.Downsample), strconv.FormatBool(r.Deletable), num(r.Error)})
	}
	return writeCSV(w, []string{"block", "name", "downsample", "deletable", "error"}, out)
}

func (r *Results) writeRandom(w io.Writer) error {
	var out [][]string
	for _, x := range r.Random {
		out = append(out, []string{strconv.Itoa(x.K), strconv.Itoa(x.Draw), num(x.Error), ints(x.Deleted)})
	}
	return writeCSV(w, []string{"k", "draw", "error", "deleted"}, out)
}

func (r *Results) writeReorder(w io.Writer) error {
	var out [][]string
	for _, x := range r.Reorder {
		out = append(out, []string{strconv.Itoa(x.K), strconv.Itoa(x.Draw), num(x.Tau), num(x.Error), ints(x.Order)})
	}
	return writeCSV(w, []string{"swaps", "draw", "kendall_tau", "error", "order"}, out)
}

// writePaths writes, for every length, the exact number of paths, their
// fraction of all 2^n, and the measured gradient (empty when not
// measured) with its total over the paths of that length.
func (r *Results) writePaths(w io.Writer) error {
	var out [][]string
	for _, p := range r.pathTable() {
		out = append(out, []string{strconv.Itoa(p.length), p.count.String(), num(p.fraction), strconv.Itoa(p.samples), num(p.mean), num(p.std), num(p.total)})
	}
	return writeCSV(w, []string{"length", "paths", "fraction", "samples", "grad_mean", "grad_std", "grad_total"}, out)
}
