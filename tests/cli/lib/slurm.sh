# Sourced by tests that need SLURM: slurm_start starts a single-node cluster
# on 127.0.0.1 in a fresh folder (munged with its own key and socket,
# slurmctld and slurmd with a generated slurm.conf: no cgroups, no
# accounting), slurm_stop cancels its jobs and stops the daemons it started,
# by their pids. Needs root (slurmd runs jobs as their users) and Debian's
# slurm-wlm and munge (scripts/install-deps.sh --with-tools).

# slurm_why_not: prints why this machine cannot start the cluster, or nothing.
slurm_why_not() {
    [ "$(id -u)" -eq 0 ] || { echo "not root (slurmd must run as root)"; return; }
    for p in munged slurmctld slurmd sbatch scontrol squeue sinfo scancel setpriv; do
        command -v "$p" >/dev/null 2>&1 || { echo "$p is not installed (scripts/install-deps.sh --with-tools)"; return; }
    done
    id munge >/dev/null 2>&1 || echo "no munge user (Debian's munge package makes it)"
}

# slurm_start DIR: the cluster's files go into DIR (made here, removed by the
# caller). Sets SLURM_CONF for the client commands and the jobs. Returns 1,
# with the daemons' logs in DIR, when the node is not up within 60 s.
slurm_start() {
    sdir=$1
    mkdir -p "$sdir/munge" "$sdir/run" "$sdir/state" "$sdir/spool" || return 1
    chmod 755 "$sdir" "$sdir/run"
    chown munge:munge "$sdir/munge" "$sdir/run" && chmod 700 "$sdir/munge" || return 1
    # a key of its own: the machine's /etc/munge is left alone
    dd if=/dev/urandom of="$sdir/munge/munge.key" bs=1024 count=1 2>/dev/null &&
        chown munge:munge "$sdir/munge/munge.key" && chmod 400 "$sdir/munge/munge.key" || return 1
    setpriv --reuid=munge --regid=munge --clear-groups munged -F --socket="$sdir/run/munge.sock" \
        --key-file="$sdir/munge/munge.key" --pid-file="$sdir/run/munged.pid" --seed-file="$sdir/munge/seed" \
        --log-file="$sdir/munge/munged.log" >"$sdir/munged.out" 2>&1 &
    slurm_pids=$!
    # ports of this test run's own, so that two runs (or a real SLURM) do not meet
    port=$((20000 + ($$ % 2000) * 2))
    node=$(slurmd -C 2>/dev/null | head -n 1)
    case $node in NodeName=*) ;; *) echo "slurmd -C printed no NodeName line" >"$sdir/why"; return 1 ;; esac
    cat >"$sdir/slurm.conf" <<EOF
ClusterName=rdroptest
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$sdir/run/munge.sock
CredType=cred/munge
StateSaveLocation=$sdir/state
SlurmdSpoolDir=$sdir/spool
SlurmctldPidFile=$sdir/run/slurmctld.pid
SlurmdPidFile=$sdir/run/slurmd.pid
SlurmctldLogFile=$sdir/slurmctld.log
SlurmdLogFile=$sdir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
KillWait=10
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    SLURM_CONF=$sdir/slurm.conf
    export SLURM_CONF
    i=0
    until [ -S "$sdir/run/munge.sock" ]; do
        i=$((i + 1))
        [ $i -lt 100 ] || { echo "munged did not start" >"$sdir/why"; return 1; }
        sleep 0.1
    done
    slurmctld -D -c -f "$sdir/slurm.conf" >"$sdir/slurmctld.out" 2>&1 &
    slurm_pids="$slurm_pids $!"
    slurmd -D -f "$sdir/slurm.conf" >"$sdir/slurmd.out" 2>&1 &
    slurm_pids="$slurm_pids $!"
    i=0
    until sinfo --noheader --format=%T 2>/dev/null | grep -q '^idle'; do
        i=$((i + 1))
        [ $i -lt 60 ] || { echo "the node was not up after 60 s" >"$sdir/why"; return 1; }
        sleep 1
    done
}

# slurm_stop: cancels every job (waiting up to 30 s for them to end), then
# stops the daemons this shell started.
slurm_stop() {
    [ -n "${slurm_pids:-}" ] || return 0
    scancel --quiet --full --signal=KILL --user=root 2>/dev/null
    i=0
    while [ -n "$(squeue --noheader 2>/dev/null)" ] && [ $i -lt 30 ]; do
        i=$((i + 1))
        sleep 1
    done
    for p in $slurm_pids; do kill "$p" 2>/dev/null; done
    for p in $slurm_pids; do wait "$p" 2>/dev/null; done
    slurm_pids=
}
