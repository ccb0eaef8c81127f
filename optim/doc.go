// Package optim updates a model's parameters from their gradients: SGD
// (momentum, dampening, Nesterov), AdamW and RMSprop, each with PyTorch's
// update rule run as one fused kernel per parameter tensor on backends that
// offer it (FusedSGD, FusedAdamW, FusedRMSprop) and composed from
// elementwise kernels on others (Portable);
// parameter groups that exempt norm and bias parameters from weight decay;
// learning-rate schedules as pure functions of the step; gradient clipping
// by global norm; and an exponential moving average of the weights.
//
// Parameters are named as in torchvision ("layer1.0.bn1.weight"): the names
// key the optimizer state, which State returns as plain numbers (step
// counters, the learning rate) and named tensors (momentum and moment
// buffers) so a checkpoint can store it as JSON plus tensors, and they
// decide which group a parameter joins (see DecayPolicy).
//
// A training step, as torchvision's train.py does it:
//
//	opt.ZeroGrad()
//	loss.Backward()
//	optim.ClipGradNorm(params, 1) // optional
//	opt.Step()
//	ema.Update()                  // optional
//
// and, per epoch or per step, opt.SetLR(schedule.LR(t)).
package optim
