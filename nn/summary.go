package nn

import (
	"fmt"
	"io"
	"reflect"
	"text/tabwriter"
)

// Summary writes one row per module of m (its name, type, the output shape
// of the latest Forward, and the parameters it holds itself, so the column
// adds up) and ends with the line "params: N". Run a Forward first, e.g. on
// a meta device; modules the Forward skipped show "-".
func Summary(w io.Writer, m Module) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "layer\ttype\toutput\tparams")
	Walk(m, func(name string, m Module) {
		b := m.base()
		if name == "" {
			name = "(model)"
		}
		out := "-"
		if b.out != nil {
			out = b.out.String()
		}
		own := 0
		for _, p := range b.params {
			own += p.Tensor.Numel()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", name, reflect.TypeOf(m).Elem().Name(), out, own)
	})
	fmt.Fprintf(tw, "params: %d\n", NumParams(m))
	return tw.Flush()
}
