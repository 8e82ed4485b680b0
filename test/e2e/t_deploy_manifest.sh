# docs/deploy/ebpfcap-daemonset.yaml through Debian's kubectl (1.20,
# kubernetes-client) and Kubernetes' own types, with no API server (there is
# none on these machines):
#  - kubectl apply --dry-run=client needs discovery to map kinds to resources
#    and GETs each object: test/helpers/kube_api.py answers that (the built-in core
#    and apps resources of a 1.20 server; every object is new). kubectl then
#    parses the file, maps each apiVersion/kind (a kind the group lacks is
#    refused), applies namespaces and prints the objects it would send.
#  - kubectl's own schema check (--validate=true) needs the server's OpenAPI
#    document (/openapi/v2, protobuf): it fails here, so --validate=false, and
#    test/helpers/kube_schema.py checks the objects kubectl printed against the types
#    python3-kubernetes generates from the OpenAPI spec: unknown fields, value
#    types, required fields.
#  - not checked: what only a server decides (defaulting, cross-field rules,
#    admission such as Pod Security), nor whether a node runs it: that is
#    test/e2e/t_exporter_image.sh, which runs the image with this manifest's
#    securityContext and mounts; this test checks both still agree.
. test/helpers/lib.sh
KUBECTL=$BUILD/tools/usr/bin/kubectl
MANIFEST=docs/deploy/ebpfcap-daemonset.yaml
PY=/usr/bin/python3 # Debian's, which has python3-kubernetes (a PATH python3 may not)
[ -x "$KUBECTL" ] || fail "$KUBECTL is missing: make $KUBECTL"
$PY -c 'import kubernetes, yaml' 2>/dev/null || fail "python3-kubernetes or python3-yaml is missing (make deps)"
port=$((30500 + $$ % 500 * 2))

$PY test/helpers/kube_api.py $port 2>"$TMP/api.log" &
api=$!
at_exit "kill $api"
export HOME="$TMP" # no kubeconfig, no cache of anyone else's
kubectl() { "$KUBECTL" --server "http://127.0.0.1:$port" --cache-dir "$TMP/cache" "$@"; }
wait_for -p $api -l "$TMP/api.log" 5 "kube_api.py to answer" kubectl get --raw /api
ok "kubectl $("$KUBECTL" version --client --short | sed 's/.*: //') against kube_api.py on port $port"

kubectl apply --dry-run=client --validate=false -f $MANIFEST >"$TMP/apply.out" 2>&1 || fail "kubectl apply: $(cat "$TMP/apply.out")"
expect_eq "kubectl apply --dry-run=client" "namespace/ebpfcap created (dry run)|daemonset.apps/ebpfcap-exporter created (dry run)|" \
	"$(tr '\n' '|' <"$TMP/apply.out")"
kubectl apply --dry-run=client --validate=false -o json -f $MANIFEST >"$TMP/applied.json" 2>"$TMP/apply.err" ||
	fail "kubectl apply -o json: $(cat "$TMP/apply.err")"
$PY test/helpers/kube_schema.py "$TMP/applied.json" >"$TMP/schema.out" 2>&1 || fail "schema: $(cat "$TMP/schema.out")"
ok "the objects kubectl would send: $(cat "$TMP/schema.out")"

# Without --validate=false kubectl asks for the OpenAPI document, which nobody serves here.
kubectl apply --dry-run=client -f $MANIFEST >"$TMP/v.out" 2>&1 && fail "kubectl --validate=true passed without a schema?"
ok "kubectl --validate=true: $(tail -1 "$TMP/v.out")"

# The Secret as README creates it, from the output of --gen-keys.
(umask 077; $EBPFCAP --gen-keys >"$TMP/exporter.key") || fail "--gen-keys"
kubectl -n ebpfcap create secret generic ebpfcap-exporter-key --from-file=exporter.key="$TMP/exporter.key" \
	--dry-run=client -o json >"$TMP/secret.json" 2>&1 || fail "kubectl create secret: $(cat "$TMP/secret.json")"
$PY test/helpers/kube_schema.py "$TMP/secret.json" >"$TMP/schema.out" 2>&1 || fail "secret schema: $(cat "$TMP/schema.out")"
ok "the Secret: $(cat "$TMP/schema.out")"

# What t_exporter_image.sh runs must be what the manifest asks for.
q() { $PY -c "import json, sys; o = json.load(open(sys.argv[1])); $1" "$2"; }
DS='ds = [i for i in o["items"] if i["kind"] == "DaemonSet"][0]["spec"]["template"]["spec"]; c = ds["containers"][0]'
expect_eq "pod: hostPID hostNetwork, image pulled never" "True True Never" \
	"$(q "$DS; print(ds['hostPID'], ds['hostNetwork'], c['imagePullPolicy'])" "$TMP/applied.json")"
expect_eq "capabilities (as t_exporter_image.sh runs them)" "['ALL'] ['BPF', 'PERFMON', 'NET_ADMIN', 'SYS_PTRACE', 'DAC_READ_SEARCH'] False RuntimeDefault" \
	"$(q "$DS; s = c['securityContext']; print(s['capabilities']['drop'], s['capabilities']['add'], s['allowPrivilegeEscalation'], s['seccompProfile']['type'])" "$TMP/applied.json")"
expect_eq "read-only host mounts (as t_exporter_image.sh mounts them)" \
	"/etc/machine-id /sys/fs/cgroup /sys/kernel/btf /sys/kernel/tracing /var/log/pods" \
	"$(q "$DS; print(*sorted(m['mountPath'] for m in c['volumeMounts'] if m['readOnly'] and m['name'] != 'keys'))" "$TMP/applied.json")"
expect_eq "args: the key file the Secret volume gives" "--export=tcp://0.0.0.0:5556 --secret-key /etc/ebpfcap/keys/exporter.key" \
	"$(q "$DS; print(*c['args'])" "$TMP/applied.json")"
expect_eq "the Secret volume: name, mode 0400" "ebpfcap-exporter-key 0o400" \
	"$(q "$DS; v = [v for v in ds['volumes'] if v['name'] == 'keys'][0]['secret']; print(v['secretName'], oct(v['defaultMode']))" "$TMP/applied.json")"
expect_eq "the Secret holds exporter.key" "ebpfcap-exporter-key ebpfcap exporter.key" \
	"$(q "print(o['metadata']['name'], o['metadata']['namespace'], *o['data'])" "$TMP/secret.json")"

# Both checks bite: a kind the group lacks (kubectl), a misspelt field and a wrong type (schema).
sed 's/^kind: DaemonSet/kind: DaemonSett/' $MANIFEST >"$TMP/bad-kind.yaml"
kubectl apply --dry-run=client --validate=false -f "$TMP/bad-kind.yaml" >"$TMP/bad.out" 2>&1 && fail "kubectl took kind DaemonSett"
grep -q 'no matches for kind "DaemonSett" in version "apps/v1"' "$TMP/bad.out" || fail "kubectl: $(cat "$TMP/bad.out")"
ok "kubectl refuses an unknown kind: $(grep DaemonSett "$TMP/bad.out")"
sed 's/hostNetwork: true/hostNetWork: true/; s/defaultMode: 0400/defaultMode: "0400"/' $MANIFEST >"$TMP/bad.yaml"
kubectl apply --dry-run=client --validate=false -o json -f "$TMP/bad.yaml" >"$TMP/bad.json" 2>&1 || fail "kubectl: $(cat "$TMP/bad.json")"
$PY test/helpers/kube_schema.py "$TMP/bad.json" >"$TMP/bad.out" 2>&1 && fail "the schema check took a misspelt field"
grep -q 'unknown field "hostNetWork" in V1PodSpec' "$TMP/bad.out" || fail "schema: $(cat "$TMP/bad.out")"
grep -q "defaultMode: expected int, got '0400'" "$TMP/bad.out" || fail "schema: $(cat "$TMP/bad.out")"
ok "the schema check refuses: $(head -2 "$TMP/bad.out" | sed 's/.*: //' | tr '\n' '|')"
