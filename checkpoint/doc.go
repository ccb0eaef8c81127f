// Package checkpoint reads and writes what a gocnn training run leaves on
// disk, and rebuilds a trained model from it:
//
//   - Saver writes a checkpoint per epoch, and within epochs when asked
//     (weights, optimizer tensors and the resumable State), keeps a copy
//     of the best and prunes old ones;
//     Resolve and Load find and read one back, checking every file's
//     CRC-32C.
//   - LoadModel rebuilds a checkpoint's model from ModelInfo, what the run
//     recorded of it; Weights and SetWeights move a model's parameters and
//     buffers to and from host Tensors.
//   - The safetensors codec (WriteSafetensors, ReadSafetensors), PyTorch's
//     weight files (WriteWeights, LoadWeights, MatchTensors) and the filter
//     layout conversion (KRSCToOIHW, OIHWToKRSC).
//   - WriteFileAtomic, which every file above is written with, and which
//     the metrics log, plots and lesion study use too; RemoveTemps clears
//     what writes killed midway left.
//   - LockDir, a run's hold on its folder (run.lock: pid, host, start
//     time), refused to a second run and taken over from a dead one.
//
// Weight files use torchvision's parameter names and PyTorch's OIHW layout
// for 4-D tensors, so PyTorch loads them with
// model.load_state_dict(safetensors.torch.load_file(path)); inside gocnn
// conv filters are KRSC and are converted at the file edge.
//
// The package is a leaf below train: it needs the models to rebuild one,
// but neither the training loop, the datasets nor the plots, so a program
// that only predicts (package gocnn) does not carry them.
//
// Errors caused by files (truncated, corrupt, full disk) are returned and
// name the file; shape misuse by a caller panics.
package checkpoint
