#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host end of the e1000 guest transfer tests, run by QEMU's slirp for each
# guest connection to a guestfwd address:
#   -netdev user,...,guestfwd=tcp:10.0.2.100:5000-cmd:@ROOT@/tests/vm/e1000-peer.sh
# stdin and stdout are the guest's TCP connection.  The guest's first line
# is a request:
#   send N SEED   reply with N bytes of the stream seeded by SEED
#   sum N SEED    reply with the md5 of those N bytes (computed here)
#   recv N        read N bytes, reply with their md5 (computed here)
# The stream is AES-128-CTR of zeros under a key derived from SEED, so both
# ends can produce it; the guest gets openssl through the case's bins= key.
exec 2>/dev/null	# stderr is the connection too: keep it clean

stream() { # N SEED
	openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass "pass:$2" < /dev/zero |
		head -c "$1"
}

read -r cmd n seed || exit 1
case $cmd in
send) stream "$n" "$seed" ;;
sum) stream "$n" "$seed" | md5sum | cut -d' ' -f1 ;;
recv) head -c "$n" | md5sum | cut -d' ' -f1 ;;
*) echo "bad request" ;;
esac
