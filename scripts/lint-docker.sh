#!/usr/bin/env bash
# lint-docker.sh lints docker/Dockerfile and docker/Dockerfile.cpu with dockerfile-utils (the
# validator behind the VS Code Docker language server; it knows multi-stage builds, global ARGs
# and COPY --from/--chown). It installs that linter from npm, pinned, into a cache folder on
# first use. hadolint would be the usual choice, but neither Debian nor npm ships it as anything
# other than a prebuilt download.
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.16.3
prefix=${XDG_CACHE_HOME:-$HOME/.cache}/gocnn/dockerfile-utils-$version
bin=$prefix/node_modules/.bin/dockerfile-utils
if [ ! -x "$bin" ]; then
	npm install --silent --no-audit --no-fund --prefix "$prefix" "dockerfile-utils@$version" >/dev/null
fi

status=0
for f in docker/Dockerfile docker/Dockerfile.cpu; do
	# dockerfile-utils exits non-zero on errors but 0 on warnings; any line it prints is a
	# finding of either kind, so its output decides.
	findings=$("$bin" lint "$f" 2>&1) || true
	if [ -n "$findings" ]; then
		printf '%s\n' "$findings" | sed "s|^|$f: |" >&2
		status=1
	fi
done
if [ "$status" = 0 ]; then
	echo "lint-docker: docker/Dockerfile, docker/Dockerfile.cpu clean"
fi
exit "$status"
