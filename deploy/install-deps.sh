#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install every Debian 12 package that velodns' build, tests, benchmarks and demo need.
#
# Idempotent: when every package is already installed it only checks and exits (~1 s,
# and then it does not need root). Otherwise it needs root; it runs `apt-get update`
# itself when the package lists are missing, older than a day, or lack a candidate.
#
# unbound, nsd, knot and dpdk ship services. Tests start their own instances on
# loopback with their own configs, so during the install a policy-rc.d that answers
# 101 keeps invoke-rc.d/deb-systemd-invoke from starting any of them: nothing ends up
# listening on port 53 and nothing queries the internet. On a systemd host, the DNS
# daemons this run installed are also disabled, so they do not come up at the next boot
# either (velodns wants port 53 for itself).
set -euo pipefail

# Build: compilers, meson, DPDK, libbpf/libxdp and the BPF toolchain (clang + bpftool),
# libclang-rt for -fsanitize and libFuzzer. Control plane: libknot, libuv, jansson, yaml.
# Tests: criterion, knot-dnsutils (kdig), dnsutils (dig), iproute2 (netns/veth), ethtool,
# procps (pgrep, sysctl), git (check-style lists tracked files).
# Local DNS hierarchy for integration tests and the demo: nsd, knot, unbound, root data.
# Benchmarks: dnsperf, tcpdump.
PKGS=(
	gcc libc6-dev clang llvm lld libclang-rt-14-dev meson ninja-build pkg-config python3
	dpdk dpdk-dev libdpdk-dev libbpf-dev libxdp-dev xdp-tools bpftool
	libknot-dev libuv1-dev libjansson-dev libyaml-dev
	libcriterion-dev knot-dnsutils dnsutils iproute2 ethtool procps git
	nsd knot unbound dns-root-data
	dnsperf tcpdump
)
# Services of the packages above that must not be running or enabled after the install.
DNS_SERVICES=(unbound unbound-resolvconf nsd knot)

t0=$SECONDS
log() { printf 'install-deps: %s\n' "$*" >&2; }

# Print the packages of PKGS that are not fully installed ("ii").
missing_pkgs() {
	local status
	# dpkg-query exits 1 when it knows nothing of a package; its stdout still lists the rest.
	status=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PKGS[@]}" 2>/dev/null || true)
	local p
	for p in "${PKGS[@]}"; do
		grep -qx "$p ii *" <<<"$status" || printf '%s\n' "$p"
	done
}

mapfile -t missing < <(missing_pkgs)
if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps: all ${#PKGS[@]} packages present, nothing to do ($((SECONDS - t0)) s)"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	log "missing: ${missing[*]}"
	log "run as root (sudo $0) to install them"
	exit 1
fi
if ! grep -q '^VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
	log "warning: written for Debian 12 (bookworm); package names may differ here"
fi

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef
	-o Dpkg::Options::=--force-confold -o Dpkg::Use-Pty=0)

# Keep services from starting while packages install. An existing policy-rc.d that
# already denies starts (Docker images ship one) is left as it is; anything else is
# moved aside and put back by the trap.
POLICY=/usr/sbin/policy-rc.d
POLICY_SAVED=
POLICY_OURS=0
restore_policy() {
	if [ "$POLICY_OURS" -eq 1 ]; then
		rm -f "$POLICY"
		if [ -n "$POLICY_SAVED" ]; then
			mv -f "$POLICY_SAVED" "$POLICY"
		fi
	fi
}
policy_denies() {
	local rc=0
	[ -x "$POLICY" ] || return 1
	"$POLICY" unbound start >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 101 ]
}
if ! policy_denies; then
	trap restore_policy EXIT
	trap 'exit 130' INT TERM
	if [ -e "$POLICY" ]; then
		POLICY_SAVED=$(mktemp "$POLICY.velodns-saved.XXXXXX")
		mv -f "$POLICY" "$POLICY_SAVED"
	fi
	POLICY_OURS=1
	printf '#!/bin/sh\n# Written by velodns deploy/install-deps.sh while it runs.\nexit 101\n' >"$POLICY"
	chmod 755 "$POLICY"
fi

# Refresh the lists when there are none, when they are older than a day (old lists
# name package versions the archive may no longer have), or when a missing package
# has no install candidate in them.
lists_stale() {
	local lists=/var/lib/apt/lists
	compgen -G "$lists/*_Packages*" >/dev/null || return 0
	[ -n "$(find "$lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 -print -quit)" ] || return 0
	local p policy
	for p in "${missing[@]}"; do
		# Not `apt-cache | grep -q`: under pipefail grep's early exit fails the pipe.
		policy=$(apt-cache policy "$p" 2>/dev/null || true)
		grep -q 'Candidate: [^(]' <<<"$policy" || return 0
	done
	return 1
}
updated=0
if lists_stale; then
	log "apt-get update"
	apt-get update -q >/dev/null
	updated=1
fi

log "installing ${#missing[@]} package(s): ${missing[*]}"
if ! apt-get install "${APT_OPTS[@]}" "${PKGS[@]}" >/tmp/velodns-install-deps.log 2>&1; then
	# A mirror may have moved on since the lists were read: refresh once and retry.
	if [ "$updated" -eq 0 ]; then
		log "install failed; apt-get update and retry"
		apt-get update -q >/dev/null
		apt-get install "${APT_OPTS[@]}" "${PKGS[@]}" >/tmp/velodns-install-deps.log 2>&1 || {
			tail -n 30 /tmp/velodns-install-deps.log >&2
			log "FAILED, full log in /tmp/velodns-install-deps.log"
			exit 1
		}
	else
		tail -n 30 /tmp/velodns-install-deps.log >&2
		log "FAILED, full log in /tmp/velodns-install-deps.log"
		exit 1
	fi
fi

# On a systemd host packages get enabled even when policy-rc.d stopped their start.
# Disable (and stop, should one have started anyway) the DNS daemons installed by
# this run only, so an operator's own configured unbound is left alone.
disabled=()
declare -A new_pkg=()
for p in "${missing[@]}"; do new_pkg[$p]=1; done
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
	for svc in "${DNS_SERVICES[@]}"; do
		pkg=${svc%-resolvconf}
		[ -n "${new_pkg[$pkg]:-}" ] || continue
		systemctl list-unit-files "$svc.service" >/dev/null 2>&1 || continue
		if systemctl disable --now --quiet "$svc.service" >/dev/null 2>&1; then
			disabled+=("$svc")
		fi
	done
fi

mapfile -t still < <(missing_pkgs)
if [ "${#still[@]}" -ne 0 ]; then
	log "still missing after install: ${still[*]}"
	exit 1
fi
extra=
[ "${#disabled[@]}" -eq 0 ] || extra=", disabled ${disabled[*]}"
echo "install-deps: installed ${#missing[@]} of ${#PKGS[@]} packages$extra ($((SECONDS - t0)) s)"
