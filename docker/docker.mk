# docker.mk: the Docker images and the binaries they ship; included by the Makefile.
# The binaries come from docker/build.sh, the same script the Dockerfiles run.
GO ?= go
DOCKER ?= docker
IMAGE ?= gocnn

.PHONY: train-cpu train-cuda docker-cpu docker-cuda docker-check lint-docker

## train-cpu: the static pure-Go train binary of the CPU image, as bin/train-cpu
train-cpu:
	GO='$(GO)' sh docker/build.sh cpu bin/train-cpu

## train-cuda: the cuda-tagged train binary of the CUDA image, as bin/train-cuda (needs cuda.h, libcuda)
train-cuda:
	GO='$(GO)' sh docker/build.sh cuda bin/train-cuda

## docker-cpu: the CPU-only image, tagged $(IMAGE):cpu
docker-cpu:
	$(DOCKER) build -f docker/Dockerfile.cpu -t $(IMAGE):cpu .

## docker-cuda: the CUDA image, tagged $(IMAGE):cuda
docker-cuda:
	$(DOCKER) build -f docker/Dockerfile -t $(IMAGE):cuda .

## docker-check: build both image binaries with docker/build.sh and check them (minutes, cold)
docker-check:
	GOCNN_DOCKER_BUILD=1 $(GO) test -count=1 -v -run 'Binary' ./docker/

## lint-docker: lint the Dockerfiles (installs the linter from npm on first use)
lint-docker:
	sh scripts/lint-docker.sh
