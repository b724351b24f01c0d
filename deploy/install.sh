#!/usr/bin/env bash
# Installs (or upgrades) Pigeon on a Raspberry Pi over ssh:
#   deploy/install.sh pi@raspberrypi.local [--config pigeon.yaml] [--password-file FILE] [--deb FILE] [--dry-run]
# Copies the .deb, installs it with apt (which pulls a Java runtime if missing), copies the config and the
# broker password if given, validates the config on the Pi, (re)starts the service and shows its status
# and last log lines. Running it again upgrades. Needs ssh access and sudo on the Pi.
set -euo pipefail

USAGE="usage: $0 USER@HOST [--config FILE] [--password-file FILE] [--deb FILE] [--dry-run]

  --config FILE          install FILE as /etc/pigeon/pigeon.yaml (checked here first, then on the Pi)
  --password-file FILE   install FILE as /etc/pigeon/mqtt-password (mode 0640, root:pigeon); point the
                         config's mqtt.password_file at /etc/pigeon/mqtt-password
  --deb FILE             the package to install (default: the newest in deploy/target)
  --dry-run              print the steps instead of running them
  -h, --help             this text"

usage() {
    echo "$USAGE" >&2
    exit 2
}

die() {
    echo "install.sh: $*" >&2
    exit 1
}

target=""
config=""
password_file=""
deb=""
dry_run=0
while [ $# -gt 0 ]; do
    case "$1" in
        --config) [ $# -ge 2 ] || usage; config=$2; shift 2 ;;
        --password-file) [ $# -ge 2 ] || usage; password_file=$2; shift 2 ;;
        --deb) [ $# -ge 2 ] || usage; deb=$2; shift 2 ;;
        --dry-run) dry_run=1; shift ;;
        -h|--help) echo "$USAGE"; exit 0 ;;
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
[ -z "$password_file" ] || [ -r "$password_file" ] || die "cannot read password file $password_file"
if [ -n "$config" ]; then
    [ -r "$config" ] || die "cannot read config $config"
    if command -v java >/dev/null 2>&1 && [ -r "$here/target/pigeon-gateway.jar" ]; then
        if ! said=$(java -jar "$here/target/pigeon-gateway.jar" check --config "$config" 2>&1 >/dev/null); then
            # Files that will exist only on the Pi (/etc/pigeon/mqtt-password, a CA file) are checked there,
            # after copying; anything else is wrong here too.
            if printf '%s\n' "$said" | grep -q 'does not exist or cannot be read' \
                && ! printf '%s\n' "$said" | grep -v 'does not exist or cannot be read' \
                    | grep -qv '^pigeon: invalid config: [0-9]* problems:$'; then
                echo "install.sh: $config names files that are not on this machine; they are checked on the Pi"
            else
                printf '%s\n' "$said" >&2
                die "$config does not validate (run: java -jar $here/target/pigeon-gateway.jar check --config $config)"
            fi
        fi
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
if [ -n "$password_file" ]; then
    # Into a file only the ssh user can read (umask 077), removed at once: never readable by others.
    remote "umask 077 && cat > .pigeon-mqtt-password" < "$password_file"
    remote "sudo install -m 640 -o root -g pigeon .pigeon-mqtt-password /etc/pigeon/mqtt-password; rm -f .pigeon-mqtt-password"
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
