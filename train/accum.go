package train

import "github.com/gocnn/gocnn/autograd"

// accumSteps returns the batches each replica trains on per optimizer step
// (-accum-steps; at least 1).
func (c *Config) accumSteps() int { return max(c.AccumSteps, 1) }

// queuePass queues pass (from 1) of passes forward and backward passes of
// every replica on the batch its feeder holds, at learning rate lr: the
// first of a step's -accum-steps passes drops the gradients, the others
// add to them, and the last averages them over the replicas (only then,
// as DDP's no_sync) and divides their sum by the passes, so that the step
// is that of the mean loss of all of them, then updates.
func (t *trainer) queuePass(lr float64, pass, passes int) error {
	first, last := pass == 1, pass == passes
	err := onEach(t.reps, func(i int, r *replica) error {
		r.opt.SetLR(lr)
		if first {
			r.opt.ZeroGrad()
		}
		defer r.scope()() // the pass's tensors; the gradients stay with their parameters
		x, targets := t.trainIn[i].take()
		_, h, w, _ := x.Shape().NHWC("training batch")
		mix := t.objective.mixer.draw(t.step, pass, t.cfg.Dist.globalRank(i, len(t.reps)), h, w)
		scored, loss := t.objective.loss(r.model, x, targets, mix)
		t.meters[i].record(scored, targets, loss)
		if r.group != nil {
			r.group.deferAverage(i, !last) // averaged once, in the step's last pass
		}
		loss.Backward()
		return nil
	})
	if err != nil || !last {
		return err
	}
	return finishStep(t.reps, passes, t.cfg.ClipGradNorm)
}

// scaleGradients multiplies every gradient of r's parameters by f.
func scaleGradients(r *replica, f float32) {
	for _, p := range r.params {
		g := p.Tensor.Grad()
		if g == nil {
			continue
		}
		// Into a fresh tensor: backend kernels never write their inputs.
		scaled := autograd.Empty(g.Device(), autograd.Float32, g.Shape()...)
		g.Device().Backend().Axpby(f, g.Buffer(), 0, scaled.Buffer())
		p.Tensor.SetGrad(scaled)
		g.Release()
	}
}
