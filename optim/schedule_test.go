package optim_test

import (
	"math"
	"testing"

	"github.com/gocnn/gocnn/optim"
)

func TestSchedules(t *testing.T) {
	cosine := optim.CosineAnnealingLR{Base: 0.5, TMax: 95}
	linearWarm, err := optim.WithWarmup(cosine, "linear", 5, 0.01, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	constWarm, err := optim.WithWarmup(optim.StepLR{Base: 0.1, StepSize: 2, Gamma: 0.5}, "constant", 3, 0.1, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	noWarm, err := optim.WithWarmup(cosine, "linear", 0, 0.01, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		s    optim.Schedule
		t    int
		want float64
	}{
		{"step start", optim.StepLR{Base: 0.1, StepSize: 30, Gamma: 0.1}, 0, 0.1},
		{"step before", optim.StepLR{Base: 0.1, StepSize: 30, Gamma: 0.1}, 29, 0.1},
		{"step at", optim.StepLR{Base: 0.1, StepSize: 30, Gamma: 0.1}, 30, 0.01},
		{"step twice", optim.StepLR{Base: 0.1, StepSize: 30, Gamma: 0.1}, 61, 0.001},
		{"multistep before", optim.MultiStepLR{Base: 0.1, Milestones: []int{81, 122}, Gamma: 0.1}, 80, 0.1},
		{"multistep at", optim.MultiStepLR{Base: 0.1, Milestones: []int{81, 122}, Gamma: 0.1}, 81, 0.01},
		{"multistep second", optim.MultiStepLR{Base: 0.1, Milestones: []int{81, 122}, Gamma: 0.1}, 122, 0.001},
		{"exponential", optim.ExponentialLR{Base: 0.064, Gamma: 0.973}, 2, 0.064 * 0.946729},
		{"cosine start", optim.CosineAnnealingLR{Base: 1, Min: 0.1, TMax: 4}, 0, 1},
		{"cosine quarter", optim.CosineAnnealingLR{Base: 1, Min: 0.1, TMax: 4}, 1, 0.1 + 0.9*(1+math.Sqrt2/2)/2},
		{"cosine half", optim.CosineAnnealingLR{Base: 1, Min: 0.1, TMax: 4}, 2, 0.55},
		{"cosine end", optim.CosineAnnealingLR{Base: 1, Min: 0.1, TMax: 4}, 4, 0.1},
		{"poly half", optim.PolynomialLR{Base: 0.02, Total: 100, Power: 0.9}, 50, 0.02 * math.Pow(0.5, 0.9)},
		{"poly end", optim.PolynomialLR{Base: 0.02, Total: 100, Power: 0.9}, 100, 0},
		{"poly after", optim.PolynomialLR{Base: 0.02, Total: 100, Power: 0.9}, 150, 0},
		{"poly linear", optim.PolynomialLR{Base: 1, Total: 4, Power: 1}, 1, 0.75},
		{"linear warmup start", linearWarm, 0, 0.005},
		{"linear warmup 1", linearWarm, 1, 0.5 * (0.01 + 0.99/5)},
		{"linear warmup 4", linearWarm, 4, 0.5 * (0.01 + 0.99*4/5)},
		{"main starts after warmup", linearWarm, 5, 0.5},
		{"main step 1", linearWarm, 6, 0.25 * (1 + math.Cos(math.Pi/95))},
		{"main end", linearWarm, 100, 0},
		{"constant warmup", constWarm, 2, 0.01},
		{"constant warmup over", constWarm, 3, 0.1},
		{"main after constant warmup", constWarm, 5, 0.05},
		{"no warmup", noWarm, 0, 0.5},
		{"linear alone", optim.LinearLR{Base: 2, Start: 0.5, End: 1, Iters: 4}, 2, 1.5},
		{"linear alone after", optim.LinearLR{Base: 2, Start: 0.5, End: 1, Iters: 4}, 9, 2},
		{"constant alone", optim.ConstantLR{Base: 2, Factor: 0.25, Iters: 1}, 0, 0.5},
		{"per epoch", optim.PerEpoch{Epochs: optim.StepLR{Base: 0.1, StepSize: 30, Gamma: 0.1}, StepsPerEpoch: 100}, 2999, 0.1},
		{"per epoch boundary", optim.PerEpoch{Epochs: optim.StepLR{Base: 0.1, StepSize: 30, Gamma: 0.1}, StepsPerEpoch: 100}, 3000, 0.01},
		{"sequential three", optim.Sequential{
			Schedules:  []optim.Schedule{optim.ConstantLR{Base: 1, Factor: 0.5, Iters: 10}, optim.ExponentialLR{Base: 1, Gamma: 0.5}, optim.ConstantLR{Base: 3, Factor: 1}},
			Milestones: []int{2, 4},
		}, 3, 0.5},
	} {
		if err := c.s.Validate(); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if got := c.s.LR(c.t); math.Abs(got-c.want) > 1e-12+1e-9*math.Abs(c.want) {
			t.Errorf("%s: LR(%d) = %.12g, want %.12g", c.name, c.t, got, c.want)
		}
	}
}

func TestScheduleValidate(t *testing.T) {
	for _, s := range []optim.Schedule{
		optim.StepLR{Base: 0.1, Gamma: 0.1},
		optim.StepLR{Base: -0.1, StepSize: 1, Gamma: 0.1},
		optim.MultiStepLR{Base: 0.1, Milestones: []int{5, 3}, Gamma: 0.1},
		optim.ExponentialLR{Base: math.NaN(), Gamma: 0.9},
		optim.CosineAnnealingLR{Base: 0.1},
		optim.PolynomialLR{Base: 0.1, Power: 0.9},
		optim.LinearLR{Base: 0.1, Start: 0, End: 1, Iters: 5},
		optim.ConstantLR{Base: 0.1, Factor: 2, Iters: 5},
		optim.PerEpoch{Epochs: optim.ExponentialLR{Base: 1, Gamma: 1}},
		optim.Sequential{Schedules: []optim.Schedule{optim.ExponentialLR{Base: 1, Gamma: 1}}, Milestones: []int{3}},
		optim.Sequential{Schedules: []optim.Schedule{optim.ExponentialLR{Base: 1, Gamma: 1}, optim.ExponentialLR{Base: 1, Gamma: 1}}, Milestones: []int{0}},
	} {
		if s.Validate() == nil {
			t.Errorf("%#v validated", s)
		}
	}
	if _, err := optim.WithWarmup(optim.ExponentialLR{Base: 1, Gamma: 1}, "cubic", 5, 0.1, 1); err == nil {
		t.Error("WithWarmup accepted an unknown method")
	}
}
