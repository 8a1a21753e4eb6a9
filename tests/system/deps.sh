# make deps never stops, disables or reconfigures a service that was there
# before it ran. A recording systemctl stands first in PATH; scripts/deps
# installs a missing package (hello) while nginx and haproxy are installed
# already (they are test packages): no systemctl call may name them, and
# /usr/sbin/policy-rc.d is as it was before.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_root "installs a Debian package"
need_cmd apt-get
for u in nginx haproxy; do
	[ -e "/lib/systemd/system/$u.service" ] || skip "needs $u installed (make deps-test)"
done
if dpkg-query -W -f='${Status}' hello 2>/dev/null | grep -q "install ok installed"; then
	skip "the package hello is installed already; nothing to install"
fi

mkdir -p "$T/bin"
cat >"$T/bin/systemctl" <<EOT
#!/bin/sh
echo "systemctl \$*" >>"$T/systemctl.log"
exit 0
EOT
chmod 755 "$T/bin/systemctl"
: >"$T/systemctl.log"
policy_before=$(cat /usr/sbin/policy-rc.d 2>/dev/null || echo none)

set +e
PATH="$T/bin:$PATH" "$TOP/scripts/deps" hello >"$T/deps.out" 2>&1
rc=$?
set -e
if [ "$rc" != 0 ]; then
	tail -5 "$T/deps.out"
	grep -q -i "temporary failure\|could not resolve\|unable to fetch\|unable to locate" "$T/deps.out" &&
		skip "apt-get cannot reach the archive"
	fail "scripts/deps hello: exit $rc"
fi
apt-get remove -y -qq hello >/dev/null 2>&1 || true

if grep -E "nginx|haproxy" "$T/systemctl.log"; then
	fail "scripts/deps touched a service that was there before"
fi
[ "$(cat /usr/sbin/policy-rc.d 2>/dev/null || echo none)" = "$policy_before" ] ||
	fail "/usr/sbin/policy-rc.d changed"
ok "deps installed a package without touching nginx or haproxy"

# Nothing to install: says so, runs no apt-get.
"$TOP/scripts/deps" dpkg | grep -q "all packages present" || fail "deps with nothing missing"
ok "deps with nothing missing"
