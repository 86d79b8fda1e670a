#!/usr/bin/env bash
# k8s.sh: examples/k8s, checked offline as far as it can be without a cluster or a Docker
# engine. Every manifest (pvc.yaml, merge-job.yaml, tools.yaml and what job.sh prints for
# several shard counts) is validated against the Kubernetes API schema, strictly (an unknown
# field is an error, as for the API server), with the npm package kubernetes-models that
# .ci/install-deps --test installs into tests/k8s/node_modules (tests/k8s/package.json says
# which version, i.e. which Kubernetes). Then how the pieces fit: completions and --shards
# are one number, every mount of /briefings is the ReadWriteMany claim, exit codes 2-5 fail
# an index without retries, the merge Job mounts the output and the data, the pods run as
# the Dockerfile's non-root user with a read-only root and a writable cache. The Dockerfile
# is read, not built (that needs a Docker engine and the network): its stages, its user,
# its exec-form ENTRYPOINT. Needs no network; skipped, saying so, without node and npm.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

K8S=$CB_SRC/examples/k8s
VAL=$(cd "$(dirname "$0")/../k8s" && pwd) # the validator: test code, beside this test

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    skip_all "node and npm are not installed (.ci/install-deps --test): the Kubernetes manifests are not validated"
fi
# the validator's packages: those .ci/install-deps --test installed, else an install from
# npm's own cache (no network) into the scratch folder
if [[ ! -d $VAL/node_modules/kubernetes-models ]]; then
    mkdir "$TMP/val"
    cp "$VAL/package.json" "$VAL/package-lock.json" "$VAL"/*.mjs "$TMP/val/"
    if ! (cd "$TMP/val" && npm ci --offline --no-audit --no-fund --loglevel=error) >"$TMP/npm.log" 2>&1; then
        not_ok "the validator's npm packages are installed (run .ci/install-deps --test)" "$(cat "$TMP/npm.log")"
        finish || exit 1
    fi
    VAL=$TMP/val
fi
models=$(node -p "require('$VAL/node_modules/kubernetes-models/package.json').version")
echo "# schema: kubernetes-models $models (tests/k8s/package-lock.json)"

# validate FILE...: the schema check; its output in $TMP/val.out, its exit code in VRC
validate() {
    VRC=0
    node "$VAL/validate.mjs" "$@" >"$TMP/val.out" 2>&1 || VRC=$?
}

# --- job.sh: one number for completions and --shards ------------------------------------------
for bad in 0 -1 08 abc 1.5 100001 ""; do
    rc=0
    "$K8S/job.sh" "$bad" >"$TMP/stdout" 2>"$TMP/stderr" || rc=$?
    if [[ $rc -eq 2 && ! -s $TMP/stdout ]] && grep -q '^usage: examples/k8s/job.sh SHARDS' "$TMP/stderr"; then
        ok "job.sh '$bad': usage, exit 2, nothing printed"
    else
        not_ok "job.sh '$bad': usage, exit 2, nothing printed" "rc=$rc $(cat "$TMP/stdout" "$TMP/stderr")"
    fi
done
rc=0
"$K8S/job.sh" 4 4 >/dev/null 2>&1 || rc=$?
check_eq "job.sh with two arguments: exit 2" 2 "$rc"
rc=0
PARALLELISM=many "$K8S/job.sh" 4 >/dev/null 2>&1 || rc=$?
check_eq "job.sh with PARALLELISM=many: exit 2" 2 "$rc"
check "job.sh is POSIX sh (dash -n)" dash -n "$K8S/job.sh"

for n in 1 3 8 40; do
    "$K8S/job.sh" "$n" >"$TMP/job-$n.yaml" 2>&1 || not_ok "job.sh $n prints the Job" "$(cat "$TMP/job-$n.yaml")"
done
PARALLELISM=2 IMAGE=registry.example.org/countybrief:0.1.0 "$K8S/job.sh" 8 >"$TMP/job-8-p2.yaml" 2>&1 ||
    not_ok "PARALLELISM=2 IMAGE=... job.sh 8 prints the Job" "$(cat "$TMP/job-8-p2.yaml")"

# --- the Kubernetes API schema ------------------------------------------------------------
MANIFESTS=("$K8S/pvc.yaml" "$K8S/merge-job.yaml" "$K8S/tools.yaml")
validate "${MANIFESTS[@]}" "$TMP"/job-*.yaml
cp "$TMP/val.out" "$TMP/valid.out"
if [[ $VRC -eq 0 ]]; then
    ok "every manifest and job.sh's Job for 1, 3, 8, 40 shards matches the schema ($(grep -c '^ok ' "$TMP/val.out") objects)"
else
    not_ok "every manifest and job.sh's Job match the schema" "$(grep -v '^ok ' "$TMP/val.out")"
fi
kinds=$(sed -n 's/^ok .*: \([A-Za-z]*\)\/.*/\1/p' "$TMP/val.out" | sort -u | tr '\n' ' ')
check_eq "the objects checked: Job, PersistentVolumeClaim, Pod" "Job PersistentVolumeClaim Pod " "$kinds"

# The schema check itself must catch what is wrong: copies of the Job, each broken once.
# expect_invalid WHAT PATTERN SED: the Job of 8 shards edited by SED is refused with a line
# matching PATTERN
expect_invalid() {
    sed "$3" "$TMP/job-8.yaml" >"$TMP/broken.yaml"
    if cmp -s "$TMP/broken.yaml" "$TMP/job-8.yaml"; then
        not_ok "refused: $1" "the edit '$3' changed nothing"
        return
    fi
    validate "$TMP/broken.yaml"
    if [[ $VRC -eq 1 ]] && grep -qE -- "$2" "$TMP/val.out"; then
        ok "refused: $1"
    else
        not_ok "refused: $1" "exit $VRC: $(cat "$TMP/val.out")"
    fi
}
expect_invalid 'completions: "8" (a string)' 'spec/completions must be integer' 's/^  completions: 8$/  completions: "8"/'
expect_invalid 'an unknown field (completionz)' 'unknown field /spec/completionz' 's/^  completions: 8$/  completionz: 8/'
expect_invalid 'an unknown field deep in the pod (readonly)' 'unknown field /spec/template/spec/containers/0/volumeMounts/0/readonly' 's/mountPath: \/data, readOnly/mountPath: \/data, readonly/'
expect_invalid 'an env value that is a number' 'env/0/value must be string' 's/value: \/cache }/value: 8 }/'
# the schema knows Kubernetes 1.28+'s fields: a wrong type is reported as such, not as unknown
expect_invalid 'backoffLimitPerIndex: "2" (a string)' 'spec/backoffLimitPerIndex must be integer' 's/backoffLimitPerIndex: 2$/backoffLimitPerIndex: "2"/'
expect_invalid 'a podFailurePolicy action that does not exist' 'podFailurePolicy/rules/0/action must be equal to one of the allowed values' 's/action: FailIndex/action: Retry/'
expect_invalid 'a podFailurePolicy operator that does not exist' 'onExitCodes/operator must be equal to one of the allowed values' 's/operator: In,/operator: Among,/'
expect_invalid 'a Job without its pod template' 'spec must have required property template' '/^  template:$/,$d'
printf 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: x\n' >"$TMP/broken.yaml"
validate "$TMP/broken.yaml"
check_eq "refused: a file that is not YAML (exit 2)" 2 "$VRC"
printf 'apiVersion: batch/v9\nkind: Job\nmetadata: {name: x}\n' >"$TMP/broken.yaml"
validate "$TMP/broken.yaml"
check_eq "refused: an apiVersion the schema does not have (exit 1)" 1 "$VRC"

# --- how the pieces fit -------------------------------------------------------------------
# fit FILE...: the checks below on these manifests, one line each in $TMP/fit.out ("ok",
# TAB, what; or "FAIL", TAB, what, TAB, which objects lack it)
fit() {
    if ! node "$VAL/tojson.mjs" "$@" >"$TMP/all.json" 2>"$TMP/fit.err" \
        || ! "$PY" -c "$FIT" "$TMP/all.json" "$user" >"$TMP/fit.out" 2>>"$TMP/fit.err"; then
        printf 'FAIL\tthe checks of how the manifests fit ran\t%s\n' "$(tr '\n' ' ' <"$TMP/fit.err")" >"$TMP/fit.out"
    fi
}
user=$(sed -n 's/^USER[[:space:]]*\([^[:space:]:]*\).*/\1/p' "$K8S/Dockerfile" | tail -n 1)
FIT=$(cat <<'PYEOF'
import json, os, re, sys

docs = json.load(open(sys.argv[1]))
image_user = sys.argv[2]
for d in docs:
    d["name"] = os.path.basename(d["file"]) + ":" + d["doc"]["kind"] + "/" + d["doc"]["metadata"]["name"]

def every(what, items, pred):
    """one line for a property of every item (name, thing): the names of those without it"""
    bad = [name for name, x in items if not pred(x)]
    print(("FAIL" if bad or not items else "ok") + "\t" + what + "\t" + (", ".join(bad) or "none checked"))

claims = {d["doc"]["metadata"]["name"]: d["doc"]["spec"]["accessModes"]
          for d in docs if d["doc"]["kind"] == "PersistentVolumeClaim"}
every("pvc.yaml: the data claim is ReadOnlyMany, the output claim ReadWriteMany", [("pvc.yaml", claims)],
      lambda c: c.get("countybrief-data") == ["ReadOnlyMany"] and c.get("countybrief-briefings") == ["ReadWriteMany"])

# every container of every pod (the Jobs' templates, the tools Pod) with its pod's spec
def pod_spec(doc):
    return doc["spec"]["template"]["spec"] if doc["kind"] == "Job" else doc["spec"] if doc["kind"] == "Pod" else None
ctrs = []
for d in docs:
    spec = pod_spec(d["doc"])
    for c in (spec or {}).get("containers", []):
        vols = {v["name"]: v for v in spec.get("volumes", [])}
        mounts = {m["mountPath"]: dict(m, volume=vols.get(m["name"], {})) for m in c.get("volumeMounts", [])}
        env = {e["name"]: e.get("value") for e in c.get("env", [])}
        ctrs.append((d["name"] + " " + c["name"], dict(spec=spec, c=c, mounts=mounts, env=env)))
claim = lambda x, path: x["mounts"].get(path, {}).get("volume", {}).get("persistentVolumeClaim", {}).get("claimName")
print("#", len(ctrs), "containers in", len({n.split(" ")[0] for n, _ in ctrs}), "pods and pod templates")
every(f"every pod runs as the Dockerfile's non-root user ({image_user})", ctrs,
      lambda x: x["spec"]["securityContext"].get("runAsNonRoot") is True and image_user not in ("", "0", "root")
      and str(x["spec"]["securityContext"].get("runAsUser")) == image_user)
every("every container's mounts name volumes of its pod", ctrs, lambda x: all(m["volume"] for m in x["mounts"].values()))
every("every container mounts /briefings from the ReadWriteMany claim", ctrs,
      lambda x: "ReadWriteMany" in claims.get(claim(x, "/briefings"), []))
every("every container mounts /data from the data claim", ctrs, lambda x: claim(x, "/data") == "countybrief-data")
every("every container: read-only root, XDG_CACHE_HOME on a writable emptyDir, no privilege escalation", ctrs,
      lambda x: x["c"]["securityContext"].get("readOnlyRootFilesystem") is True
      and x["c"]["securityContext"].get("allowPrivilegeEscalation") is False
      and "emptyDir" in x["mounts"].get(x["env"].get("XDG_CACHE_HOME"), {}).get("volume", {})
      and not x["mounts"][x["env"]["XDG_CACHE_HOME"]].get("readOnly"))
every("every container requests resources and has a memory limit", ctrs,
      lambda x: x["c"]["resources"].get("requests") and x["c"]["resources"].get("limits", {}).get("memory"))
every("one image name throughout, countybrief:0.1.0 (Dockerfile's comment)", [(n, x) for n, x in ctrs if "p2" not in n],
      lambda x: x["c"]["image"] == "countybrief:0.1.0")
every("job-8-p2.yaml: IMAGE=registry.example.org/countybrief:0.1.0 names the image", [(n, x) for n, x in ctrs if "p2" in n],
      lambda x: x["c"]["image"] == "registry.example.org/countybrief:0.1.0")

# the render Jobs job.sh printed: job-N.yaml for N shards, job-8-p2.yaml with PARALLELISM=2
jobs = [(d["name"], d) for d in docs if d["doc"]["metadata"]["name"] == "countybrief-render"]
want = lambda d: int(re.search(r"job-(\d+)", os.path.basename(d["file"])).group(1))
spec = lambda d: d["doc"]["spec"]
ctr = lambda d: spec(d)["template"]["spec"]["containers"][0]
arg = lambda d, opt: ctr(d)["args"][ctr(d)["args"].index(opt) + 1] if opt in ctr(d)["args"] else None
every(f"job.sh's Jobs ({len(jobs)}): completions == --shards == N, the one argument", jobs,
      lambda d: spec(d)["completions"] == want(d) and arg(d, "--shards") == str(want(d))
      and all("COUNTYBRIEF_SHARDS" != e["name"] for e in ctr(d).get("env", [])))
every("job.sh's Jobs: parallelism N, or PARALLELISM", jobs,
      lambda d: spec(d)["parallelism"] == (2 if "p2" in d["file"] else want(d)))
every("job.sh's Jobs: Indexed, restartPolicy Never, retried per index (backoffLimitPerIndex)", jobs,
      lambda d: spec(d)["completionMode"] == "Indexed" and spec(d)["template"]["spec"]["restartPolicy"] == "Never"
      and spec(d).get("backoffLimitPerIndex", 0) >= 1)
every("job.sh's Jobs: countybrief render --data /data --out /briefings --jobs 2 --quiet (the image's ENTRYPOINT)", jobs,
      lambda d: ctr(d)["args"][:5] == ["render", "--data", "/data", "--out", "/briefings"]
      and arg(d, "--jobs") == "2" and "--quiet" in ctr(d)["args"] and "command" not in ctr(d))
every("job.sh's Jobs: exit codes 2, 3, 4, 5 of the render container fail the index at once", jobs,
      lambda d: ctr(d)["name"] == "render" and [r["onExitCodes"] for r in spec(d)["podFailurePolicy"]["rules"]
      if r["action"] in ("FailIndex", "FailJob") and "onExitCodes" in r]
      == [{"containerName": "render", "operator": "In", "values": [2, 3, 4, 5]}])
every("job.sh's Jobs: a disruption (eviction, preemption, drain) does not count as a failure", jobs,
      lambda d: any(r["action"] == "Ignore" and {"type": "DisruptionTarget", "status": "True"} in r.get("onPodConditions", [])
      for r in spec(d)["podFailurePolicy"]["rules"]))
every("job.sh's Jobs: the data claim mounted read-only", jobs,
      lambda d: all(m.get("readOnly") for m in ctr(d)["volumeMounts"] if m["mountPath"] == "/data"))
every("job.sh's Jobs: a grace period (>= 10 s) for countybrief's graceful stop on SIGTERM", jobs,
      lambda d: spec(d)["template"]["spec"].get("terminationGracePeriodSeconds", 30) >= 10)

merge = [(d["name"], d) for d in docs if d["doc"]["metadata"]["name"] == "countybrief-merge"]
every("merge-job.yaml: countybrief manifest merge /briefings --data /data, no retry", merge,
      lambda d: ctr(d)["args"] == ["manifest", "merge", "/briefings", "--data", "/data"] and "command" not in ctr(d)
      and spec(d).get("backoffLimit") == 0)
PYEOF
)
fit "${MANIFESTS[@]}" "$TMP"/job-*.yaml
while IFS=$'\t' read -r verdict what why; do
    case $verdict in ok) ok "$what" ;; FAIL) not_ok "$what" "$why" ;; *) echo "$verdict" ;; esac
done <"$TMP/fit.out"
# and they catch what they are for: a Job whose --shards drifted from completions, a tools
# pod whose /briefings is a scratch folder rather than the shared claim
# expect_misfit WHAT CHECK FILE SED: FILE edited by SED fails the check starting with CHECK
expect_misfit() {
    local copy
    copy=$TMP/misfit-$(basename "$3")
    sed "$4" "$3" >"$copy"
    fit "$copy" "$K8S/pvc.yaml"
    if ! cmp -s "$copy" "$3" && grep -qF "FAIL"$'\t'"$2" "$TMP/fit.out"; then ok "caught: $1"; else
        not_ok "caught: $1" "$(cat "$TMP/fit.out")"; fi
}
expect_misfit "completions 8 with --shards 4" "job.sh's Jobs" "$TMP/job-8.yaml" 's/--shards, "8"/--shards, "4"/'
expect_misfit "/briefings on an emptyDir" "every container mounts /briefings from the ReadWriteMany claim" \
    "$K8S/tools.yaml" 's/persistentVolumeClaim: { claimName: countybrief-briefings }/emptyDir: {}/'
expect_misfit "exit code 5 left out of the failure policy" "job.sh's Jobs: exit codes 2, 3, 4, 5" \
    "$TMP/job-8.yaml" 's/values: \[2, 3, 4, 5\]/values: [2, 3, 4]/'

# --- the pods' commands, run with this build of countybrief --------------------------------
# What the containers of `job.sh 2` and merge-job.yaml would run, run here on the example data:
# their args and env, /data and /briefings being folders here, pod k with
# JOB_COMPLETION_INDEX=k and its own cache (an emptyDir). First index 0 alone (its merge must
# fail: a shard is missing), then index 1 (its merge must succeed).
"$K8S/job.sh" 2 >"$TMP/run-2.yaml"
node "$VAL/tojson.mjs" "$TMP/run-2.yaml" "$K8S/merge-job.yaml" >"$TMP/run.json"
# args_of JOB: the args of JOB's container, one a line, with the pod's folders made ours
args_of() {
    "$PY" - "$TMP/run.json" "$1" "$CB_SRC/examples/data" "$TMP/briefings" <<'PYEOF'
import json, sys
docs, name, data, out = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
job = next(x["doc"] for x in docs if x["doc"]["metadata"]["name"] == name)
for a in job["spec"]["template"]["spec"]["containers"][0]["args"]:
    print({"/data": data, "/briefings": out}.get(a, a))
PYEOF
}
mapfile -t render_args < <(args_of countybrief-render)
mapfile -t merge_args < <(args_of countybrief-merge)
# Where this machine allows it (root, mount namespaces, a build the pods' user can read), as
# in the pod: as uid $user, on a read-only root with only /briefings and the cache writable.
mkdir -p "$TMP/briefings"
asuser=no
if [[ $(id -u) -eq 0 && -n $user ]] && unshare -m true 2>/dev/null && chmod 711 "$TMP" &&
    setpriv --reuid "$user" --regid "$user" --clear-groups \
        sh -c 'test -x "$1" && test -r "$2"' sh "$CB" "$CB_SRC/examples/data/counties.csv" 2>/dev/null; then
    asuser=yes
    chown "$user:$user" "$TMP/briefings"
    echo "# the pods' commands run as uid $user on a read-only root (/briefings and the cache writable)"
else
    skip "the pods' commands as uid $user on a read-only root (they run as $(id -un))" \
        "that needs root, mount namespaces and a build that uid can read"
fi
# pod K ARGS...: countybrief as pod K runs it: JOB_COMPLETION_INDEX=K, XDG_CACHE_HOME its own
# scratch folder (an emptyDir)
pod() {
    local k=$1 cache=$TMP/cache-$1
    shift
    mkdir -p "$cache"
    RC=0
    if [[ $asuser == yes ]]; then
        chown "$user:$user" "$cache"
        unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" "$1" && mount --bind "$2" "$2" &&
            mount -o remount,bind,ro / && shift 2 && exec "$@"' sh "$TMP/briefings" "$cache" \
            setpriv --reuid "$user" --regid "$user" --clear-groups \
            env HOME=/nonexistent JOB_COMPLETION_INDEX="$k" XDG_CACHE_HOME="$cache" "$CB" "$@"
    else
        JOB_COMPLETION_INDEX=$k XDG_CACHE_HOME=$cache "$CB" "$@"
    fi >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
}
pod 0 "${render_args[@]}"
check_eq "render Job, index 0 of 2: its command exits 0 and prints nothing" "0 " "$RC $(cat "$TMP/stderr")"
pod m "${merge_args[@]}"
if [[ $RC -eq 2 ]] && grep -q '^usage: countybrief manifest merge DIR$' "$TMP/stderr"; then
    skip "the merge Job's command" "this countybrief has no manifest merge --data"
    merge=no
else
    merge=yes
    check_eq "merge Job after index 0 alone: exit 1 (shard 2 of 2 is missing)" 1 "$RC"
fi
pod 1 "${render_args[@]}"
check_eq "render Job, index 1 of 2: its command exits 0 and prints nothing" "0 " "$RC $(cat "$TMP/stderr")"
check_eq "the two shards rendered every county of the data, once" \
    "$("$CB" list --data "$CB_SRC/examples/data" | cut -f1 | sort | tr '\n' ' ')" \
    "$(cd "$TMP/briefings" && ls -- *.pdf | cut -d- -f1 | sort | tr '\n' ' ')"
if [[ $asuser == yes ]]; then
    check_eq "the PDFs and shard manifests belong to uid $user" "$user" \
        "$(stat -c %u "$TMP/briefings"/* | sort -u | tr '\n' ' ' | sed 's/ $//')"
fi
if [[ $merge == yes ]]; then
    pod m "${merge_args[@]}"
    check_eq "merge Job after both indexes: exit 0" "0" "$RC"
    check "merge Job: wrote briefings/manifest.json" test -s "$TMP/briefings/manifest.json"
fi

# --- the Dockerfile, read (not built) ---------------------------------------------------------
DF=$K8S/Dockerfile
froms=$(sed -n 's/^FROM[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' "$DF" | tr '\n' ' ')
check_eq "Dockerfile: two stages, FROM debian:12 (build) and debian:12-slim (runtime)" "debian:12 debian:12-slim " "$froms"
check "Dockerfile: the build stage installs .ci/install-deps' packages and runs cpack -G DEB" \
    grep -qzE 'RUN \.ci/install-deps.*cpack -G DEB' "$DF"
check "Dockerfile: the runtime stage installs the .deb with apt-get (its dependencies with it)" \
    grep -qE 'apt-get install -y [^&]*\./countybrief_\*\.deb' "$DF"
if [[ -n $user && $user != 0 && $user != root ]]; then ok "Dockerfile: the last USER is not root ($user)"; else
    not_ok "Dockerfile: the last USER is not root" "USER: '$user'"; fi
entry=$(grep -E '^ENTRYPOINT' "$DF" | tail -n 1)
check_eq "Dockerfile: ENTRYPOINT in exec form, countybrief itself (PID 1, gets SIGTERM)" \
    'ENTRYPOINT ["countybrief"]' "$entry"
check "Dockerfile: no SHELL instruction (no shell wrapper)" bash -c "! grep -qE '^SHELL' '$DF'"
check "Dockerfile.dockerignore (BuildKit's, beside the Dockerfile) leaves out build trees, out/, .git" \
    bash -c "grep -qx build '$K8S/Dockerfile.dockerignore' && grep -qx out '$K8S/Dockerfile.dockerignore' && grep -qx .git '$K8S/Dockerfile.dockerignore'"
if docker info >/dev/null 2>&1; then
    echo "# the Dockerfile is not built: that needs the network (debian images, Debian packages)"
else
    echo "# the Dockerfile is not built: no Docker engine here (and the build needs the network)"
fi

# --- the README: what it names exists -------------------------------------------------------
README=$K8S/README.md
missing=""
for f in $(grep -oE 'examples/k8s/[A-Za-z0-9_.-]+' "$README" | sort -u); do
    [[ -e $CB_SRC/$f ]] || missing+="$f "
done
check_eq "README.md: every examples/k8s/ file it names exists" "" "$missing"
# the objects its kubectl commands name (job/NAME, job NAME, pod/NAME) are those of the manifests
objects=$(sed -n 's/^ok .*: \([A-Za-z]*\)\/\(.*\)/\1 \2/p' "$TMP/valid.out" | sort -u)
named=$(grep -oE '\b(job|pod)[/ ]countybrief-[a-z]+' "$README" | tr '/' ' ' | sort -u)
unknown=""
while read -r kind name; do
    grep -qix "$kind $name" <<<"$objects" || unknown+="$kind/$name "
done <<<"$named"
check_eq "README.md: the Jobs and pods its commands name are those of the manifests ($(wc -l <<<"$named"))" "" "$unknown"
for text in ReadWriteMany ReadOnlyMany 'examples/k8s/job.sh 8 | kubectl apply -f -' \
    'kubectl apply -f examples/k8s/merge-job.yaml' 'grep -qwE '"'"'Complete|Failed'"'" 'tar -C /briefings -cf - .'; do
    if has_text "$README" "$text"; then ok "README.md: $text"; else not_ok "README.md: $text"; fi
done

finish
