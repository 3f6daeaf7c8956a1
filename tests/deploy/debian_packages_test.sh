#!/usr/bin/env bash
# ctest: the Debian packages. `cpack -G DEB` packs the build tree, dpkg installs the packages into a
# scratch root, and then:
#   - every installed program answers --version with the project's version (buildfarm-exporter-publish,
#     which buildfarm-exporter runs for git publishing, in the exporter's package next to it);
#   - the services' units are enabled but nothing more (their multi-user.target.wants links), pass
#     `systemd-analyze verify` like deploy.install_systemd's, the agent's user exists, and each
#     service's configuration is a conffile;
#   - `dpkg -r` leaves no program behind (configurations stay, as Debian's do), and `dpkg --purge`
#     leaves no file of the farm in the root.
# Why a scratch root and these dpkg flags: the test must not change the host, even when it runs as
# root. --root installs under ROOT; --force-script-chrootless runs the maintainer scripts on the host
# with DPKG_ROOT=ROOT, which they, deb-systemd-helper and systemd-sysusers honour (a chroot would need
# a whole Debian inside ROOT); --force-depends because ROOT holds none of the libraries the packages
# depend on (the programs run from ROOT against the host's); --force-not-root so that it also runs as
# an ordinary user; --log keeps dpkg's log in ROOT.
# Needs dpkg-dev (dpkg-shlibdeps) and the four programs built; no network.
# Usage: debian_packages_test.sh BUILD_DIR
set -euo pipefail
build_dir=$1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

packages=(buildfarm-common buildfarm-exporter buildfarm-scheduler buildfarm-agent buildfarm-cli)
programs=(buildfarm-exporter buildfarm-exporter-publish buildfarm-scheduler buildfarm-agent build-cli)
services=(exporter scheduler agent)
version="$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build_dir/CPackConfig.cmake")"
[ -n "$version" ] || fail "no CPACK_PACKAGE_VERSION in $build_dir/CPackConfig.cmake"

if ! cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log" >&2
  fail "cpack -G DEB failed"
fi
debs=()
for package in "${packages[@]}"; do
  deb="$(compgen -G "$work/out/${package}_${version}_*.deb")" || fail "cpack made no $package $version"
  debs+=("$deb")
  echo "$(basename "$deb"): $(stat -c %s "$deb") bytes"
done
for package in buildfarm-exporter buildfarm-scheduler buildfarm-agent buildfarm-cli; do
  depends="$(dpkg-deb --field "$work/out/${package}_${version}"_*.deb Depends)"
  # dpkg-shlibdeps names the C library the programs link; the services also need the common data.
  [[ $depends == *libc6* ]] || fail "$package: no shared-library dependencies (Depends: $depends)"
  [[ $package == buildfarm-cli || $depends == *"buildfarm-common (= $version)"* ]] ||
    fail "$package does not depend on buildfarm-common $version (Depends: $depends)"
done

root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/log"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
dpkg_in_root() {
  dpkg --root="$root" --log="$root/var/log/dpkg.log" --force-script-chrootless --force-depends \
    --force-not-root "$@" >>"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg $*"; }
}
dpkg_in_root --install "${debs[@]}"

for program in "${programs[@]}"; do
  [ -x "$root/usr/bin/$program" ] || fail "$program not installed in /usr/bin"
  output="$("$root/usr/bin/$program" --version 2>&1)" || fail "$program --version failed: $output"
  [[ $output == *"$version"* ]] || fail "$program --version does not say $version: $output"
done

for service in "${services[@]}"; do
  unit="buildfarm-$service.service"
  [ -f "$root/lib/systemd/system/$unit" ] || fail "$unit not installed in /lib/systemd/system"
  [ "$(readlink "$root/etc/systemd/system/multi-user.target.wants/$unit")" = "/lib/systemd/system/$unit" ] ||
    fail "$unit is not enabled (no multi-user.target.wants link)"
  conffiles="$(dpkg-query --admindir="$root/var/lib/dpkg" --showformat='${Conffiles}' --show "buildfarm-$service")"
  [[ $conffiles == *"/etc/buildfarm/$service.yml "* ]] ||
    fail "buildfarm-$service: /etc/buildfarm/$service.yml is not a conffile (${conffiles:-none})"
done
exporter_files="$(dpkg-deb --contents "$work/out/buildfarm-exporter_${version}"_*.deb)"
[[ $exporter_files == *" ./usr/bin/buildfarm-exporter-publish"* ]] ||
  fail "buildfarm-exporter-publish is not in the buildfarm-exporter package"
grep -q '^buildfarm:' "$root/etc/passwd" || fail "the agent's postinst did not create the buildfarm user"

# As in install_systemd_test.sh: verify --root resolves multi-user.target and the like inside the
# root, so it gets the host's units (removed again before the leftovers check).
mkdir -p "$root/usr/lib/systemd"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
output="$(systemd-analyze verify --root="$root" "$root"/lib/systemd/system/buildfarm-*.service 2>&1)" ||
  fail "systemd-analyze verify: $output"
[ -z "$output" ] || fail "systemd-analyze verify warns: $output"
rm -rf "$root/usr/lib/systemd/system"

dpkg_in_root --remove "${packages[@]}"
named_like_a_program=(-name wait-healthy)
for program in "${programs[@]}"; do named_like_a_program+=(-o -name "$program"); done
leftovers="$(find "$root" \( "${named_like_a_program[@]}" \))"
[ -z "$leftovers" ] || fail "dpkg -r left programs behind: $leftovers"
for service in "${services[@]}"; do
  [ -f "$root/etc/buildfarm/$service.yml" ] || fail "dpkg -r removed /etc/buildfarm/$service.yml"
done

dpkg_in_root --purge "${packages[@]}"
leftovers="$(find "$root" -name '*buildfarm*' -o -name build-cli -o -name wait-healthy)"
[ -z "$leftovers" ] || fail "dpkg --purge left files behind: $leftovers"
echo "debian packages: OK"
