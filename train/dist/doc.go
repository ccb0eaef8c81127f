// Package dist bootstraps training across processes and machines the way
// torchrun and PyTorch's DDP do with a tcp:// init method: rank 0 listens
// on -dist-url, every other rank connects to it and states the world size,
// its rank and the number of devices it drives, and once all ranks have
// joined with consistent claims rank 0 hands each of them the same opaque
// 128-byte identifier (NCCL's
// ncclUniqueId), from which NCCL builds its own communicator. The package
// needs no GPU: the identifier is whatever rank 0's newID returns.
//
// The wire format (big-endian) is a hello from each joining rank,
//
//	magic "gocnnRV2" | world size uint32 | rank uint32 | devices uint32
//
// answered, after everyone has joined, by
//
//	0 | id [128]byte          (accepted)
//	1 | length uint16 | text  (refused, with rank 0's reason)
//
// Any inconsistency (another world size, a rank out of range or claimed
// twice, another number of devices than rank 0's) fails the whole rendezvous on every rank with the same reason,
// since a run with a wrong world cannot train correctly.
package dist
