#!/bin/sh
# Where OpenSSL 3.0 keeps a connection's secrets in struct ssl_st: fetches
# Debian's openssl source package (a private apt configuration with deb-src
# lines, all under BUILD/openssl-src; nothing of the system's apt changes),
# compiles offsetof() against its internal ssl/ssl_local.h and prints the
# #defines of bpf/openssl_3_0.h. Run it when Debian's libssl3 moves to a
# series whose layout may differ, and compare.
# Usage: test/helpers/openssl_offsets.sh [BUILD] [VERSION]   (VERSION: the newest source when omitted)
build=${1:-build} version=${2:-}
dir=$build/openssl-src
mkdir -p "$dir/apt/lists/partial" "$dir/apt/archives/partial" || exit 1
dir=$(cd "$dir" && pwd)
. /etc/os-release
printf 'deb-src http://deb.debian.org/debian %s main\n' "$VERSION_CODENAME" >"$dir/apt/sources.list"
printf 'deb-src http://deb.debian.org/debian-security %s-security main\n' "$VERSION_CODENAME" >>"$dir/apt/sources.list"
printf 'deb-src http://deb.debian.org/debian %s-updates main\n' "$VERSION_CODENAME" >>"$dir/apt/sources.list"
apt="-o Dir::Etc::SourceList=$dir/apt/sources.list -o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists=$dir/apt/lists -o Dir::Cache::Archives=$dir/apt/archives"
src=$(ls -d "$dir"/openssl-3.0.*/ 2>/dev/null | tail -1)
if [ -z "$src" ]; then
	apt-get $apt update -q >&2 && (cd "$dir" && apt-get $apt source -q "openssl${version:+=$version}" >&2) || exit 1
	src=$(ls -d "$dir"/openssl-3.0.*/ | tail -1)
fi
fields="
SSL_ST_VERSION ssl_st version
SSL_ST_SERVER ssl_st server
SSL_ST_HAND_STATE ssl_st statem.hand_state
SSL_ST_IN_INIT ssl_st statem.in_init
SSL_ST_CLIENT_RANDOM ssl_st s3.client_random
SSL_ST_SESSION ssl_st session
SSL_ST_HANDSHAKE_SECRET ssl_st handshake_secret
SSL_ST_MASTER_SECRET ssl_st master_secret
SSL_ST_SERVER_FINISHED_HASH ssl_st server_finished_hash
SSL_ST_HANDSHAKE_TRAFFIC_HASH ssl_st handshake_traffic_hash
SSL_ST_CLIENT_APP_TRAFFIC_SECRET ssl_st client_app_traffic_secret
SSL_ST_SERVER_APP_TRAFFIC_SECRET ssl_st server_app_traffic_secret
SSL_ST_EXPORTER_MASTER_SECRET ssl_st exporter_master_secret
SSL_SESSION_MASTER_KEY_LENGTH ssl_session_st master_key_length
SSL_SESSION_MASTER_KEY ssl_session_st master_key
SSL_SESSION_CIPHER ssl_session_st cipher
SSL_CIPHER_ID ssl_cipher_st id"
{
	echo '#include <stdio.h>'
	echo '#include <stddef.h>'
	echo '#include "ssl/ssl_local.h"'
	echo 'int main(void) {'
	echo "$fields" | while read -r name type member; do
		[ -n "$name" ] && printf '\tprintf("#define %%-36s %%zu\\n", "%s", offsetof(struct %s, %s));\n' \
			"$name" "$type" "$member"
	done
	printf '\tprintf("#define %%-36s %%d\\n", "TLS_ST_OK_VALUE", (int)TLS_ST_OK);\n'
	echo '	return 0;'
	echo '}'
} >"$dir/offsets.c"
echo "/* from $(basename "$src") */"
# The source's own headers first; the installed libssl-dev's for those generated at build time.
${CC:-gcc} -I "$src" -I "$src/include" -I /usr/include/x86_64-linux-gnu "$dir/offsets.c" -o "$dir/offsets" &&
	"$dir/offsets"
