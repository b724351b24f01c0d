#!/usr/bin/env bash
# Installs (or upgrades) Pigeon on a Raspberry Pi over ssh:
#   deploy/install.sh pi@raspberrypi.local [--config pigeon.yaml] [--deb FILE] [--dry-run]
# Copies the .deb, installs it with apt (which pulls a Java runtime if missing), copies the config if
# given, validates it on the Pi, (re)starts the service and shows its status and last log lines.
# Running it again upgrades. Needs ssh access and sudo on the Pi.
set -euo pipefail

usage() {
    echo "usage: $0 USER@HOST [--config FILE] [--deb FILE] [--dry-run]" >&2
    exit 2
}

die() {
    echo "install.sh: $*" >&2
    exit 1
}

target=""
config=""
deb=""
dry_run=0
while [ $# -gt 0 ]; do
    case "$1" in
        --config) [ $# -ge 2 ] || usage; config=$2; shift 2 ;;
        --deb) [ $# -ge 2 ] || usage; deb=$2; shift 2 ;;
        --dry-run) dry_run=1; shift ;;
        -h|--help) usage ;;
        -*) echo "install.sh: unknown option $1" >&2; usage ;;
        *) [ -z "$target" ] || usage; target=$1; shift ;;
    esac
done
[ -n "$target" ] || usage

here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$deb" ]; then
    deb=$(find "$here/target" -maxdepth 1 -name 'pigeon_*_all.deb' 2>/dev/null | sort | tail -n 1)
    [ -n "$deb" ] || die "no package in $here/target: build it first with ./mvnw -B package -DskipTests"
fi
[ -r "$deb" ] || die "cannot read $deb"
if [ -n "$config" ]; then
    [ -r "$config" ] || die "cannot read config $config"
    if command -v java >/dev/null 2>&1 && [ -r "$here/target/pigeon-gateway.jar" ]; then
        java -jar "$here/target/pigeon-gateway.jar" check --config "$config" >/dev/null \
            || die "$config does not validate (run: java -jar $here/target/pigeon-gateway.jar check --config $config)"
    fi
fi

ssh_opts=(-o BatchMode=yes -o ConnectTimeout=10)

# Prints a step; runs it unless --dry-run.
run() {
    echo "+ $*"
    if [ "$dry_run" -eq 0 ]; then
        "$@"
    fi
}

remote() {
    run ssh "${ssh_opts[@]}" "$target" "$@"
}

if [ "$dry_run" -eq 0 ]; then
    ssh "${ssh_opts[@]}" "$target" true 2>/dev/null \
        || die "cannot reach $target over ssh (check the host name, and that 'ssh $target' works without a password prompt)"
    if ! ssh "${ssh_opts[@]}" "$target" \
        "command -v java >/dev/null || apt-cache policy default-jre-headless openjdk-17-jre-headless 2>/dev/null | grep -q 'Candidate: [0-9]'"; then
        die "$target has no Java 17+ runtime and apt offers none: run 'sudo apt update' on it, or install a JRE 17+"
    fi
fi

remote_deb=/tmp/$(basename "$deb")
run scp "${ssh_opts[@]}" "$deb" "$target:$remote_deb"
remote sudo apt-get install -y --no-install-recommends "$remote_deb"
if [ -n "$config" ]; then
    run scp "${ssh_opts[@]}" "$config" "$target:/tmp/pigeon.yaml"
    remote sudo install -m 640 -o root -g pigeon /tmp/pigeon.yaml /etc/pigeon/pigeon.yaml
fi
if [ "$dry_run" -eq 0 ]; then
    ssh "${ssh_opts[@]}" "$target" sudo -u pigeon pigeon check --config /etc/pigeon/pigeon.yaml \
        || die "the config on $target does not validate: fix /etc/pigeon/pigeon.yaml (or pass --config)"
else
    echo "+ ssh $target sudo -u pigeon pigeon check --config /etc/pigeon/pigeon.yaml"
fi
remote sudo systemctl enable pigeon.service
remote sudo systemctl restart pigeon.service
remote sudo systemctl --no-pager status pigeon.service || true
remote sudo journalctl -u pigeon.service -n 20 --no-pager || true
echo "done: logs with 'ssh $target journalctl -u pigeon -f'"
