#!/bin/sh
# job.sh N: prints the Indexed Job that renders every county's briefing as N shards, one
# pod per shard, all into the shared output claim. Apply it with
#     examples/k8s/job.sh 8 | kubectl apply -f -
# The shard count must be written twice, as spec.completions (how many indexes Kubernetes
# runs) and as countybrief's --shards (how many shares the counties are cut into); the
# downward API exposes a pod's JOB_COMPLETION_INDEX but not the Job's completions, and plain
# YAML cannot refer from one field to another. So this script writes both from its one
# argument, and they cannot drift apart.
#   IMAGE=...        the image (default countybrief:0.1.0, built by examples/k8s/Dockerfile)
#   PARALLELISM=P    at most P pods at a time (default N)
set -eu

usage() {
    echo "usage: examples/k8s/job.sh SHARDS   (a whole number from 1 to 100000;" \
        "IMAGE=NAME and PARALLELISM=P may be set)" >&2
    exit 2
}
whole() { case $1 in '' | 0* | *[!0-9]*) return 1 ;; esac; [ "${#1}" -le 6 ] && [ "$1" -le 100000 ]; }

[ $# -eq 1 ] || usage
whole "$1" || usage
shards=$1
parallelism=${PARALLELISM:-$shards}
whole "$parallelism" || usage
image=${IMAGE:-countybrief:0.1.0}

cat <<YAML
# Made by examples/k8s/job.sh $shards: completions and --shards are the same number.
apiVersion: batch/v1
kind: Job
metadata:
  name: countybrief-render
  labels: { app.kubernetes.io/name: countybrief, app.kubernetes.io/component: render }
spec:
  completionMode: Indexed   # pod k gets JOB_COMPLETION_INDEX=k (0-based): countybrief renders shard k+1 of $shards
  completions: $shards
  parallelism: $parallelism
  # Each index is retried on its own, up to twice (Kubernetes >= 1.29); a retry renders only
  # what is not yet done, as a shard skips the counties already rendered and unchanged.
  backoffLimitPerIndex: 2
  podFailurePolicy:
    rules:
      # usage (2), data (3), setup (4) or output (5) errors fail the same way again: the
      # index fails at once, without burning retries; exit 1 (some counties failed) is retried
      - action: FailIndex
        onExitCodes: { containerName: render, operator: In, values: [2, 3, 4, 5] }
      # evicted, preempted or drained (countybrief stops gracefully on SIGTERM, exit 143):
      # not the shard's fault, so the pod is replaced without counting against its retries
      - action: Ignore
        onPodConditions: [{ type: DisruptionTarget, status: "True" }]
  template:
    metadata:
      labels: { app.kubernetes.io/name: countybrief, app.kubernetes.io/component: render }
    spec:
      restartPolicy: Never
      # on SIGTERM countybrief hands out no new county, lets the running ones finish (a few
      # seconds at most), flushes its manifest and exits 143; 30 s leaves room for that
      terminationGracePeriodSeconds: 30
      securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 }
      containers:
        - name: render
          image: $image
          args: [render, --data, /data, --out, /briefings, --shards, "$shards", --jobs, "2", --quiet]
          env:
            # countybrief's only writes outside --out are caches (plugin probes, font
            # lookups, the data index): a scratch volume, as the root filesystem is read-only
            - { name: XDG_CACHE_HOME, value: /cache }
          resources:
            requests: { cpu: "2", memory: 256Mi }
            limits: { memory: 512Mi }
          securityContext:
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities: { drop: [ALL] }
          volumeMounts:
            - { name: data, mountPath: /data, readOnly: true }
            - { name: briefings, mountPath: /briefings }
            - { name: cache, mountPath: /cache }
      volumes:
        - name: data
          persistentVolumeClaim: { claimName: countybrief-data, readOnly: true }
        - name: briefings
          persistentVolumeClaim: { claimName: countybrief-briefings }
        - name: cache
          emptyDir: { sizeLimit: 256Mi }
YAML
