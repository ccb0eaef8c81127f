package main

import (
	"cmp"
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
	recipes       bool
	input         int
	inChannels    int
	classes       int
}

func addSummaryFlags(fs *flag.FlagSet) *summaryFlags {
	f := &summaryFlags{}
	fs.BoolVar(&f.list, "models", false, "list every model with a one-line description")
	fs.BoolVar(&f.recipes, "recipes", false, "list the published training recipes that -recipe takes")
	fs.BoolVar(&f.summary, "summary", false, "print -model's layers, output shapes and parameter count")
	fs.IntVar(&f.input, "input", 0, "-summary: input side in pixels (0: the model's usual size)")
	fs.IntVar(&f.inChannels, "in-channels", 0, "-summary: input channels (0: the model's own, 3 but for unet's 1)")
	fs.IntVar(&f.classes, "classes", 0, "-summary: number of classes (0: the model's own, 1000 but for the CIFAR networks' 10 and U-Net's 2)")
	return f
}

// summaryOnly are the flags that only -summary reads.
var summaryOnly = map[string]string{
	"input":       "training sizes its images with -train-crop-size, -val-resize-size and -val-crop-size",
	"in-channels": "training takes the dataset's channels",
	"classes":     "training takes the dataset's classes",
}

// checkUnused refuses a -summary flag given without -summary, where it
// would be silently ignored.
func (f *summaryFlags) checkUnused(fs *flag.FlagSet) error {
	if f.summary {
		return nil
	}
	var err error
	fs.Visit(func(fl *flag.Flag) {
		if why, ok := summaryOnly[fl.Name]; ok && err == nil {
			err = fmt.Errorf("-%s applies only to -summary; %s", fl.Name, why)
		}
	})
	return err
}

// listModels writes one line per registered model.
func listModels(out io.Writer) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, s := range models.All() {
		fmt.Fprintf(tw, "%s\t%s (%s, %d)\n", s.Name, s.Description, s.Paper, s.Year)
	}
	return tw.Flush()
}

// summarize builds the model on the meta backend, with its auxiliary
// classifiers when aux is set (-aux-logits), runs one image of the
// requested size through it and prints nn.Summary's table.
func summarize(out io.Writer, name string, aux bool, f *summaryFlags) (err error) {
	spec, err := models.Lookup(name)
	if err != nil {
		return err
	}
	if f.classes < 0 || f.inChannels < 0 || f.input < 0 {
		return fmt.Errorf("-classes, -in-channels and -input must not be negative")
	}
	size := cmp.Or(f.input, spec.Input)
	o := spec.Defaults()
	o.Classes, o.InChannels, o.AuxLogits = cmp.Or(f.classes, o.Classes), cmp.Or(f.inChannels, o.InChannels), aux
	dev := meta.NewDevice()
	m := spec.New(nn.NewShapeBuilder(dev), o)
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
			err = fmt.Errorf("%s does not take a %dx%dx%d input: %v", name, size, size, o.InChannels, r)
		}
	}()
	m.Forward(autograd.Empty(dev, autograd.Float32, 1, size, size, o.InChannels))
	fmt.Fprintf(out, "%s, input 1x%dx%dx%d (NHWC), %d classes\n", name, size, size, o.InChannels, o.Classes)
	return nn.Summary(out, m)
}
