package train

import (
	"fmt"
	"os"
	"runtime"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// newSplitReplica builds the one replica of -split: alexnet2012 with each
// tower on its own device of cfg (models.AlexNet2012Split), initialised
// with the weights of the single-device model of cfg.Seed, which it
// computes the same function as. Its input and logits live on the first
// device, which also draws the dropout masks, as the single-device run's
// replica 0 does. The devices get peer access to each other where they
// are GPUs that can have it; where they cannot, the towers' activations
// cross through host memory, which is said once on stderr.
func newSplitReplica(cfg *Config, classes, channels int) (*replica, error) {
	workers := max(1, runtime.GOMAXPROCS(0)/2)
	r := &replica{}
	for i := range 2 {
		be, err := replicaBackend(cfg, i, 2, workers)
		if err != nil {
			closeReplicas([]*replica{r})
			return nil, err
		}
		r.devs = append(r.devs, newDevice(cfg, be))
	}
	r.dev = r.devs[0]
	r.dev.SeedDropout(replicaDropoutSeed(cfg, 0))
	direct, err := enablePeerAccess(r.devs[0], r.devs[1])
	if err != nil {
		closeReplicas([]*replica{r})
		return nil, err
	}
	if !direct {
		fmt.Fprintf(os.Stderr, "train: %s and %s cannot read each other's memory: alexnet2012's towers exchange activations through host memory\n",
			r.devs[0].Name(), r.devs[1].Name())
	}
	err = recovered(r.dev.Name(), func() error {
		o := models.Options{Classes: classes, InChannels: channels}
		single := models.AlexNet2012(nn.NewBuilder(autograd.NewDevice(cpu.New(workers)), cfg.Seed), o)
		split := models.NewAlexNet2012Split([2]*autograd.Device{r.devs[0], r.devs[1]}, o)
		split.LoadFrom(single)
		r.model = split
		if r.params, err = trainableParams(cfg, split); err != nil {
			return err
		}
		r.opt, err = newOptimizer(cfg, r.params)
		return err
	})
	if err != nil {
		closeReplicas([]*replica{r})
		return nil, err
	}
	return r, nil
}

// scope opens a scope on each of r's devices (see autograd.Scope) and
// returns what closes them: a step's tensors are released however many
// devices its model spans.
func (r *replica) scope() (close func()) {
	scopes := make([]*autograd.Scope, len(r.devs))
	for i, d := range r.devs {
		scopes[i] = d.Scope()
	}
	return func() {
		for _, s := range scopes {
			s.Close()
		}
	}
}

// noGrad stops recording ops on each of r's devices until the returned
// function runs.
func (r *replica) noGrad() (restore func()) {
	restores := make([]func(), len(r.devs))
	for i, d := range r.devs {
		restores[i] = d.NoGrad()
	}
	return func() {
		for _, f := range restores {
			f()
		}
	}
}
