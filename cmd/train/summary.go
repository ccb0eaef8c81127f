package main

import (
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/autograd/meta"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// summaryFlags are the flags of -models and -summary.
type summaryFlags struct {
	list, summary bool
	input         int
	inChannels    int
	classes       int
	aux           bool
}

func addSummaryFlags(fs *flag.FlagSet) *summaryFlags {
	f := &summaryFlags{}
	fs.BoolVar(&f.list, "models", false, "list every model with a one-line description")
	fs.BoolVar(&f.summary, "summary", false, "print -model's layers, output shapes and parameter count")
	fs.IntVar(&f.input, "input", 0, "-summary: input side in pixels (0: the model's usual size)")
	fs.IntVar(&f.inChannels, "in-channels", 3, "-summary: input channels")
	fs.IntVar(&f.classes, "classes", 1000, "-summary: number of classes")
	fs.BoolVar(&f.aux, "aux-logits", false, "-summary: include the auxiliary classifiers (googlenet, inception_v3)")
	return f
}

// listModels writes one line per registered model.
func listModels(out io.Writer) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, s := range models.All() {
		fmt.Fprintf(tw, "%s\t%s (%s, %d)\n", s.Name, s.Description, s.Paper, s.Year)
	}
	return tw.Flush()
}

// summarize builds the model on the meta backend, runs one image of the
// requested size through it and prints nn.Summary's table.
func summarize(out io.Writer, name string, f *summaryFlags) (err error) {
	spec, err := models.Lookup(name)
	if err != nil {
		return err
	}
	if f.classes < 1 || f.inChannels < 1 || f.input < 0 {
		return fmt.Errorf("-classes and -in-channels must be positive and -input not negative")
	}
	size := f.input
	if size == 0 {
		size = spec.Input
	}
	dev := meta.NewDevice()
	m := spec.New(nn.NewShapeBuilder(dev), models.Options{Classes: f.classes, InChannels: f.inChannels, AuxLogits: f.aux})
	// The model stays in training mode, so that auxiliary classifiers run,
	// but its batch norms take running statistics, so that one image passes
	// maps down to 1x1 (Inception v3's auxiliary classifier), which
	// batch statistics over one value would refuse.
	nn.Walk(m, func(_ string, l nn.Module) {
		if bn, ok := l.(*nn.BatchNorm2D); ok {
			nn.SetTraining(bn, false)
		}
	})
	defer func() {
		// Shape misuse panics in the ops; here it means the input size
		// does not suit the model, which is the user's to fix.
		if r := recover(); r != nil {
			err = fmt.Errorf("%s does not take a %dx%dx%d input: %v", name, size, size, f.inChannels, r)
		}
	}()
	m.Forward(autograd.Empty(dev, autograd.Float32, 1, size, size, f.inChannels))
	fmt.Fprintf(out, "%s, input 1x%dx%dx%d (NHWC)\n", name, size, size, f.inChannels)
	return nn.Summary(out, m)
}
