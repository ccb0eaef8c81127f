#!/bin/sh
# libjpeg-tags.sh prints "-tags libjpeg" when cgo can build and link against libjpeg-turbo's
# TurboJPEG API (turbojpeg.h and libturbojpeg, Debian's libturbojpeg0-dev), and nothing
# otherwise, for the build and test targets that use libjpeg-turbo where it is installed and
# pure Go elsewhere: go test $(sh docker/libjpeg-tags.sh) ./data/
# LIBJPEG=no prints nothing whatever is installed; LIBJPEG=yes prints the tag unchecked.
# LIBJPEG_STATIC=1 asks for a static link (libturbojpeg.a and libc.a), as build.sh's cpu variant
# links: without the archives it prints nothing.
set -eu
case ${LIBJPEG:-auto} in
no) exit 0 ;;
yes) echo "-tags libjpeg"; exit 0 ;;
esac
[ "$(${GO:-go} env CGO_ENABLED)" = 1 ] || exit 0
if echo 'int main(void) { return tjInitDecompress() == 0; }' |
	${CC:-cc} -x c -include turbojpeg.h - ${LIBJPEG_STATIC:+-static} -lturbojpeg -o /dev/null 2>/dev/null; then
	echo "-tags libjpeg"
fi
