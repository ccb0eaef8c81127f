// Package docker holds the Docker images of the train command: Dockerfile (CUDA, for the NVIDIA
// container toolkit), Dockerfile.cpu (the static binary, libjpeg-turbo linked in, on a distroless
// base), build.sh (the one place their build commands live, also run by the make targets in
// docker.mk) and docker.mk. It has no Go API; its tests check that the Dockerfiles, build.sh, the
// Makefile and go.mod agree, and that build.sh produces the binaries the images expect.
package docker
