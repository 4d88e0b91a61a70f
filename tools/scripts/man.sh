#!/usr/bin/env bash
# The man pages, in build/man: ipn(7) made from Documentation/ipn.rst (the
# kernel-style document is the one source), and ipnctl(8).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out="$IPN_TOP/build/man"
mkdir -p "$out"
# rst2man makes a NAME section of the document's title; the document has
# its own NAME section, so the made one goes, and the header names the page.
rst2man --halt=warning "$IPN_TOP/Documentation/ipn.rst" |
	awk '/^\.TH / { print ".TH IPN 7 \"\" \"IPN\" \"Linux Programmer'"'"'s Manual\""; next }
		/^\.SH NAME/ && !named++ { skip = 1; next }
		/^\.SH / { skip = 0 }
		!skip' >"$out/ipn.7"
cp "$IPN_TOP/tools/rust/ipnctl/man/ipnctl.8" "$out/"
