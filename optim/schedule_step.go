package optim

import (
	"fmt"
	"math"
	"slices"
)

// StepLR multiplies Base by Gamma every StepSize steps (torch's StepLR;
// torchvision's default, step 30 and gamma 0.1 over epochs).
type StepLR struct {
	Base     float64
	StepSize int
	Gamma    float64
}

// LR returns Base * Gamma^floor(t/StepSize).
func (s StepLR) LR(t int) float64 { return s.Base * math.Pow(s.Gamma, float64(t/s.StepSize)) }

// Validate checks StepSize, Gamma and Base.
func (s StepLR) Validate() error {
	if s.StepSize < 1 {
		return fmt.Errorf("optim: StepLR step size %d", s.StepSize)
	}
	return checkRate("StepLR", s.Base, s.Gamma)
}

// MultiStepLR multiplies Base by Gamma at each milestone (torch's
// MultiStepLR; the CIFAR ResNet recipe drops by 10 at epochs 81 and 122).
type MultiStepLR struct {
	Base       float64
	Milestones []int // sorted
	Gamma      float64
}

// LR returns Base * Gamma^(number of milestones <= t).
func (s MultiStepLR) LR(t int) float64 {
	return s.Base * math.Pow(s.Gamma, float64(upperBound(s.Milestones, t)))
}

// Validate checks that the milestones are sorted, and Gamma and Base.
func (s MultiStepLR) Validate() error {
	if !slices.IsSorted(s.Milestones) {
		return fmt.Errorf("optim: MultiStepLR milestones %v are not sorted", s.Milestones)
	}
	return checkRate("MultiStepLR", s.Base, s.Gamma)
}

// ExponentialLR multiplies Base by Gamma every step (torch's ExponentialLR).
type ExponentialLR struct {
	Base, Gamma float64
}

// LR returns Base * Gamma^t.
func (s ExponentialLR) LR(t int) float64 { return s.Base * math.Pow(s.Gamma, float64(t)) }

// Validate checks Base and Gamma.
func (s ExponentialLR) Validate() error { return checkRate("ExponentialLR", s.Base, s.Gamma) }

// checkRate rejects a negative or non-finite base rate or decay factor.
func checkRate(kind string, base, gamma float64) error {
	for _, v := range []float64{base, gamma} {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("optim: %s with rate %v and factor %v", kind, base, gamma)
		}
	}
	return nil
}
